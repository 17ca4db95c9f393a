#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/mainwindow.h"
#include "views/session/designsession.h"
#include "views/tree/designtreemodel.h"

#include <QApplication>
#include <QCommandLinkButton>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QGraphicsSceneMouseEvent>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
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

// The menus as text, one line per entry: text, shortcuts, enabled and checkable, the start of the
// status tip; submenus indented. What users (and saved habits) rely on, whoever builds the menus.
QStringList menuOutline(const QWidget *menu, const QString &indent = {})
{
    QStringList lines;
    for (const QAction *a : menu->actions()) {
        if (a->isSeparator()) {
            lines << indent + QStringLiteral("---");
            continue;
        }
        QStringList keys;
        for (const QKeySequence &key : a->shortcuts())
            keys << key.toString(QKeySequence::PortableText);
        const QString tip = a->statusTip().left(24).trimmed();
        lines << indent + QStringLiteral("%1 [%2]%3%4%5")
                              .arg(a->text(), keys.join(QStringLiteral(", ")),
                                   a->isEnabled() ? QString() : QStringLiteral(" off"),
                                   a->isCheckable() ? QStringLiteral(" checkable") : QString(),
                                   tip.isEmpty() ? QString() : QStringLiteral(" - ") + tip);
        if (a->menu())
            lines << menuOutline(a->menu(), indent + QStringLiteral("  "));
    }
    return lines;
}

// Each dock by object name (saved layouts are restored by it): title, area, tabs, geometry.
QStringList dockOutline(const MainWindow &window)
{
    QList<QDockWidget *> docks = window.findChildren<QDockWidget *>();
    std::ranges::sort(docks, {}, &QObject::objectName);
    QStringList lines;
    for (QDockWidget *dock : docks) {
        QStringList tabs;
        for (const QDockWidget *tab : window.tabifiedDockWidgets(dock))
            tabs << tab->objectName();
        const QRect r = dock->geometry();
        lines << QStringLiteral("%1 \"%2\" area %3%4 tabs [%5] %6 at %7,%8 %9x%10")
                     .arg(dock->objectName(), dock->windowTitle())
                     .arg(int(window.dockWidgetArea(dock)))
                     .arg(dock->isHidden() ? QStringLiteral(" hidden") : QString())
                     .arg(tabs.join(QLatin1Char(',')))
                     .arg(QLatin1String(dock->widget()->metaObject()->className()))
                     .arg(r.x())
                     .arg(r.y())
                     .arg(r.width())
                     .arg(r.height());
    }
    return lines;
}

// Without a design: the actions that need one are off (and on again once one is open).
constexpr const char *expectedOutline = R"(&File []
  &New [Ctrl+N]
  New from &Template []
    SMB basic: one NIC per traffic type, iSCSI isolated [] - The basic Hyper-V templa
    SMB converged: teamed LAN with QoS weights, iSCSI isolated [] - The converged Hyper-V te
    SMB high-performance iSCSI: SR-IOV for the guests' storage paths [] - The converged template w
    Multitenant overlay: Hyper-V Network Virtualization (NVGRE) [] - Two tenants on the same
    Broken lab: the rule catalog at work [] - A deliberately broken de
  ---
  &Open… [Ctrl+O]
  Open &Recent []
  &Samples []
    SMB basic: one NIC per traffic type, iSCSI isolated [] - The basic Hyper-V templa
    SMB converged: teamed LAN with QoS weights, iSCSI isolated [] - The converged Hyper-V te
    SMB high-performance iSCSI: SR-IOV for the guests' storage paths [] - The converged template w
    Multitenant overlay: Hyper-V Network Virtualization (NVGRE) [] - Two tenants on the same
    Broken lab: the rule catalog at work [] - A deliberately broken de
  ---
  &Save [Ctrl+S] off
  Save &As… [] off
  ---
  &Export Picture… [Ctrl+E] off - The diagram, or the sele
  Export &Bundle… [] off - A signed archive of per-
  &Print… [Ctrl+P] off
  ---
  &Close [Ctrl+F4] off
  ---
  &Quit []
&Edit []
  &Undo [Ctrl+Z] off
  &Redo [Ctrl+Y, Alt+Shift+Backspace, Ctrl+Shift+Z] off
  ---
  Cu&t [Ctrl+X] off
  &Copy [Ctrl+C] off
  &Paste [Ctrl+V] off
  D&uplicate [Ctrl+D] off - Add a copy of the select
  &Delete [Del] off
  ---
  Select &All [Ctrl+A] off
  &Arrange Automatically [Ctrl+Shift+L] off - Lay the diagram out agai
&Insert []
  &Host from Wizard… [Ctrl+Shift+H] off
  ---
  Host [] off - Adds one to the design
  Physical NIC [] off - Adds one to the selected
  Team [] off - Adds one to the selected
  Virtual switch [] off - Adds one to the selected
  VM [] off - Adds one to the selected
  vNIC [] off - Adds one to the selected
  Physical switch [] off - Adds one to the design
  Switch port [] off - Adds one to the selected
  VLAN [] off - Adds one to the design
  Subnet [] off - Adds one to the design
  VM network [] off - Adds one to the design
  Storage target [] off - Adds one to the design
  Mirror session [] off - Adds one to the design
  Resource pool [] off - Adds one to the design
  DHCP failover [] off - Adds one to the design
&View []
  &Fit to Window [Ctrl+0] off
  Zoom &In [Ctrl++, Ctrl+=] off
  Zoom &Out [Ctrl+-] off
  &Actual Size [Ctrl+1] off
  ---
  Validation: # errors, # warnings, # info [F8] checkable
  Elements [] checkable
  Palette [] checkable
  Inspector [] checkable
  Overview [] checkable
  Drift [] checkable
&Deploy []
  &Deploy… [Ctrl+Shift+D] off - Plan and deploy the desi
  &Fleet… [] off - The agents enrolled for
  &History… [] off - Deployments made from th
  ---
  Check D&rift [] off - Compare each host's runn
&Capture []
  &Open Capture File… [Ctrl+Shift+O] - Read a pcap or pcapng fi
  &Capture This vNIC… [Ctrl+Shift+C] off - Capture the selected vNI
&Help []
  &About Converge []
  About &Qt []
driftDock "Drift" area 8 hidden tabs [] converge::views::DriftPanel at -600,-530 100x30
elementsDock "Elements" area 1 tabs [] QTreeView at 0,19 220x284
inspectorDock "Inspector" area 2 tabs [] converge::views::Inspector at 990,19 290x628
overviewDock "Overview" area 1 tabs [] converge::views::OverviewMap at 0,457 220x190
paletteDock "Palette" area 1 tabs [] converge::views::PaletteWidget at 0,309 220x142
validationDock "Validation: # errors, # warnings, # info" area 8 tabs [driftDock] converge::views::ValidationPanel at 0,653 1280x125)";

// The counts in the validation dock's title are the rules' business (validationpanel_test).
QString outline(const MainWindow &window)
{
    static const QRegularExpression counts(QStringLiteral("\\d+ errors, \\d+ warnings, \\d+ info"));
    return (menuOutline(window.menuBar()) + dockOutline(window))
        .join(u'\n')
        .replace(counts, QStringLiteral("# errors, # warnings, # info"));
}

TEST_F(MainWindowTest, MenusAndDocksStayAsTheyAre)
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    const QString closed = outline(window);
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    window.session()->validateNow();
    QCoreApplication::processEvents();
    const QString open = outline(window);
    if (qEnvironmentVariableIsSet("CONVERGE_DUMP_OUTLINE")) {
        QFile out(qEnvironmentVariable("CONVERGE_DUMP_OUTLINE"));
        EXPECT_TRUE(out.open(QIODevice::WriteOnly));
        out.write(closed.toUtf8());
    }
    EXPECT_EQ(closed.toStdString(), std::string(expectedOutline));
    EXPECT_EQ(open.toStdString(),
              QString::fromUtf8(expectedOutline).remove(QStringLiteral(" off")).toStdString());
}

} // namespace
