// The designer end to end, driven through the real widgets: palette clicks, drags on the
// diagram, the inspector's fields and the Edit menu's Undo/Redo.
#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "views/designer/addhostdialog.h"
#include "views/designer/editactions.h"
#include "views/designer/palettewidget.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/inspector/inspector.h"
#include "views/mainwindow.h"
#include "views/session/autosave.h"
#include "views/session/designsession.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <QUrl>

namespace converge::views {
namespace {

using core::ElementKind;

class DesignerTest : public testing::Test
{
protected:
    void SetUp() override
    {
        QSettings().clear();
        ASSERT_TRUE(autosaves.isValid());
        window.offerRecovery(autosaves.path()); // nothing to offer; autosaves go there
        window.resize(1280, 800);
        window.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    }

    DesignSession &session() { return *window.session(); }

    void clickPalette(ElementKind kind)
    {
        PaletteWidget *palette = window.palette();
        QListWidgetItem *entry = palette->entryFor(kind);
        ASSERT_NE(entry, nullptr);
        palette->scrollToItem(entry);
        QTest::mouseClick(palette->viewport(), Qt::LeftButton, {},
                          palette->visualItemRect(entry).center());
        QApplication::processEvents(); // the scene rebuilds after the edit
    }

    // The point of the view's viewport where the diagram draws an element, scrolled into sight.
    QPoint onScreen(const QString &id)
    {
        QApplication::processEvents();
        const QRectF rect = window.scene()->elementRect(id);
        EXPECT_FALSE(rect.isNull()) << id.toStdString();
        window.view()->centerOn(rect.center());
        return window.view()->mapFromScene(rect.center());
    }

    void mouse(QEvent::Type type, QPoint at, Qt::MouseButtons buttons)
    {
        QWidget *port = window.view()->viewport();
        QMouseEvent event(type, at, port->mapToGlobal(at),
                          type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton, buttons, {});
        QApplication::sendEvent(port, &event);
    }

    void click(const QString &id)
    {
        QPoint at = onScreen(id);
        if (QGraphicsItem *box = window.scene()->itemFor(id);
            box && window.scene()->elementRect(id) == box->sceneBoundingRect()) {
            // A box (host, switch): its caption, not the middle, which shows its rows.
            const QPointF caption =
                box->mapToScene(box->boundingRect().topLeft() + QPointF(20, 50));
            window.view()->centerOn(caption);
            at = window.view()->mapFromScene(caption);
        }
        mouse(QEvent::MouseButtonPress, at, Qt::LeftButton);
        mouse(QEvent::MouseButtonRelease, at, Qt::NoButton);
        QApplication::processEvents();
    }

    // Drags from one element to another on the diagram, as a user connects them.
    void drag(const QString &from, const QString &to)
    {
        const QRectF a = window.scene()->elementRect(from);
        const QRectF b = window.scene()->elementRect(to);
        window.view()->centerOn((a.center() + b.center()) / 2);
        const QPoint start = window.view()->mapFromScene(a.center());
        const QPoint end = window.view()->mapFromScene(b.center());
        mouse(QEvent::MouseButtonPress, start, Qt::LeftButton);
        for (int step = 1; step <= 5; ++step)
            mouse(QEvent::MouseMove, start + (end - start) * step / 5, Qt::LeftButton);
        mouse(QEvent::MouseButtonRelease, end, Qt::NoButton);
        QApplication::processEvents();
    }

    QString only(ElementKind kind)
    {
        const auto all = session().design().elements(kind);
        EXPECT_EQ(all.size(), 1u);
        return all.empty() ? QString() : all.back()->id;
    }

    // The saved document with every (random) id replaced by its order of appearance, so two
    // runs compare equal.
    QString document()
    {
        const QString path = autosaves.filePath(QStringLiteral("out.converge.json"));
        EXPECT_TRUE(core::designdocument::saveFile(session().design(), path));
        QFile in(path);
        EXPECT_TRUE(in.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(in.readAll());
        static const QRegularExpression uuid(
            QStringLiteral("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
        QStringList seen;
        for (auto it = uuid.globalMatch(text); it.hasNext();) {
            const QString id = it.next().captured();
            if (!seen.contains(id))
                seen << id;
        }
        for (int i = 0; i < seen.size(); ++i)
            text.replace(seen[i], QStringLiteral("id-%1").arg(i + 1));
        return text;
    }

    QTemporaryDir autosaves;
    MainWindow window;
};

TEST_F(DesignerTest, BuildsAHostByDrawingAndUndoesAndRedoesItFully)
{
    window.newDesign();
    ASSERT_NE(window.session(), nullptr);
    const QString empty = document();

    clickPalette(ElementKind::Host);
    const QString host = only(ElementKind::Host);
    EXPECT_EQ(session().selection(), QStringList{host}) << "a new element is selected";
    clickPalette(ElementKind::PhysicalNic);
    clickPalette(ElementKind::PhysicalNic); // the NIC is selected: the next goes on its host
    const auto nics = session().design().children(host, ElementKind::PhysicalNic);
    ASSERT_EQ(nics.size(), 2u);
    EXPECT_EQ(nics[0]->name(), QStringLiteral("eth1"));
    EXPECT_EQ(nics[1]->name(), QStringLiteral("eth2"));

    click(host);
    clickPalette(ElementKind::Team);
    const QString team = only(ElementKind::Team);
    drag(nics[0]->id, team);
    drag(nics[1]->id, team);
    EXPECT_EQ(session().design().find(team)->value(QStringLiteral("members")).toArray().size(), 2)
        << "dragging a NIC onto a team makes it a member";

    click(host);
    clickPalette(ElementKind::VirtualSwitch);
    const QString vswitch = only(ElementKind::VirtualSwitch);
    drag(team, vswitch);
    EXPECT_EQ(session().design().find(vswitch)->value(QStringLiteral("uplink")).toString(), team);
    EXPECT_EQ(session().design().find(vswitch)->value(QStringLiteral("type")).toString(),
              QStringLiteral("External"));

    click(host);
    clickPalette(ElementKind::VirtualMachine);
    clickPalette(ElementKind::VirtualNic); // the VM is selected: the vNIC goes on it
    const QString vnic = only(ElementKind::VirtualNic);
    EXPECT_EQ(session().design().find(vnic)->parent, only(ElementKind::VirtualMachine));
    drag(vnic, vswitch);
    EXPECT_EQ(session().design().find(vnic)->value(QStringLiteral("switch")).toString(), vswitch);

    // The VLAN, in the inspector.
    click(vnic);
    ASSERT_EQ(window.inspector()->shownIds(), QStringList{vnic});
    auto *mode = window.inspector()->findChild<QComboBox *>(QStringLiteral("prop_vlanMode"));
    ASSERT_NE(mode, nullptr);
    mode->setCurrentIndex(mode->findText(QStringLiteral("Access")));
    QApplication::processEvents();
    auto *vlan = window.inspector()->findChild<QSpinBox *>(QStringLiteral("prop_accessVlan"));
    ASSERT_NE(vlan, nullptr);
    vlan->setFocus();
    vlan->selectAll();
    QTest::keyClicks(vlan, QStringLiteral("10"));
    QTest::keyClick(vlan, Qt::Key_Return);
    QApplication::processEvents();
    EXPECT_EQ(session().design().find(vnic)->value(QStringLiteral("accessVlan")).toInt(), 10);
    EXPECT_EQ(window.scene()->labels().contains(QStringLiteral("vNIC 1")), true);

    // The result, compared with the expected document (ids numbered in order).
    const QString built = document();
    QFile expected(QStringLiteral(CONVERGE_SOURCE_DIR "/tests/views/data/designer-expected.json"));
    if (qEnvironmentVariableIsSet("CONVERGE_UPDATE_GOLDEN")) { // after checking the diff by eye
        ASSERT_TRUE(expected.open(QIODevice::WriteOnly | QIODevice::Truncate));
        expected.write(built.toUtf8());
        expected.close();
    }
    ASSERT_TRUE(expected.open(QIODevice::ReadOnly))
        << "missing tests/views/data/designer-expected.json";
    EXPECT_EQ(built, QString::fromUtf8(expected.readAll()));

    // Edit > Undo until nothing is left, then Edit > Redo until it is all back.
    EditActions *edit = window.editActions();
    const int steps = session().undoStack()->count();
    EXPECT_GE(steps, 13);
    int undone = 0;
    while (edit->undo->isEnabled() && undone < 100) {
        edit->undo->trigger();
        ++undone;
    }
    QApplication::processEvents();
    EXPECT_EQ(undone, steps);
    EXPECT_EQ(document(), empty);
    EXPECT_EQ(session().design().size(), 0u);
    int redone = 0;
    while (edit->redo->isEnabled() && redone < 100) {
        edit->redo->trigger();
        ++redone;
    }
    QApplication::processEvents();
    EXPECT_EQ(redone, steps);
    EXPECT_EQ(document(), built);
}

TEST_F(DesignerTest, DraggingAHostSavesItsSnappedPositionAsOneUndoStep)
{
    ASSERT_TRUE(window.openSample(test::samplePath("smb-basic")));
    const QString host = session().design().elements(ElementKind::Host).front()->id;
    QGraphicsItem *box = window.scene()->itemFor(host);
    ASSERT_NE(box, nullptr);
    const QPointF before = box->pos();
    // Grab the box by its caption (top left corner) and move it 103 x 47 units at 100 %.
    window.view()->resetZoom();
    const QPointF grip = box->mapToScene(box->boundingRect().topLeft() + QPointF(14, 14));
    window.view()->centerOn(grip);
    const QPoint start = window.view()->mapFromScene(grip);
    const QPoint end = start + QPoint(103, 47);
    mouse(QEvent::MouseButtonPress, start, Qt::LeftButton);
    mouse(QEvent::MouseMove, start + QPoint(20, 10), Qt::LeftButton);
    mouse(QEvent::MouseMove, end, Qt::LeftButton);
    mouse(QEvent::MouseButtonRelease, end, Qt::NoButton);
    QApplication::processEvents();
    const QJsonArray position =
        session().design().find(host)->value(QStringLiteral("position")).toArray();
    ASSERT_EQ(position.size(), 2);
    EXPECT_EQ(position[0].toDouble(), std::round((before.x() + 103) / 10) * 10);
    EXPECT_EQ(position[1].toDouble(), std::round((before.y() + 47) / 10) * 10);
    EXPECT_EQ(session().undoStack()->count(), 1);
    window.editActions()->undo->trigger();
    QApplication::processEvents();
    EXPECT_FALSE(session().design().find(host)->props.contains(QStringLiteral("position")));
    EXPECT_EQ(window.scene()->itemFor(host)->pos(), before) << "back to the automatic layout";
}

TEST_F(DesignerTest, PaletteSaysWhatToSelectWhenAKindNeedsAnOwner)
{
    window.newDesign();
    clickPalette(ElementKind::PhysicalNic);
    EXPECT_EQ(session().design().size(), 0u);
    EXPECT_EQ(session().undoStack()->count(), 0);
}

TEST_F(DesignerTest, DuplicateHostAndDeleteAreUndoSteps)
{
    ASSERT_TRUE(window.openSample(test::samplePath("smb-converged")));
    const auto hosts = session().design().elements(ElementKind::Host);
    const std::size_t size = session().design().size();
    click(hosts.front()->id);
    ASSERT_EQ(session().selection(), QStringList{hosts.front()->id});
    ASSERT_TRUE(window.editActions()->duplicate->isEnabled());
    window.editActions()->duplicate->trigger();
    QApplication::processEvents();
    ASSERT_EQ(session().design().count(ElementKind::Host), hosts.size() + 1);
    const QString copy = session().selection().value(0);
    EXPECT_EQ(session().design().find(copy)->name(),
              hosts.front()->name() + QStringLiteral(" (2)"));
    EXPECT_NE(window.scene()->itemFor(copy), nullptr) << "the copy is drawn";
    window.editActions()->remove->trigger();
    QApplication::processEvents();
    EXPECT_EQ(session().design().size(), size);
    window.editActions()->undo->trigger();
    window.editActions()->undo->trigger();
    QApplication::processEvents();
    EXPECT_EQ(session().design().size(), size);
    EXPECT_EQ(session().undoStack()->index(), 0);
}

} // namespace
} // namespace converge::views

namespace converge::views {
namespace {

// Sends what dragging `mime` over the diagram's viewport and dropping it at `at` sends.
bool dropOnDiagram(MainWindow &window, QMimeData *mime, QPoint at)
{
    QWidget *port = window.view()->viewport();
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, {});
    QApplication::sendEvent(port, &enter);
    QDragMoveEvent move(at, Qt::CopyAction, mime, Qt::LeftButton, {});
    QApplication::sendEvent(port, &move);
    QDropEvent drop(QPointF(at), Qt::CopyAction, mime, Qt::LeftButton, {});
    QApplication::sendEvent(port, &drop);
    QApplication::processEvents();
    return drop.isAccepted();
}

TEST_F(DesignerTest, PaletteKindsDropOntoTheDiagramWhereTheyBelong)
{
    window.newDesign();
    // A host dropped on empty space lands there, snapped to the grid.
    const QPoint empty(200, 150);
    const QPointF scenePos = window.view()->mapToScene(empty);
    std::unique_ptr<QMimeData> host(PaletteWidget::dragData(ElementKind::Host));
    EXPECT_TRUE(dropOnDiagram(window, host.get(), empty));
    const QString id = only(ElementKind::Host);
    const QJsonArray position =
        session().design().find(id)->value(QStringLiteral("position")).toArray();
    ASSERT_EQ(position.size(), 2);
    EXPECT_EQ(position[0].toDouble(), std::round(scenePos.x() / 10) * 10);
    EXPECT_EQ(position[1].toDouble(), std::round(scenePos.y() / 10) * 10);

    // A NIC dropped on the host goes into it; dropped beside it, nowhere.
    std::unique_ptr<QMimeData> nic(PaletteWidget::dragData(ElementKind::PhysicalNic));
    EXPECT_TRUE(dropOnDiagram(window, nic.get(), onScreen(id)));
    EXPECT_EQ(session().design().children(id, ElementKind::PhysicalNic).size(), 1u);
    const QRectF box = window.scene()->elementRect(id);
    window.view()->centerOn(box.center());
    const QPoint beside = window.view()->mapFromScene(box.bottomRight() + QPointF(60, 60));
    dropOnDiagram(window, nic.get(), beside);
    EXPECT_EQ(session().design().count(ElementKind::PhysicalNic), 1u);
    EXPECT_EQ(session().undoStack()->count(), 2) << "one undo step per drop, none for the refusal";
}

TEST_F(DesignerTest, ADesignFileDroppedOnTheDiagramStillOpens)
{
    ASSERT_TRUE(window.openSample(test::samplePath("smb-basic")));
    const QString path = autosaves.filePath(QStringLiteral("other.converge.json"));
    auto other = test::loadSample("smb-converged");
    ASSERT_TRUE(other && core::designdocument::saveFile(*other, path));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    dropOnDiagram(window, &mime, QPoint(100, 100));
    EXPECT_EQ(window.currentFile(), path);
}

} // namespace
} // namespace converge::views

namespace converge::views {
namespace {

TEST_F(DesignerTest, AfterACrashTheNextStartOffersTheUnsavedWorkBack)
{
    // A session edits a design, its autosave is written, and the program dies before a save.
    std::size_t size = 0;
    {
        MainWindow crashed;
        crashed.offerRecovery(autosaves.path()); // its autosaves go there
        ASSERT_TRUE(crashed.openSample(test::samplePath("smb-basic")));
        DesignSession &s = *crashed.session();
        ASSERT_TRUE(s.apply(core::commands::setDesignInfo(s.design(), QStringLiteral("name"),
                                                          QStringLiteral("Lab before the crash"))));
        size = s.design().size();
        crashed.autosave()->abandon(); // writes what is pending, then stops as a crash would
    }

    MainWindow next;
    next.offerRecovery(autosaves.path());
    auto *box = next.findChild<QMessageBox *>(QStringLiteral("recoveryBox"));
    ASSERT_NE(box, nullptr) << "the next start asks";
    EXPECT_TRUE(box->text().contains(QStringLiteral("Lab before the crash")));
    box->button(QMessageBox::Yes)->click();
    QApplication::processEvents();
    ASSERT_NE(next.design(), nullptr);
    EXPECT_EQ(next.design()->info().value(QStringLiteral("name")).toString(),
              QStringLiteral("Lab before the crash"));
    EXPECT_EQ(next.design()->size(), size);
    EXPECT_TRUE(next.isModified()) << "restored work still needs saving";
    EXPECT_TRUE(Autosave::recoverable(autosaves.path()).isEmpty()) << "offered once";
}

TEST_F(DesignerTest, TheAddHostWizardBuildsTheTemplateHostAndRefusesImpossiblePlans)
{
    ASSERT_TRUE(window.openSample(test::samplePath("smb-converged")));
    AddHostDialog dialog(session().design(), &window);
    auto *nics = dialog.findChild<QSpinBox *>(QStringLiteral("nics"));
    auto *iscsi = dialog.findChild<QComboBox *>(QStringLiteral("iscsi"));
    ASSERT_TRUE(nics && iscsi);
    QPushButton *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    EXPECT_TRUE(ok->isEnabled()) << "the defaults (4 NICs, iSCSI on 2 of them) can be built";
    nics->setValue(2);
    EXPECT_FALSE(ok->isEnabled()) << "2 NICs cannot carry LAN plus two iSCSI paths";
    nics->setValue(4);
    ASSERT_TRUE(ok->isEnabled());
    auto edit = dialog.edit();
    ASSERT_TRUE(edit);
    ASSERT_TRUE(session().apply(edit));
    QApplication::processEvents();
    const QString host = edit->ops.front().element.id;
    EXPECT_EQ(session().design().children(host, ElementKind::PhysicalNic).size(), 4u);
    EXPECT_EQ(session().design().children(host, ElementKind::Team).size(), 1u);
    EXPECT_EQ(session().design().children(host, ElementKind::VirtualSwitch).size(), 3u)
        << "the LAN switch and one switch per iSCSI path";
    for (const core::Finding &f : session().findings())
        EXPECT_NE(f.severity, core::Severity::Error)
            << f.ruleId.toStdString() << ": " << f.message.toStdString();
    EXPECT_NE(window.scene()->itemFor(host), nullptr) << "drawn";
}

} // namespace
} // namespace converge::views

#include "generator/designgenerator.h"

namespace converge::views {
namespace {

TEST_F(DesignerTest, ABigDesignIsDrawnFirstAndValidatedRightAfter)
{
    const QString path = autosaves.filePath(QStringLiteral("big.converge.json"));
    const core::Design big = bench::generateDesign(100);
    ASSERT_GE(big.size(), DesignSession::deferValidationFrom);
    ASSERT_TRUE(core::designdocument::saveFile(big, path));
    ASSERT_TRUE(window.openFile(path));
    EXPECT_FALSE(session().isValidated()) << "not before the first paint";
    QElapsedTimer waited;
    waited.start();
    while (!session().isValidated() && waited.elapsed() < 5000)
        QTest::qWait(10);
    ASSERT_TRUE(session().isValidated()) << "right after it was drawn";
    EXPECT_EQ(session().findings().size(), 0u) << "the generated design is clean";
}

} // namespace
} // namespace converge::views

namespace converge::views {
namespace {

TEST_F(DesignerTest, EscapeCancelsAMoveAndAConnection)
{
    ASSERT_TRUE(window.openSample(test::samplePath("smb-converged")));
    const QString host = QStringLiteral("h1");
    QGraphicsItem *box = window.scene()->itemFor(host);
    const QPointF before = box->pos();
    window.view()->resetZoom();
    const QPointF grip = box->mapToScene(box->boundingRect().topLeft() + QPointF(14, 14));
    window.view()->centerOn(grip);
    const QPoint start = window.view()->mapFromScene(grip);
    mouse(QEvent::MouseButtonPress, start, Qt::LeftButton);
    mouse(QEvent::MouseMove, start + QPoint(60, 40), Qt::LeftButton);
    EXPECT_NE(box->pos(), before) << "the box follows the mouse";
    QTest::keyClick(window.view()->viewport(), Qt::Key_Escape);
    EXPECT_EQ(box->pos(), before);
    mouse(QEvent::MouseButtonRelease, start + QPoint(60, 40), Qt::NoButton);
    QApplication::processEvents();
    EXPECT_EQ(session().undoStack()->count(), 0) << "nothing changed";
    EXPECT_FALSE(session().design().find(host)->props.contains(QStringLiteral("position")));
}

} // namespace
} // namespace converge::views
