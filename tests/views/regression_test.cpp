// Defects a review of the designer found (wheel edits, stray deletes, lost selections, unsaved
// typing, recovery, incremental drawing...), each pinned by the behaviour a user expects.
#include "viewstestsupport.h"

#include "core/model/clipboard.h"
#include "core/model/commands.h"
#include "views/designer/editactions.h"
#include "views/designer/palettewidget.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/inspector/inspector.h"
#include "views/mainwindow.h"
#include "views/session/autosave.h"
#include "views/session/designsession.h"
#include "views/tree/designtreemodel.h"
#include "views/validation/validationpanel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QJsonArray>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QProxyStyle>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>
#include <QUndoStack>
#include <QWheelEvent>

#include <iostream>

namespace converge::views {
namespace {

using core::ElementKind;
namespace commands = core::commands;

class RegressionTest : public testing::Test
{
protected:
    void SetUp() override
    {
        QSettings().clear();
        ASSERT_TRUE(dir.isValid());
        window.offerRecovery(dir.path()); // nothing to offer; autosaves go there
        window.resize(1280, 800);
        window.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    }
    void TearDown() override
    {
        for (QWidget *w : QApplication::topLevelWidgets())
            if (auto *box = qobject_cast<QMessageBox *>(w))
                box->close();
    }

    DesignSession &session() { return *window.session(); }

    // A sample copied to a real file (so Save writes there without a dialog) and opened.
    void openCopy(const std::string &key)
    {
        auto design = test::loadSample(key);
        ASSERT_TRUE(design);
        path = dir.filePath(QStringLiteral("copy.converge.json"));
        ASSERT_TRUE(core::designdocument::saveFile(*design, path));
        ASSERT_TRUE(window.openFile(path));
        QApplication::processEvents();
    }

    void activate()
    {
        window.activateWindow();
        ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
    }

    void mouse(QEvent::Type type, QPoint at, Qt::MouseButtons buttons)
    {
        QWidget *port = window.view()->viewport();
        QMouseEvent event(type, at, port->mapToGlobal(at),
                          type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton, buttons, {});
        QApplication::sendEvent(port, &event);
    }

    // A viewport point showing `scenePos`, scrolled into sight.
    QPoint onScreen(QPointF scenePos)
    {
        window.view()->centerOn(scenePos);
        return window.view()->mapFromScene(scenePos);
    }

    // Drags a rubber band with the mouse from the empty space left of a box into it.
    void rubberBandOver(const QString &box)
    {
        window.view()->resetZoom();
        const QRectF r = window.scene()->itemFor(box)->sceneBoundingRect();
        const QPoint start = onScreen(QPointF(r.left() - 12, r.center().y()));
        ASSERT_TRUE(window.scene()->elementAt(window.view()->mapToScene(start)).isEmpty());
        const QPoint end = window.view()->mapFromScene(QPointF(r.left() + 40, r.center().y() + 8));
        mouse(QEvent::MouseButtonPress, start, Qt::LeftButton);
        for (int step = 1; step <= 4; ++step)
            mouse(QEvent::MouseMove, start + (end - start) * step / 4, Qt::LeftButton);
        mouse(QEvent::MouseButtonRelease, end, Qt::NoButton);
        QApplication::processEvents();
    }

    void clickAt(QPoint at)
    {
        mouse(QEvent::MouseButtonPress, at, Qt::LeftButton);
        mouse(QEvent::MouseButtonRelease, at, Qt::NoButton);
        QApplication::processEvents();
    }

    static void wheel(QWidget *widget, int delta)
    {
        const QPointF at = QRectF(widget->rect()).center();
        QWheelEvent event(at, widget->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(widget, &event);
        QApplication::processEvents();
    }

    QTemporaryDir dir;
    QString path;
    MainWindow window;
};

// ---- 1. Crash recovery leaves the recovered work unprotected ----

TEST_F(RegressionTest, RecoveredWorkSurvivesASecondCrashBeforeTheNextEdit)
{
    {
        MainWindow crashed;
        crashed.offerRecovery(dir.path());
        ASSERT_TRUE(crashed.openSample(test::samplePath("smb-basic")));
        DesignSession &s = *crashed.session();
        ASSERT_TRUE(s.apply(commands::setDesignInfo(s.design(), QStringLiteral("name"),
                                                    QStringLiteral("Work before the crash"))));
        crashed.autosave()->abandon();
        crashed.autosave()->waitForIdle();
    }
    MainWindow next;
    next.offerRecovery(dir.path());
    auto *box = next.findChild<QMessageBox *>(QStringLiteral("recoveryBox"));
    ASSERT_NE(box, nullptr);
    box->button(QMessageBox::Yes)->click();
    QApplication::processEvents();
    ASSERT_NE(next.design(), nullptr);
    ASSERT_TRUE(next.isModified());
    // The program dies again before the user changes anything.
    next.autosave()->abandon();
    next.autosave()->waitForIdle();
    const auto left = Autosave::recoverable(dir.path());
    EXPECT_EQ(left.size(), 1)
        << "the old autosave was discarded at once and the restored design is not autosaved "
           "until its next edit: a second crash loses the recovered work";
}

// ---- 2. Qt's rubber-band selection fights the session's selection on every rebuild ----

TEST_F(RegressionTest, AnEditAfterARubberBandKeepsWhatIsSelected)
{
    openCopy("smb-converged");
    rubberBandOver(QStringLiteral("h1")); // with the mouse, from empty space left of the box
    ASSERT_EQ(session().selection(), QStringList{QStringLiteral("h1")});
    // Then the user picks a NIC of that host in the tree and renames it in the inspector.
    window.treeView()->setCurrentIndex(window.treeModel()->indexForId(QStringLiteral("h1.eth1")));
    ASSERT_EQ(session().selection(), QStringList{QStringLiteral("h1.eth1")});
    ASSERT_TRUE(
        session().apply(commands::setProperty(session().design(), QStringLiteral("h1.eth1"),
                                              QStringLiteral("name"), QStringLiteral("renamed"))));
    QApplication::processEvents(); // the scene rebuilds h1's box
    EXPECT_EQ(session().selection(), QStringList{QStringLiteral("h1.eth1")})
        << "removing the still Qt-selected old box emits QGraphicsScene::selectionChanged; "
           "onQtSelectionChanged turns that into a new (empty) session selection";
    EXPECT_EQ(window.inspector()->shownIds(), QStringList{QStringLiteral("h1.eth1")});
}

TEST_F(RegressionTest, APaletteAddAfterARubberBandKeepsTheNewElementSelected)
{
    openCopy("smb-converged");
    rubberBandOver(QStringLiteral("h1"));
    ASSERT_EQ(session().selection(), QStringList{QStringLiteral("h1")});
    ASSERT_TRUE(window.editActions()->addElement(ElementKind::VirtualMachine));
    const QStringList added = session().selection();
    ASSERT_EQ(added.size(), 1);
    QApplication::processEvents();
    EXPECT_EQ(session().selection(), added) << "the new VM is deselected by the rebuild";
}

// ---- 3. Delete outside the diagram and the tree deletes design elements ----

TEST_F(RegressionTest, DeleteOnAnInspectorComboDoesNotDeleteTheElement)
{
    openCopy("smb-basic");
    activate();
    const QString vnic = QStringLiteral("h1.vm1.lan");
    session().setSelection({vnic});
    QApplication::processEvents();
    auto *mode = window.inspector()->findChild<QComboBox *>(QStringLiteral("prop_vlanMode"));
    ASSERT_NE(mode, nullptr);
    mode->setFocus();
    QApplication::processEvents();
    ASSERT_EQ(QApplication::focusWidget(), mode);
    QTest::keyClick(mode, Qt::Key_Delete);
    QApplication::processEvents();
    EXPECT_NE(session().design().find(vnic), nullptr)
        << "Edit > Delete is also on the main window with WidgetWithChildrenShortcut, so it "
           "fires in every dock";
}

TEST_F(RegressionTest, DeleteInTheValidationPanelDoesNotDeleteTheElement)
{
    openCopy("smb-basic");
    activate();
    session().setSelection({QStringLiteral("h1.vm2")});
    QApplication::processEvents();
    window.validationPanel()->view()->setFocus();
    QApplication::processEvents();
    QTest::keyClick(window.validationPanel()->view(), Qt::Key_Delete);
    QApplication::processEvents();
    EXPECT_NE(session().design().find(QStringLiteral("h1.vm2")), nullptr);
}

// ---- 4. Deleting selects the tree neighbour, so a second Delete removes another element ----

TEST_F(RegressionTest, DeletingAnElementDoesNotSelectItsNeighbour)
{
    openCopy("smb-basic");
    session().setSelection({QStringLiteral("h1.vm2")});
    QApplication::processEvents();
    ASSERT_TRUE(window.editActions()->removeSelection());
    QApplication::processEvents();
    EXPECT_TRUE(session().selection().isEmpty())
        << "the tree's current row moved to a neighbour and showSelectedInDiagram selected it: "
        << session().selection().join(QLatin1Char(',')).toStdString();
    const std::size_t vms = session().design().count(ElementKind::VirtualMachine);
    window.editActions()->removeSelection(); // Delete pressed twice (or auto-repeated)
    QApplication::processEvents();
    EXPECT_EQ(session().design().count(ElementKind::VirtualMachine), vms)
        << "the second Delete removed a VM the user never selected";
}

// ---- 5. The mouse wheel edits the design through the inspector ----

TEST_F(RegressionTest, WheelOverAnInspectorComboDoesNotEditTheDesign)
{
    openCopy("smb-basic");
    const QString vnic = QStringLiteral("h1.vm1.lan");
    session().setSelection({vnic});
    QApplication::processEvents();
    auto *mode = window.inspector()->findChild<QComboBox *>(QStringLiteral("prop_vlanMode"));
    ASSERT_NE(mode, nullptr);
    ASSERT_FALSE(mode->hasFocus());
    const QJsonValue before = session().design().find(vnic)->value(QStringLiteral("vlanMode"));
    wheel(mode, -120); // scrolling the inspector with the pointer over the combo
    EXPECT_EQ(session().undoStack()->count(), 0) << "a wheel step wrote an undo step";
    EXPECT_EQ(session().design().find(vnic)->value(QStringLiteral("vlanMode")), before);
}

TEST_F(RegressionTest, WheelOverAnInspectorSpinBoxDoesNotChangeWhatItShows)
{
    openCopy("smb-basic");
    session().setSelection({QStringLiteral("h1.eth1")});
    QApplication::processEvents();
    auto *mtu = window.inspector()->findChild<QSpinBox *>(QStringLiteral("prop_mtu"));
    ASSERT_NE(mtu, nullptr);
    ASSERT_EQ(mtu->value(), 1500);
    wheel(mtu, 120);
    EXPECT_EQ(mtu->value(), 1500) << "the field shows a value the design does not hold";
    // Later the user clicks into the field and leaves it: the accidental value is written.
    mtu->setFocus();
    window.treeView()->setFocus();
    QApplication::processEvents();
    EXPECT_EQ(session().design().find(QStringLiteral("h1.eth1"))->value(QStringLiteral("mtu")),
              1500);
}

// ---- 6. Tree and validation panel clicks that select nothing ----

TEST_F(RegressionTest, ClickingAnotherMemberOfAMultiSelectionInTheTreeSelectsOnlyIt)
{
    openCopy("smb-converged");
    session().setSelection({QStringLiteral("h1"), QStringLiteral("h2")});
    QApplication::processEvents();
    window.treeView()->setCurrentIndex(window.treeModel()->indexForId(QStringLiteral("h2")));
    QApplication::processEvents();
    EXPECT_EQ(session().selection(), QStringList{QStringLiteral("h2")});
}

TEST_F(RegressionTest, ClickingTheCurrentTreeRowAfterTheSelectionWasClearedSelectsItAgain)
{
    openCopy("smb-converged");
    session().setSelection({QStringLiteral("h1.eth2")});
    QApplication::processEvents();
    session().setSelection({});
    QApplication::processEvents();
    QTreeView *tree = window.treeView();
    const QModelIndex row = window.treeModel()->indexForId(QStringLiteral("h1.eth2"));
    tree->scrollTo(row);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualRect(row).center());
    QApplication::processEvents();
    EXPECT_EQ(session().selection(), QStringList{QStringLiteral("h1.eth2")});
}

TEST_F(RegressionTest, ClickingTheCurrentFindingAgainSelectsItsElements)
{
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    QApplication::processEvents();
    ValidationPanel *panel = window.validationPanel();
    const QModelIndex finding = panel->model()->firstNaming(QStringLiteral("lab.team"));
    ASSERT_TRUE(finding.isValid());
    panel->view()->setCurrentIndex(finding);
    const QStringList elements = panel->model()->findingAt(finding)->elements;
    ASSERT_EQ(session().selection(), elements);
    // The user clicks something without findings, then the same finding again.
    QString clean;
    for (const core::Element *e : session().design().elements(ElementKind::PhysicalSwitch))
        if (session().findingsFor(e->id).empty())
            clean = e->id;
    ASSERT_FALSE(clean.isEmpty());
    session().setSelection({clean});
    QApplication::processEvents();
    panel->view()->scrollTo(finding);
    QTest::mouseClick(panel->view()->viewport(), Qt::LeftButton, {},
                      panel->view()->visualRect(finding).center());
    QApplication::processEvents();
    EXPECT_EQ(session().selection(), elements)
        << "the finding is still the panel's current row, so no currentChanged, no selection";
}

// ---- 7. Clicking empty diagram space does not deselect ----

TEST_F(RegressionTest, ClickingEmptyDiagramSpaceClearsTheSelection)
{
    openCopy("smb-converged");
    session().setSelection({QStringLiteral("h1.eth1")});
    QApplication::processEvents();
    const QRectF all = window.scene()->sceneRect();
    const QPoint empty = onScreen(all.topLeft() + QPointF(8, 8)); // the scene's margin
    ASSERT_TRUE(window.scene()->elementAt(window.view()->mapToScene(empty)).isEmpty());
    clickAt(empty);
    EXPECT_TRUE(session().selection().isEmpty())
        << "the view's rubber band clears only Qt's (empty) selection, which emits nothing";
}

// ---- 8. Space released outside the diagram leaves it panning ----

TEST_F(RegressionTest, SpaceReleasedElsewhereDoesNotLeaveTheDiagramPanning)
{
    openCopy("smb-converged");
    activate();
    DesignView *view = window.view();
    view->setFocus();
    QApplication::processEvents();
    QTest::keyPress(view, Qt::Key_Space);
    window.treeView()->setFocus(); // e.g. a click in the tree while Space is held
    QApplication::processEvents();
    QTest::keyRelease(window.treeView(), Qt::Key_Space);
    session().setSelection({});
    const QRectF nic = window.scene()->elementRect(QStringLiteral("h1.eth1"));
    clickAt(onScreen(nic.center()));
    EXPECT_EQ(session().selection(), QStringList{QStringLiteral("h1.eth1")})
        << "DesignView::m_space stays set: every left press pans instead of selecting";
}

// ---- 9. Save does not take what is being typed in the inspector ----

TEST_F(RegressionTest, SaveWritesTheValueBeingTypedInTheInspector)
{
    openCopy("smb-basic");
    session().setSelection({QStringLiteral("h1")});
    QApplication::processEvents();
    auto *name = window.inspector()->findChild<QLineEdit *>(QStringLiteral("prop_name"));
    ASSERT_NE(name, nullptr);
    name->setFocus();
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("HV99"));
    EXPECT_TRUE(window.isModified()) << "closing now would not ask, and lose HV99";
    ASSERT_TRUE(name->hasFocus());
    ASSERT_TRUE(window.save()); // Ctrl+S: the field keeps the focus
    QFile saved(path);
    ASSERT_TRUE(saved.open(QIODevice::ReadOnly));
    EXPECT_TRUE(saved.readAll().contains("HV99"));
}

// ---- 10. Incremental diagram update differs from a rebuild ----

void applyOk(core::Design &design, const core::Result<core::Edit> &edit)
{
    ASSERT_TRUE(edit) << edit.error().message.toStdString();
    ASSERT_TRUE(design.apply(*edit));
}

TEST(RegressionScene, RemovingAnUncabledNicMovesSwitchesAsARebuildWould)
{
    // Two switches pulled to the same average x by the NICs cabled to them; removing an
    // uncabled NIC between two cabled ones on h1 moves one cable end left and breaks the tie.
    core::Design design;
    const auto nicProps = [](const char *name) {
        return QJsonObject{{QStringLiteral("name"), QLatin1String(name)},
                           {QStringLiteral("interfaceName"), QLatin1String(name)}};
    };
    const auto hostProps = [](const char *name) {
        return QJsonObject{{QStringLiteral("name"), QLatin1String(name)},
                           {QStringLiteral("platform"), QStringLiteral("hyperv")}};
    };
    const auto named = [](const char *name) {
        return QJsonObject{{QStringLiteral("name"), QLatin1String(name)}};
    };
    const auto link = [](const char *a, const char *b) {
        return QJsonObject{
            {QStringLiteral("name"), QLatin1String(a) + QLatin1Char('-') + QLatin1String(b)},
            {QStringLiteral("a"), QLatin1String(a)},
            {QStringLiteral("b"), QLatin1String(b)}};
    };
    applyOk(design, commands::addElement(design, ElementKind::PhysicalSwitch, {}, named("A"),
                                         QStringLiteral("A")));
    applyOk(design, commands::addElement(design, ElementKind::PhysicalSwitch, {}, named("B"),
                                         QStringLiteral("B")));
    for (const char *port : {"A.p1", "A.p2"})
        applyOk(design, commands::addElement(design, ElementKind::SwitchPort, QStringLiteral("A"),
                                             named(port), QLatin1String(port)));
    for (const char *port : {"B.p1", "B.p2"})
        applyOk(design, commands::addElement(design, ElementKind::SwitchPort, QStringLiteral("B"),
                                             named(port), QLatin1String(port)));
    applyOk(design, commands::addElement(design, ElementKind::Host, {}, hostProps("h1"),
                                         QStringLiteral("h1")));
    applyOk(design, commands::addElement(design, ElementKind::Host, {}, hostProps("h2"),
                                         QStringLiteral("h2")));
    for (const char *nic : {"h1.a", "h1.u", "h1.b"})
        applyOk(design, commands::addElement(design, ElementKind::PhysicalNic, QStringLiteral("h1"),
                                             nicProps(nic + 3), QLatin1String(nic)));
    for (const char *nic : {"h2.b", "h2.x", "h2.a"})
        applyOk(design, commands::addElement(design, ElementKind::PhysicalNic, QStringLiteral("h2"),
                                             nicProps(nic + 3), QLatin1String(nic)));
    applyOk(design, commands::addElement(design, ElementKind::Link, {}, link("h1.a", "A.p1")));
    applyOk(design, commands::addElement(design, ElementKind::Link, {}, link("h2.a", "A.p2")));
    applyOk(design, commands::addElement(design, ElementKind::Link, {}, link("h1.b", "B.p1")));
    applyOk(design, commands::addElement(design, ElementKind::Link, {}, link("h2.b", "B.p2")));

    DesignScene scene;
    scene.setDesign(&design);
    QSignalSpy rebuilt(&scene, &DesignScene::rebuilt);
    applyOk(design, commands::removeElements(design, {QStringLiteral("h1.u")}));
    ASSERT_TRUE(rebuilt.wait(2000));
    DesignScene fresh;
    fresh.setDesign(&design);
    EXPECT_EQ(test::sceneDrawing(scene), test::sceneDrawing(fresh));
    EXPECT_EQ(scene.automaticPositions(), fresh.automaticPositions())
        << "Arrange would write the stale layout";
}

// More kinds of edits than DesignScene.UpdatesInPlaceExactlyAsARebuildWould makes, with undo.
TEST(RegressionScene, UpdatesInPlaceAsARebuildWouldForMoreKindsOfEdits)
{
    for (const std::string key : {"smb-converged", "broken-lab", "multitenant-overlay"}) {
        auto loaded = test::loadSample(key);
        ASSERT_TRUE(loaded);
        core::Design &design = *loaded;
        DesignScene scene;
        scene.setDesign(&design);
        QSignalSpy rebuilt(&scene, &DesignScene::rebuilt);
        QRandomGenerator random(11);
        std::vector<core::Edit> done;
        int applied = 0;
        for (int i = 0; i < 80; ++i) {
            const auto pick = [&](ElementKind kind) -> const core::Element * {
                const auto all = design.elements(kind);
                return all.empty() ? nullptr : all[random.bounded(int(all.size()))];
            };
            core::Result<core::Edit> edit = core::invalid(QStringLiteral("none"));
            bool undo = false;
            switch (i % 9) {
            case 0:
                if (const auto *vm = pick(ElementKind::VirtualMachine))
                    edit = commands::removeElements(design, {vm->id});
                break;
            case 1:
                if (const auto *sw = pick(ElementKind::VirtualSwitch))
                    edit = commands::setProperty(design, sw->id, QStringLiteral("name"),
                                                 QStringLiteral("renamed%1").arg(i));
                break;
            case 2:
                if (const auto *team = pick(ElementKind::Team)) {
                    QJsonArray members = team->value(QStringLiteral("members")).toArray();
                    if (!members.isEmpty())
                        members.removeAt(0);
                    edit =
                        commands::setProperty(design, team->id, QStringLiteral("members"), members);
                }
                break;
            case 3:
                if (const auto *host = pick(ElementKind::Host))
                    edit = commands::setProperty(design, host->id, QStringLiteral("position"),
                                                 QJsonArray{20 * i, -300});
                break;
            case 4:
            case 7:
                undo = !done.empty();
                break;
            case 5:
                if (const auto *nic = pick(ElementKind::PhysicalNic))
                    edit = commands::removeElements(design, {nic->id});
                break;
            case 6:
                if (const auto *host = pick(ElementKind::Host))
                    edit = commands::removeElements(design, {host->id});
                break;
            default:
                if (const auto *sw = pick(ElementKind::VirtualSwitch))
                    if (const auto *nic = pick(ElementKind::PhysicalNic);
                        nic && nic->parent == sw->parent)
                        edit = commands::setProperty(design, sw->id, QStringLiteral("uplink"),
                                                     nic->id);
                break;
            }
            QString what;
            if (undo) {
                const core::Edit last = done.back();
                done.pop_back();
                if (!design.apply(last.inverted()))
                    continue;
                what = QStringLiteral("undo ") + last.description;
            } else {
                if (!edit || edit->isEmpty() || !design.apply(*edit))
                    continue;
                done.push_back(*edit);
                what = edit->description;
            }
            ++applied;
            ASSERT_TRUE(rebuilt.wait(2000)) << key << " edit " << i;
            DesignScene fresh;
            fresh.setDesign(&design);
            ASSERT_EQ(test::sceneDrawing(scene), test::sceneDrawing(fresh))
                << key << " after edit " << i << ": " << what.toStdString();
        }
        EXPECT_GT(applied, 30) << key;
    }
}

// ---- 11. Paste of bad clipboard data ----

TEST_F(RegressionTest, PastingBadClipboardDataChangesNothing)
{
    openCopy("smb-converged");
    session().setSelection({QStringLiteral("h1")});
    const QList<QByteArray> payloads{
        "",
        "null",
        "[]",
        "{\"convergeClipboard\": 1}",
        "{\"convergeClipboard\": 1, \"elements\": [1, 2]}",
        "{\"convergeClipboard\": 1, \"elements\": [{\"id\": \"x\", \"kind\": \"VirtualMachine\", "
        "\"parent\": \"x\", \"props\": {\"name\": \"x\"}}]}",
        "{\"convergeClipboard\": 1, \"elements\": [{\"id\": \"l\", \"kind\": \"Link\", "
        "\"props\": {\"a\": \"h1.eth1\", \"b\": \"h1.eth1\"}}]}",
        "{\"convergeClipboard\": 1, \"elements\": [{\"id\": \"n\", \"kind\": \"PhysicalNic\", "
        "\"parent\": \"h1\", \"props\": {\"name\": \"n\", \"interfaceName\": \"n\"}}, "
        "{\"id\": \"t\", \"kind\": \"Team\", \"parent\": \"h1\", \"props\": {\"name\": \"t\", "
        "\"members\": [\"n\", \"n\", \"h2.eth1\"]}}]}",
        "{\"convergeClipboard\": 99, \"elements\": []}",
    };
    const std::size_t size = session().design().size();
    for (const QByteArray &payload : payloads) {
        auto *mime = new QMimeData;
        mime->setData(QLatin1String(core::clipboard::mimeType), payload);
        QApplication::clipboard()->setMimeData(mime);
        const int steps = session().undoStack()->count();
        const bool pasted = window.editActions()->pasteClipboard();
        QApplication::processEvents();
        if (pasted) {
            // Whatever was pasted must validate as a design again (save and load).
            auto reloaded =
                core::designdocument::load(core::designdocument::save(session().design()));
            EXPECT_TRUE(reloaded) << payload.toStdString() << ": "
                                  << (reloaded ? std::string()
                                               : reloaded.error().message.toStdString());
            window.editActions()->undo->trigger();
            QApplication::processEvents();
        } else {
            EXPECT_EQ(session().undoStack()->count(), steps) << payload.toStdString();
        }
        EXPECT_EQ(session().design().size(), size) << payload.toStdString();
    }
}

// ---- 12. The palette adds twice ----

TEST_F(RegressionTest, DoubleClickingAPaletteEntryAddsOneElement)
{
    window.newDesign();
    PaletteWidget *palette = window.palette();
    QListWidgetItem *entry = palette->entryFor(ElementKind::Host);
    ASSERT_NE(entry, nullptr);
    palette->scrollToItem(entry);
    // What a double click delivers to a widget in Qt 6: press, release, press, double click,
    // release.
    const QPoint at = palette->visualItemRect(entry).center();
    QWidget *port = palette->viewport();
    const auto send = [&](QEvent::Type type, Qt::MouseButtons buttons) {
        QMouseEvent e(type, at, port->mapToGlobal(at), Qt::LeftButton, buttons, {});
        QApplication::sendEvent(port, &e);
    };
    send(QEvent::MouseButtonPress, Qt::LeftButton);
    send(QEvent::MouseButtonRelease, Qt::NoButton);
    send(QEvent::MouseButtonPress, Qt::LeftButton);
    send(QEvent::MouseButtonDblClick, Qt::LeftButton);
    send(QEvent::MouseButtonRelease, Qt::NoButton);
    QApplication::processEvents();
    EXPECT_EQ(session().design().count(ElementKind::Host), 1u)
        << "itemClicked and itemActivated both add";
    EXPECT_EQ(session().undoStack()->count(), 1);
}

// KDE's Breeze (and other styles) activate items on a single click.
class SingleClickStyle : public QProxyStyle
{
public:
    int styleHint(StyleHint hint, const QStyleOption *option, const QWidget *widget,
                  QStyleHintReturn *data) const override
    {
        if (hint == SH_ItemView_ActivateItemOnSingleClick)
            return 1;
        return QProxyStyle::styleHint(hint, option, widget, data);
    }
};

TEST_F(RegressionTest, ASingleClickActivationStyleAddsOneElementPerClick)
{
    window.newDesign();
    PaletteWidget *palette = window.palette();
    SingleClickStyle style;
    style.setParent(nullptr);
    palette->setStyle(&style);
    QListWidgetItem *entry = palette->entryFor(ElementKind::Host);
    palette->scrollToItem(entry);
    QTest::mouseClick(palette->viewport(), Qt::LeftButton, {},
                      palette->visualItemRect(entry).center());
    QApplication::processEvents();
    EXPECT_EQ(session().design().count(ElementKind::Host), 1u);
    palette->setStyle(nullptr);
}

// ---- 13. A press on the diagram right after typing in the inspector is lost ----

TEST_F(RegressionTest, ADragRightAfterTypingInTheInspectorStillMovesTheBox)
{
    openCopy("smb-basic");
    activate();
    session().setSelection({QStringLiteral("h1")});
    QApplication::processEvents();
    auto *name = window.inspector()->findChild<QLineEdit *>(QStringLiteral("prop_name"));
    ASSERT_NE(name, nullptr);
    name->setFocus();
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("HV77"));
    // Now the user drags the host by its caption, without pressing Enter first.
    window.view()->resetZoom();
    QGraphicsItem *box = window.scene()->itemFor(QStringLiteral("h1"));
    const QPointF grip = box->mapToScene(box->boundingRect().topLeft() + QPointF(14, 14));
    const QPoint start = onScreen(grip);
    QWidget *port = window.view()->viewport();
    QTest::mousePress(port, Qt::LeftButton, {}, start); // spontaneous: focus moves, name commits
    QApplication::processEvents();                      // the event loop runs between events
    ASSERT_EQ(session().design().find(QStringLiteral("h1"))->name(), QStringLiteral("HV77"));
    QTest::mouseMove(port, start + QPoint(20, 10));
    QTest::mouseMove(port, start + QPoint(103, 47));
    QTest::mouseRelease(port, Qt::LeftButton, {}, start + QPoint(103, 47));
    QApplication::processEvents();
    EXPECT_TRUE(
        session().design().find(QStringLiteral("h1"))->props.contains(QStringLiteral("position")))
        << "the rebuild of h1's box (for the rename) reset the gesture: the drag did nothing";
}

// ---- 14. New elements are not scrolled into sight ----

TEST_F(RegressionTest, ADuplicatedHostIsScrolledIntoSight)
{
    openCopy("smb-converged");
    DesignView *view = window.view();
    view->setZoom(2.0);
    view->centerOn(window.scene()->elementRect(QStringLiteral("h1")).center());
    session().setSelection({QStringLiteral("h2")});
    QApplication::processEvents();
    view->centerOn(window.scene()->elementRect(QStringLiteral("h1")).center());
    ASSERT_TRUE(window.editActions()->duplicateSelection());
    QApplication::processEvents();
    const QString copy = session().selection().value(0);
    const QRectF shown = view->mapToScene(view->viewport()->rect()).boundingRect();
    EXPECT_TRUE(shown.intersects(window.scene()->elementRect(copy)))
        << "selectionChanged ran before the scene drew the copy (elementRect was null)";
}

// ---- 15. Blocking boxes from API calls ----

TEST_F(RegressionTest, AFailedSaveToDoesNotBlockTheCaller)
{
    openCopy("smb-basic");
    bool blocked = false;
    QTimer::singleShot(500, [&blocked] {
        if (QWidget *modal = QApplication::activeModalWidget()) {
            blocked = true;
            modal->close();
        }
    });
    EXPECT_FALSE(window.saveTo(QStringLiteral("/nonexistent-dir/x.converge.json")));
    EXPECT_FALSE(blocked) << "QMessageBox::critical ran a nested event loop (unlike openFile's "
                             "window-modal open())";
}

// ---- Sanity: text fields keep their own Ctrl+A and Delete (expected to pass) ----

TEST_F(RegressionTest, TextFieldsKeepCtrlAAndDelete)
{
    openCopy("smb-basic");
    activate();
    session().setSelection({QStringLiteral("h1")});
    QApplication::processEvents();
    auto *name = window.inspector()->findChild<QLineEdit *>(QStringLiteral("prop_name"));
    ASSERT_NE(name, nullptr);
    name->setFocus();
    QApplication::processEvents();
    QTest::keyClick(name, Qt::Key_A, Qt::ControlModifier);
    EXPECT_EQ(session().selection(), QStringList{QStringLiteral("h1")});
    QTest::keyClick(name, Qt::Key_Delete);
    QApplication::processEvents();
    EXPECT_NE(session().design().find(QStringLiteral("h1")), nullptr);
    EXPECT_TRUE(name->text().isEmpty()) << "Ctrl+A then Delete cleared the field";
}

// ---- 16. Gestures and signals that outlive what they point at (run under ASan) ----

TEST_F(RegressionTest, UndoDuringAConnectDragLeavesNoPhantomHighlight)
{
    openCopy("smb-converged");
    ASSERT_TRUE(
        session().apply(commands::setProperty(session().design(), QStringLiteral("h1.eth1"),
                                              QStringLiteral("name"), QStringLiteral("renamed"))));
    QApplication::processEvents();
    session().setSelection({});
    window.view()->resetZoom();
    const QRectF from = window.scene()->elementRect(QStringLiteral("h1.eth2"));
    const QRectF to = window.scene()->elementRect(QStringLiteral("h1.team"));
    window.view()->centerOn((from.center() + to.center()) / 2);
    const QPoint start = window.view()->mapFromScene(from.center());
    const QPoint end = window.view()->mapFromScene(to.center());
    mouse(QEvent::MouseButtonPress, start, Qt::LeftButton);
    mouse(QEvent::MouseMove, start + (end - start) / 2, Qt::LeftButton);
    mouse(QEvent::MouseMove, end, Qt::LeftButton); // over the team: drawn as the target
    ASSERT_TRUE(window.scene()->isInteracting());
    window.editActions()->undo->trigger(); // Ctrl+Z with the button still down
    QApplication::processEvents();         // h1's box is built again: the gesture goes
    mouse(QEvent::MouseMove, end + QPoint(3, 3), Qt::LeftButton);
    mouse(QEvent::MouseButtonRelease, end, Qt::NoButton);
    QApplication::processEvents();
    EXPECT_EQ(session().undoStack()->index(), 0) << "nothing connected";
    EXPECT_EQ(window.scene()->selectedElements(), session().selection())
        << "the drag's target highlight stays drawn as selected";
}

TEST_F(RegressionTest, DoubleClickingAFindingInTheInspectorThatSelectsOthersIsSafe)
{
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    session().setSelection({QStringLiteral("lab.team")});
    QApplication::processEvents();
    QTreeWidget *findings = window.inspector()->findingsView();
    QTreeWidgetItem *several = nullptr;
    for (int i = 0; i < findings->topLevelItemCount() && !several; ++i)
        if (findings->topLevelItem(i)->data(0, Qt::UserRole + 1).toStringList().size() > 1)
            several = findings->topLevelItem(i);
    ASSERT_NE(several, nullptr);
    const QStringList ids = several->data(0, Qt::UserRole + 1).toStringList();
    findings->scrollToItem(several);
    // The findings list is only a few pixels high in the window (see the report): click the
    // row's first line.
    const QPoint at = findings->visualItemRect(several).topLeft() + QPoint(20, 6);
    ASSERT_TRUE(findings->viewport()->rect().contains(at))
        << findings->viewport()->height() << " " << at.y();
    QWidget *port = findings->viewport();
    const auto send = [&](QEvent::Type type, Qt::MouseButtons buttons) {
        QMouseEvent e(type, at, port->mapToGlobal(at), Qt::LeftButton, buttons, {});
        QApplication::sendEvent(port, &e);
    };
    send(QEvent::MouseButtonPress, Qt::LeftButton);
    send(QEvent::MouseButtonRelease, Qt::NoButton);
    send(QEvent::MouseButtonPress, Qt::LeftButton);
    send(QEvent::MouseButtonDblClick, Qt::LeftButton); // clears the tree it is delivered to
    send(QEvent::MouseButtonRelease, Qt::NoButton);
    QApplication::processEvents();
    EXPECT_EQ(session().selection(), ids);
}

// ---- 17. The inspector's findings list stays squeezed ----

TEST_F(RegressionTest, TheInspectorsFindingsListGetsRoomWhenFindingsAppear)
{
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    QApplication::processEvents(); // nothing selected: the pane is only its title
    session().setSelection({QStringLiteral("lab.team")});
    QApplication::processEvents();
    QTreeWidget *findings = window.inspector()->findingsView();
    ASSERT_GT(findings->topLevelItemCount(), 2);
    std::cerr << "inspector " << window.inspector()->height() << " px, findings viewport "
              << findings->viewport()->height() << " px for " << findings->topLevelItemCount()
              << " findings\n";
    EXPECT_GE(findings->viewport()->height(), window.inspector()->height() / 6)
        << "the splitter keeps the height the empty pane had (its maximum was 0)";
}

// ---- 18. Redo's two shortcuts ----

TEST_F(RegressionTest, CtrlShiftZRedoes)
{
    openCopy("smb-basic");
    activate();
    std::cerr << "redo shortcuts:";
    for (const QKeySequence &k : window.editActions()->redo->shortcuts())
        std::cerr << " [" << k.toString().toStdString() << "]";
    std::cerr << "\n";
    ASSERT_TRUE(session().apply(commands::setProperty(
        session().design(), QStringLiteral("h1"), QStringLiteral("name"), QStringLiteral("X"))));
    window.editActions()->undo->trigger();
    ASSERT_EQ(session().undoStack()->index(), 0);
    window.view()->setFocus();
    QApplication::processEvents();
    QTest::keyClick(window.view(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QApplication::processEvents();
    EXPECT_EQ(session().undoStack()->index(), 1) << "Ctrl+Shift+Z did not redo";
}

} // namespace
} // namespace converge::views

namespace converge::views {
namespace {

// A key bound twice to one action is ambiguous to Qt, which then triggers nothing.
TEST(RegressionShortcuts, RedoBindsEachKeyOnce)
{
    MainWindow window;
    const QList<QKeySequence> keys = window.editActions()->redo->shortcuts();
    EXPECT_TRUE(keys.contains(QKeySequence(QStringLiteral("Ctrl+Shift+Z"))));
    for (const QKeySequence &key : keys)
        EXPECT_EQ(keys.count(key), 1) << key.toString().toStdString();
}

} // namespace
} // namespace converge::views
