#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/mainwindow.h"
#include "views/tree/designtreemodel.h"

#include <QApplication>
#include <QCommandLinkButton>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QGraphicsSceneMouseEvent>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTreeView>
#include <QUrl>

using namespace converge;
using namespace converge::views;
using core::ElementKind;

namespace {

class MainWindowTest : public testing::Test
{
protected:
    void SetUp() override { QSettings().clear(); }
    void TearDown() override
    {
        // Error boxes are window-modal children; close them so no test sees another's.
        for (QWidget *w : QApplication::topLevelWidgets())
            if (auto *box = qobject_cast<QMessageBox *>(w))
                box->close();
    }

    // A sample copied to a real file, optionally changed first.
    QString writeSample(const QString &name, const std::function<void(QJsonObject &)> &change = {})
    {
        QFile in(test::samplePath("smb-converged"));
        EXPECT_TRUE(in.open(QIODevice::ReadOnly));
        QJsonObject root = QJsonDocument::fromJson(in.readAll()).object();
        if (change)
            change(root);
        const QString path = m_dir.filePath(name);
        QFile out(path);
        EXPECT_TRUE(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(root).toJson());
        return path;
    }

    static QMessageBox *errorBox(const MainWindow &window)
    {
        return window.findChild<QMessageBox *>(QStringLiteral("openErrorBox"));
    }

    QTemporaryDir m_dir;
};

QString statusCounts(const MainWindow &window)
{
    QStringList texts;
    for (const QLabel *label : window.statusBar()->findChildren<QLabel *>())
        texts << label->text();
    return texts.join(QLatin1Char('|'));
}

class SampleWindow : public testing::TestWithParam<std::string>
{
};

TEST_P(SampleWindow, ShowsTheSample)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(test::samplePath(GetParam())));
    const core::Design &design = *window.design();
    EXPECT_FALSE(window.isStartPageShown());
    EXPECT_TRUE(
        window.windowTitle().contains(design.info().value(QStringLiteral("name")).toString()))
        << window.windowTitle().toStdString();
    EXPECT_TRUE(window.windowTitle().contains(QString::fromStdString(GetParam())));

    const DesignTreeModel &tree = *window.treeModel();
    EXPECT_EQ(window.treeView()->model(), &tree);
    EXPECT_EQ(tree.rowCount(), test::topLevelKinds(design));
    const auto hosts = design.elements(ElementKind::Host);
    for (const core::Element *host : hosts)
        EXPECT_EQ(tree.rowCount(tree.indexForId(host->id)), int(design.children(host->id).size()));

    const int hostItems = int(std::ranges::count_if(window.scene()->items(), [](auto *item) {
        return item->type() == DesignScene::HostItemType;
    }));
    EXPECT_EQ(hostItems, int(hosts.size()));
    const QStringList labels = window.scene()->labels();
    for (const core::Element *nic : design.elements(ElementKind::PhysicalNic))
        EXPECT_TRUE(labels.contains(nic->name())) << nic->name().toStdString();
    const QString hostCount = hosts.size() == 1 ? QStringLiteral("1 host \u00b7")
                                                : QStringLiteral("%1 hosts").arg(hosts.size());
    EXPECT_TRUE(statusCounts(window).contains(hostCount)) << statusCounts(window).toStdString();
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleWindow, testing::ValuesIn(test::sampleKeys),
                         test::sampleTestName);

TEST_F(MainWindowTest, StartPageOpensEachSampleWithOneClick)
{
    MainWindow window;
    EXPECT_TRUE(window.isStartPageShown());
    EXPECT_EQ(window.windowTitle(), QStringLiteral("Converge"));
    // The four designs from the sources, then the deliberately broken one.
    std::vector<std::string> keys = test::sampleKeys;
    keys.push_back("broken-lab");
    ASSERT_EQ(MainWindow::samples().size(), qsizetype(keys.size()));
    for (const std::string &key : keys) {
        auto *button = window.findChild<QCommandLinkButton *>(QStringLiteral("sample-") +
                                                              QString::fromStdString(key));
        ASSERT_NE(button, nullptr) << key;
        EXPECT_FALSE(button->text().isEmpty());
        EXPECT_FALSE(button->description().isEmpty());
        window.closeDesign();
        button->click();
        EXPECT_FALSE(window.isStartPageShown()) << key;
        EXPECT_EQ(window.currentFile(), test::samplePath(key));
    }
    EXPECT_TRUE(window.recentFiles().isEmpty()) << "samples are not recent files";
}

TEST_F(MainWindowTest, ABrokenFileShowsTheErrorAndKeepsTheDesign)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(test::samplePath("smb-converged")));
    const core::Design *before = window.design();
    const QString title = window.windowTitle();
    const QString broken =
        writeSample(QStringLiteral("broken.converge.json"), [](QJsonObject &root) {
            QJsonArray hosts = root[QStringLiteral("hosts")].toArray();
            QJsonObject host = hosts[0].toObject();
            QJsonArray nics = host[QStringLiteral("nics")].toArray();
            QJsonObject nic = nics[0].toObject();
            nic[QStringLiteral("speed")] = QStringLiteral("fast");
            nics[0] = nic;
            host[QStringLiteral("nics")] = nics;
            hosts[0] = host;
            root[QStringLiteral("hosts")] = hosts;
        });
    QSignalSpy failed(&window, &MainWindow::openFailed);

    EXPECT_FALSE(window.openFile(broken));
    EXPECT_TRUE(window.lastError().contains(QStringLiteral("$.hosts[0].nics[0].speed")))
        << window.lastError().toStdString();
    ASSERT_EQ(failed.count(), 1);
    QMessageBox *box = errorBox(window);
    ASSERT_NE(box, nullptr);
    EXPECT_TRUE(box->isVisible());
    EXPECT_TRUE(box->informativeText().contains(QStringLiteral("$.hosts[0].nics[0].speed")));
    EXPECT_TRUE(box->text().contains(QStringLiteral("broken.converge.json")));
    EXPECT_EQ(window.design(), before);
    EXPECT_EQ(window.windowTitle(), title);
    EXPECT_EQ(window.treeModel()->rowCount(), test::topLevelKinds(*before));
    EXPECT_FALSE(window.recentFiles().contains(broken));
}

TEST_F(MainWindowTest, NotJsonOrMissingIsAnErrorToo)
{
    MainWindow window;
    const QString notJson = m_dir.filePath(QStringLiteral("notes.converge.json"));
    QFile file(notJson);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("{ \"schemaVersion\": 1, ");
    file.close();
    EXPECT_FALSE(window.openFile(notJson));
    EXPECT_FALSE(window.lastError().isEmpty());
    EXPECT_FALSE(window.openFile(m_dir.filePath(QStringLiteral("missing.converge.json"))));
    EXPECT_TRUE(window.lastError().contains(QStringLiteral("missing.converge.json")));
    EXPECT_TRUE(window.isStartPageShown());
    EXPECT_EQ(window.design(), nullptr);
}

TEST_F(MainWindowTest, TreeAndTitleFollowEditsMadeThroughCommands)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(test::samplePath("smb-converged")));
    core::Design &design = *window.design();
    auto rename = core::commands::setProperty(design, QStringLiteral("h2"), QStringLiteral("name"),
                                              QStringLiteral("HV02-new"));
    ASSERT_TRUE(rename && design.apply(*rename));
    EXPECT_EQ(window.treeModel()->indexForId(QStringLiteral("h2")).data().toString(),
              QStringLiteral("HV02-new"));
    auto retitle = core::commands::setDesignInfo(design, QStringLiteral("name"),
                                                 QStringLiteral("Lab network"));
    ASSERT_TRUE(retitle && design.apply(*retitle));
    EXPECT_TRUE(window.windowTitle().startsWith(QStringLiteral("Lab network")))
        << window.windowTitle().toStdString();
}

// Sends what a drag over the window and a drop send; returns whether each was accepted.
std::pair<bool, bool> dragAndDrop(QWidget &window, const QList<QUrl> &urls)
{
    QMimeData mime;
    mime.setUrls(urls);
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    enter.setAccepted(false);
    QCoreApplication::sendEvent(&window, &enter);
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    drop.setAccepted(false);
    QCoreApplication::sendEvent(&window, &drop);
    return {enter.isAccepted(), drop.isAccepted()};
}

TEST_F(MainWindowTest, DropAcceptsDesignFilesOnly)
{
    MainWindow window;
    using Urls = QList<QUrl>;
    auto file = [](const char *path) {
        return QUrl::fromLocalFile(QString::fromLatin1(path));
    };
    EXPECT_EQ(dragAndDrop(window, Urls{file("/nonexistent/design.json")}), std::pair(false, false));
    EXPECT_EQ(dragAndDrop(window, Urls{file("/nonexistent/notes.txt")}), std::pair(false, false));
    EXPECT_EQ(
        dragAndDrop(window, Urls{QUrl(QStringLiteral("https://example.com/x.converge.json"))}),
        std::pair(false, false));
    EXPECT_EQ(dragAndDrop(window, Urls{}), std::pair(false, false));
    EXPECT_EQ(window.design(), nullptr);
    EXPECT_FALSE(window.findChild<QMessageBox *>()) << "a refused drop opens nothing";

    QMimeData mixed;
    mixed.setUrls({file("/tmp/a.txt"), file("/tmp/B.CONVERGE.JSON")});
    EXPECT_EQ(MainWindow::designFileIn(&mixed), QStringLiteral("/tmp/B.CONVERGE.JSON"));

    const QString design = writeSample(QStringLiteral("dropped.converge.json"));
    EXPECT_EQ(dragAndDrop(window, Urls{QUrl::fromLocalFile(design)}), std::pair(true, true));
    ASSERT_NE(window.design(), nullptr) << window.lastError().toStdString();
    EXPECT_EQ(window.currentFile(), design);
    EXPECT_EQ(window.recentFiles().value(0), design);
}

TEST_F(MainWindowTest, RemembersRecentFiles)
{
    MainWindow window;
    QStringList opened;
    for (int i = 0; i < MainWindow::maxRecentFiles + 2; ++i) {
        opened.prepend(writeSample(QStringLiteral("d%1.converge.json").arg(i)));
        ASSERT_TRUE(window.openFile(opened.first()));
    }
    ASSERT_TRUE(window.openFile(opened[3]));
    const QStringList recent = window.recentFiles();
    EXPECT_EQ(recent.size(), MainWindow::maxRecentFiles);
    EXPECT_EQ(recent.first(), opened[3]) << "reopening moves a file to the top";
    EXPECT_EQ(recent.count(opened[3]), 1);
    EXPECT_FALSE(recent.contains(opened.last())) << "the oldest falls off";
    MainWindow next; // another window (or the next run) sees the same list
    EXPECT_EQ(next.recentFiles(), recent);
}

TEST_F(MainWindowTest, TreeSelectionAndDiagramClicksMeet)
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    ASSERT_TRUE(window.openSample(test::samplePath("smb-converged")));
    const QModelIndex nic = window.treeModel()->indexForId(QStringLiteral("h2.eth4"));
    window.treeView()->setCurrentIndex(nic);
    EXPECT_EQ(window.scene()->highlighted(), QStringLiteral("h2.eth4"));
    const QRectF shown =
        window.view()->mapToScene(window.view()->viewport()->rect()).boundingRect();
    EXPECT_TRUE(shown.contains(window.scene()->elementRect(QStringLiteral("h2.eth4"))));

    QGraphicsSceneMouseEvent press(QEvent::GraphicsSceneMousePress);
    press.setScenePos(window.scene()->elementRect(QStringLiteral("h1.vsSAN1")).center());
    press.setButton(Qt::LeftButton);
    press.setButtons(Qt::LeftButton);
    QCoreApplication::sendEvent(window.scene(), &press);
    EXPECT_EQ(window.treeModel()->idForIndex(window.treeView()->currentIndex()),
              QStringLiteral("h1.vsSAN1"));
    EXPECT_EQ(window.scene()->highlighted(), QStringLiteral("h1.vsSAN1"));
}

TEST_F(MainWindowTest, ZoomActionsStayWithinLimits)
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    ASSERT_TRUE(window.openSample(test::samplePath("smb-converged")));
    DesignView &view = *window.view();
    EXPECT_GE(view.zoom(), 0.75) << "the first view of a sample is readable";
    EXPECT_LE(view.zoom(), 1.0);
    for (int i = 0; i < 40; ++i)
        view.zoomIn();
    EXPECT_DOUBLE_EQ(view.zoom(), DesignView::maxZoom);
    view.fitToWindow();
    QCoreApplication::processEvents(); // scroll bars that are no longer needed go
    const QRectF shown = view.mapToScene(view.viewport()->rect()).boundingRect();
    EXPECT_TRUE(shown.adjusted(-1, -1, 1, 1).contains(window.scene()->sceneRect()))
        << "shown " << shown.width() << "x" << shown.height() << " scene "
        << window.scene()->sceneRect().width() << "x" << window.scene()->sceneRect().height()
        << " zoom " << view.zoom();
}

} // namespace
