// The deploy views (views/deploy): refusal of a design with error findings, plan diffs, the fleet
// and history dialogs from a project store, drift findings on the canvas; and, as root, the
// deploy dialog against three real agents (tests/fleet/fleetlab.h): plans shown, progress
// advancing, a result per host, then drift seen in the list and on the diagram.
#include "viewstestsupport.h"

#include "fakeagents.h"
#include "fleetlab.h"

#include "collectors/channel/tlsagentconnector.h"
#include "collectors/console/deploymentgate.h"

#include "core/io/designdocument.h"
#include "core/realize/hoststate.h"
#include "core/realize/planner.h"
#include "core/store/projectstore.h"
#include "views/deploy/deploydialog.h"
#include "views/deploy/driftpanel.h"
#include "views/deploy/enrolldialog.h"
#include "views/deploy/fleetdialog.h"
#include "views/deploy/historydialog.h"
#include "views/deploy/plandiff.h"
#include "views/diagram/designscene.h"
#include "views/mainwindow.h"
#include "views/session/designsession.h"
#include "views/validation/validationpanel.h"

#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QThread>
#include <QTreeView>
#include <QTreeWidget>
#include <QUndoStack>

#include <unistd.h>

#include <map>
#include <set>

using namespace converge;
using namespace converge::views;
using core::deploy::HostPhase;

namespace {

const QString fleetDesignPath =
    QStringLiteral(CONVERGE_SOURCE_DIR "/tests/fleet/data/ovs-fleet.converge.json");

core::Design load(const QString &path)
{
    auto d = core::designdocument::loadFile(path);
    EXPECT_TRUE(d) << (d ? "" : d.error().message.toStdString());
    return d ? std::move(*d) : core::Design();
}

// A design saved in a temporary directory, its project store next to it, and a console
// identity of its own (CONVERGE_CONSOLE_DIR).
class DeployViews : public ::testing::Test
{
protected:
    void SetUp() override
    {
        qputenv("CONVERGE_CONSOLE_DIR", m_dir.filePath(QStringLiteral("console")).toUtf8());
    }

    QString saveDesign(const core::Design &design)
    {
        const QString file = m_dir.filePath(QStringLiteral("fleet.converge.json"));
        EXPECT_TRUE(core::designdocument::saveFile(design, file));
        return file;
    }
    core::ProjectStore makeStore(const QString &file, const core::Design &design)
    {
        auto store = core::ProjectStore::create(core::ProjectStore::storePathFor(file), design);
        EXPECT_TRUE(store) << store.error().message.toStdString();
        return std::move(*store);
    }
    static core::deploy::AgentRecord agent(const QString &host, const QString &address)
    {
        return {host, address, QStringLiteral("aa:bb:cc"), QDateTime::currentDateTimeUtc(), {}, {}};
    }

    QTemporaryDir m_dir;
    std::shared_ptr<converge::testing::FakeAgentConnector> m_agents =
        std::make_shared<converge::testing::FakeAgentConnector>();
};

QTreeWidgetItem *rowNamed(QTreeWidget *list, const QString &text)
{
    const auto found = list->findItems(text, Qt::MatchExactly | Qt::MatchRecursive);
    return found.value(0);
}

} // namespace

TEST_F(DeployViews, RefusesADesignWithErrorFindingsAndNamesThem)
{
    DesignSession session(std::make_unique<core::Design>(
        load(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/broken-lab.converge.json"))));
    DeployDialog dialog(&session, m_dir.filePath(QStringLiteral("broken.converge.json")), m_agents);
    ASSERT_TRUE(dialog.isRefused());
    ASSERT_NE(dialog.refusalList(), nullptr);
    const QStringList errors = collectors::blockingFindings(session.findings());
    ASSERT_FALSE(errors.isEmpty());
    EXPECT_EQ(dialog.refusalList()->count(), errors.size());
    EXPECT_EQ(dialog.refusalList()->item(0)->text(), errors.front());
    EXPECT_EQ(dialog.deployButton(), nullptr);
    for (const QPushButton *b : dialog.findChildren<QPushButton *>())
        EXPECT_FALSE(b->text().contains(QStringLiteral("Deploy"))) << b->text().toStdString();
    EXPECT_TRUE(dialog.findChild<QLabel *>(QStringLiteral("deployStatus"))
                    ->text()
                    .contains(QStringLiteral("%1 error finding").arg(errors.size())));
}

TEST_F(DeployViews, PlanDiffShowsDestructiveStepsRedAndBoldAndNotesGrey)
{
    const QJsonObject plan{
        {QStringLiteral("diff"),
         QStringLiteral(
             "  + port web on conv\n! - bridge old and all its ports\n"
             "  ~ port <db> on conv: VLAN: access 100 -> access 101\n  note: QoS minimum is not "
             "enforced\n")},
        {QStringLiteral("operations"),
         QJsonArray{QJsonObject{{QStringLiteral("destructive"), false}},
                    QJsonObject{{QStringLiteral("destructive"), true}},
                    QJsonObject{{QStringLiteral("destructive"), false}}}}};
    EXPECT_EQ(planSummary(plan), QStringLiteral("3 operations, 1 destructive"));
    QTextBrowser view;
    view.setHtml(planDiffHtml(plan));
    std::map<QString, QTextCharFormat> formats;
    for (QTextBlock b = view.document()->begin(); b.isValid(); b = b.next())
        formats[b.text()] = b.begin().fragment().charFormat();
    ASSERT_TRUE(formats.contains(QStringLiteral("! - bridge old and all its ports")));
    const QTextCharFormat destructive = formats[QStringLiteral("! - bridge old and all its ports")];
    EXPECT_EQ(destructive.fontWeight(), QFont::Bold);
    EXPECT_EQ(destructive.foreground().color(), QColor(0xc0, 0, 0));
    const QTextCharFormat note = formats[QStringLiteral("  note: QoS minimum is not enforced")];
    EXPECT_EQ(note.foreground().color(), QColor(0x80, 0x80, 0x80));
    EXPECT_NE(note.fontWeight(), QFont::Bold);
    // Text from the agent is shown as text.
    const QTextCharFormat change =
        formats[QStringLiteral("  ~ port <db> on conv: VLAN: access 100 -> access 101")];
    EXPECT_NE(change.fontWeight(), QFont::Bold);
    EXPECT_EQ(planSummary({}), QStringLiteral("no changes"));
}

// A real plan as the dialog shows it: each change on a line of its own below its operation, an
// ACL rule changed as that rule removed (dark red) and added (green), the changes of a
// destructive step red like the step, and long lines wrapped rather than cut off.
TEST_F(DeployViews, PlanDiffShowsEachChangeOnItsOwnLineBelowItsOperation)
{
    using namespace core::realize;
    const auto port = [](const char *name) {
        Port p;
        p.name = QLatin1String(name);
        p.vlanMode = QStringLiteral("access");
        p.tag = 100;
        p.mac = QStringLiteral("02:cf:01:00:00:0a");
        return p;
    };
    const auto bridge = [](const char *name, std::vector<Port> ports) {
        Bridge b;
        b.name = QLatin1String(name);
        b.datapathType = QStringLiteral("system");
        b.ports = std::move(ports);
        return b;
    };
    Acl rule;
    rule.action = QStringLiteral("deny");
    rule.direction = QStringLiteral("in");
    rule.protocol = QStringLiteral("tcp");
    rule.remotePrefix = QStringLiteral("10.0.1.0/24");
    rule.localPorts = {443};
    Port web = port("web");
    web.acls = {rule};
    HostState current;
    current.bridges = {bridge("conv", {web}), bridge("store", {port("db")})};
    HostState desired = current;
    desired.bridges[0].ports[0].acls[0].localPorts = {8443};
    desired.bridges[0].ports[0].dhcpGuard = true;
    desired.bridges[1].datapathType = QStringLiteral("netdev");
    const Plan plan = makePlan(desired, afterApply(current));

    QTextBrowser view;
    view.resize(420, 600);
    view.setHtml(planDiffHtml(plan.toJson()));
    std::vector<QString> blocks;
    std::map<QString, QColor> colours;
    for (QTextBlock b = view.document()->begin(); b.isValid(); b = b.next()) {
        blocks.push_back(b.text());
        colours[b.text()] = b.begin().fragment().charFormat().foreground().color();
    }
    const auto at = [&blocks](const char *text) {
        return std::ranges::find(blocks, QLatin1String(text)) - blocks.begin();
    };
    const auto web443 = at("      - ACL deny in tcp from 10.0.1.0/24 to any port 443");
    ASSERT_LT(std::size_t(web443), blocks.size()) << plan.diffText().toStdString();
    EXPECT_EQ(blocks[std::size_t(web443) - 2], QStringLiteral("  ~ port web on conv"));
    EXPECT_EQ(blocks[std::size_t(web443) - 1],
              QStringLiteral("      DHCP guard: off -> on (drops DHCP server messages from the "
                             "port)"));
    EXPECT_EQ(blocks[std::size_t(web443) + 1],
              QStringLiteral("      + ACL deny in tcp from 10.0.1.0/24 to any port 8443"));
    EXPECT_EQ(colours[blocks[std::size_t(web443)]], QColor(0xa0, 0x30, 0x30));
    EXPECT_EQ(colours[blocks[std::size_t(web443) + 1]], QColor(0x10, 0x70, 0x10));
    EXPECT_EQ(colours[blocks[std::size_t(web443) - 1]], QColor(Qt::black)) << "a plain change";

    const auto recreate = at("! re-create bridge store");
    ASSERT_LT(std::size_t(recreate), blocks.size()) << plan.diffText().toStdString();
    EXPECT_EQ(blocks[std::size_t(recreate) + 1],
              QStringLiteral("      datapath: system (kernel) -> netdev (userspace)"));
    EXPECT_EQ(blocks[std::size_t(recreate) + 2], QStringLiteral("      interrupts ports db"));
    EXPECT_EQ(colours[blocks[std::size_t(recreate) + 2]], QColor(0xa0, 0x30, 0x30));

    // The widest line fits the view's width: it wraps, and goes on below its own text (a
    // hanging indent deeper than its operation's).
    std::map<QString, QTextBlockFormat> paragraphs;
    for (QTextBlock b = view.document()->begin(); b.isValid(); b = b.next())
        paragraphs[b.text()] = b.blockFormat();
    const QTextBlockFormat change = paragraphs[blocks[std::size_t(web443)]];
    const QTextBlockFormat title = paragraphs[blocks[std::size_t(web443) - 2]];
    EXPECT_EQ(change.textIndent(), -change.leftMargin());
    EXPECT_GT(change.leftMargin(), title.leftMargin());
    EXPECT_GT(title.leftMargin(), 0);
    view.show();
    EXPECT_LE(view.document()->idealWidth(), view.viewport()->width());
    EXPECT_EQ(view.horizontalScrollBar()->maximum(), 0);
}

TEST_F(DeployViews, ListsHostsWithoutAnAgentDisabledAndReportsAFailedPlan)
{
    const core::Design design = load(fleetDesignPath);
    const QString file = saveDesign(design);
    core::ProjectStore store = makeStore(file, design);
    // Nothing listens on port 1: the dry run fails at once.
    ASSERT_TRUE(store.saveAgent(agent(QStringLiteral("hv1"), QStringLiteral("127.0.0.1:1"))));
    DesignSession session(std::make_unique<core::Design>(design));
    DeployDialog dialog(&session, file, m_agents);
    ASSERT_FALSE(dialog.isRefused());
    EXPECT_EQ(dialog.hostNames(), (QStringList{"hv1", "hv2", "hv3"}));
    EXPECT_EQ(dialog.checkedHosts(), QStringList{"hv1"});
    EXPECT_EQ(dialog.statusOf(QStringLiteral("hv2")),
              QStringLiteral("not enrolled: Deploy > Fleet\u2026"));
    QTreeWidgetItem *hv2 = rowNamed(dialog.hostList(), QStringLiteral("hv2"));
    EXPECT_FALSE(hv2->flags() & Qt::ItemIsEnabled);
    EXPECT_FALSE(hv2->flags() & Qt::ItemIsUserCheckable);
    EXPECT_EQ(dialog.confirmTimeout()->value(), 60);

    QSignalSpy planned(&dialog, &DeployDialog::plansShown);
    ASSERT_TRUE(planned.wait(15000)); // the dry run starts by itself
    EXPECT_EQ(dialog.statusOf(QStringLiteral("hv1")), QStringLiteral("failed"));
    EXPECT_FALSE(dialog.messageOf(QStringLiteral("hv1")).isEmpty());
    EXPECT_EQ(dialog.progressBarFor(QStringLiteral("hv1"))->value(), 100);
    EXPECT_TRUE(dialog.summary().contains(QStringLiteral("planning failed on hv1")))
        << dialog.summary().toStdString();
    EXPECT_FALSE(dialog.deployButton()->isEnabled()); // nothing reviewed to deploy
    EXPECT_TRUE(dialog.planButton()->isEnabled());
    EXPECT_FALSE(dialog.cancelButton()->isEnabled());
    // A failed plan is not recorded as a deployment.
    EXPECT_TRUE(store.deployments()->empty());
}

// Review: a dialog deleted while its deployer runs (the main window closing) waits for the
// workers, but nothing the deployer reports meanwhile may reach the half-destroyed dialog.
TEST_F(DeployViews, ADialogDeletedWhilePlanningGetsNoSignalsDuringItsDestruction)
{
    // An agent that takes 1.5 s per request: the plan is still running when the dialog goes.
    converge::testing::FakeAgent &slow =
        m_agents->add(QStringLiteral("hv1"), QStringLiteral("10.9.0.1:7443"));
    slow.delayMs = 1500;
    const core::Design design = load(fleetDesignPath);
    const QString file = saveDesign(design);
    core::ProjectStore store = makeStore(file, design);
    auto record = agent(QStringLiteral("hv1"), slow.address);
    record.fingerprint = slow.fingerprint;
    ASSERT_TRUE(store.saveAgent(record));
    DesignSession session(std::make_unique<core::Design>(design));
    auto *dialog = new DeployDialog(&session, file, m_agents);
    int afterDeletion = 0;
    bool deleting = false;
    QObject::connect(dialog, &DeployDialog::plansShown, [&] { afterDeletion += deleting; });
    ASSERT_TRUE(QTest::qWaitFor([&] { return dialog->isRunning(); }, 5000));
    QTest::qWait(200);
    ASSERT_TRUE(dialog->isRunning());
    deleting = true;
    delete dialog; // returns once the host's plan has answered
    EXPECT_EQ(afterDeletion, 0);
}

TEST_F(DeployViews, ListsHyperVHostsAsBundleHostsWithNothingToDeploy)
{
    const core::Design design =
        load(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/smb-basic.converge.json"));
    const QString file = saveDesign(design);
    DesignSession session(std::make_unique<core::Design>(design));
    DeployDialog dialog(&session, file, m_agents);
    ASSERT_FALSE(dialog.isRefused());
    ASSERT_FALSE(dialog.hostNames().isEmpty());
    for (const QString &h : dialog.hostNames())
        EXPECT_EQ(dialog.statusOf(h), QStringLiteral("Hyper-V: export a bundle"));
    EXPECT_TRUE(dialog.checkedHosts().isEmpty());
    EXPECT_FALSE(dialog.deployButton()->isEnabled());
    EXPECT_FALSE(dialog.planButton()->isEnabled());
}

TEST_F(DeployViews, FleetDialogListsTheStoresAgentsAndRemovesOne)
{
    const core::Design design = load(fleetDesignPath);
    const QString file = saveDesign(design);
    {
        core::ProjectStore store = makeStore(file, design);
        core::deploy::AgentRecord seen =
            agent(QStringLiteral("hv1"), QStringLiteral("127.0.0.1:1"));
        seen.lastSeen = QDateTime::currentDateTimeUtc();
        seen.version = QStringLiteral("0.9.1");
        ASSERT_TRUE(store.saveAgent(seen));
        ASSERT_TRUE(store.saveAgent(agent(QStringLiteral("hv2"), QStringLiteral("10.0.0.2:7443"))));
    }
    DesignSession session(std::make_unique<core::Design>(design));
    FleetDialog dialog(&session, file, m_agents);
    QTreeWidget *list = dialog.agentList();
    ASSERT_EQ(list->topLevelItemCount(), 2);
    QTreeWidgetItem *hv1 = list->topLevelItem(0);
    EXPECT_EQ(hv1->text(FleetDialog::HostColumn), QStringLiteral("hv1"));
    EXPECT_EQ(hv1->text(FleetDialog::AddressColumn), QStringLiteral("127.0.0.1:1"));
    EXPECT_EQ(hv1->text(FleetDialog::FingerprintColumn), QStringLiteral("aa:bb:cc"));
    EXPECT_EQ(hv1->text(FleetDialog::VersionColumn), QStringLiteral("0.9.1"));
    EXPECT_NE(hv1->text(FleetDialog::LastSeenColumn), QStringLiteral("never"));
    EXPECT_EQ(list->topLevelItem(1)->text(FleetDialog::LastSeenColumn), QStringLiteral("never"));
    EXPECT_EQ(list->topLevelItem(1)->text(FleetDialog::VersionColumn), QStringLiteral("-"));

    // Check says hello in the background and reports an agent it cannot reach.
    QSignalSpy checked(&dialog, &FleetDialog::checksFinished);
    dialog.check({QStringLiteral("hv1")});
    EXPECT_EQ(list->topLevelItem(0)->text(FleetDialog::CheckColumn),
              QStringLiteral("checking\u2026"));
    ASSERT_TRUE(checked.wait(15000));
    EXPECT_TRUE(list->topLevelItem(0)
                    ->text(FleetDialog::CheckColumn)
                    .startsWith(QStringLiteral("unreachable: ")));

    ASSERT_TRUE(dialog.removeAgent(QStringLiteral("hv2")));
    ASSERT_EQ(list->topLevelItemCount(), 1);
    auto reopened = core::ProjectStore::open(core::ProjectStore::storePathFor(file));
    EXPECT_EQ(reopened->agents()->size(), 1u);
}

TEST_F(DeployViews, EnrollGeneratesATokenShowsTheCommandAndRetriesUntilStopped)
{
    const core::Design design = load(fleetDesignPath);
    EnrollDialog dialog(design, m_agents);
    ASSERT_EQ(dialog.hostBox()->count(), 3);
    dialog.hostBox()->setCurrentIndex(1);
    EXPECT_EQ(dialog.addressEdit()->text(), QStringLiteral("10.79.0.12:7443")); // agentAddress
    const QString token = dialog.generateToken();
    EXPECT_EQ(token.size(), 32);
    EXPECT_EQ(dialog.tokenEdit()->text(), token);
    EXPECT_TRUE(dialog.instructions()->text().contains(
        QStringLiteral("converged --enroll-token %1").arg(token)));
    dialog.addressEdit()->setText(QStringLiteral("127.0.0.1:1"));
    dialog.enroll();
    EXPECT_TRUE(dialog.isEnrolling());
    // Nobody answers: it keeps trying every 2 s, and says so, without blocking the GUI.
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return dialog.statusText().contains(QStringLiteral("attempt 2")); }, 15000))
        << dialog.statusText().toStdString();
    dialog.stopEnrolling();
    EXPECT_FALSE(dialog.isEnrolling());
    EXPECT_TRUE(dialog.record().fingerprint.isEmpty());
}

TEST_F(DeployViews, HistoryListsDeploymentsNewestFirstAndOffersRollbackOfAConfirmedHost)
{
    const core::Design design = load(fleetDesignPath);
    const QString file = saveDesign(design);
    {
        core::ProjectStore store = makeStore(file, design);
        const QJsonObject plan{{QStringLiteral("diff"), QStringLiteral("! - bridge old\n")}};
        for (int i = 0; i < 2; ++i) {
            core::deploy::DeploymentRecord r;
            r.author = QStringLiteral("alice");
            auto id = store.beginDeployment(r, design);
            ASSERT_TRUE(id);
            ASSERT_TRUE(store.saveDeploymentHost(*id, {QStringLiteral("hv1"),
                                                       plan,
                                                       {},
                                                       {},
                                                       HostPhase::Confirmed,
                                                       QStringLiteral("confirmed")}));
            ASSERT_TRUE(store.saveDeploymentHost(*id, {QStringLiteral("hv2"),
                                                       plan,
                                                       {},
                                                       {},
                                                       HostPhase::RolledBack,
                                                       QStringLiteral("rolled back")}));
            ASSERT_TRUE(store.finishDeployment(*id, QStringLiteral("deployment %1").arg(i), false));
        }
    }
    DesignSession session(std::make_unique<core::Design>(design));
    HistoryDialog dialog(&session, file, m_agents);
    QTreeWidget *list = dialog.deploymentList();
    ASSERT_EQ(list->topLevelItemCount(), 2);
    EXPECT_EQ(list->topLevelItem(0)->text(4), QStringLiteral("deployment 1")); // newest first
    EXPECT_EQ(list->topLevelItem(0)->text(2), QStringLiteral("alice"));
    ASSERT_EQ(list->topLevelItem(0)->childCount(), 2);
    EXPECT_FALSE(dialog.rollbackButton()->isEnabled());
    list->setCurrentItem(list->topLevelItem(0)->child(1)); // hv2: rolled back
    EXPECT_EQ(list->currentItem()->text(1), QStringLiteral("rolled back"));
    EXPECT_FALSE(dialog.rollbackButton()->isEnabled());
    list->setCurrentItem(list->topLevelItem(0)->child(0)); // hv1: confirmed
    EXPECT_TRUE(dialog.rollbackButton()->isEnabled());
    EXPECT_TRUE(dialog.planView()->toPlainText().contains(QStringLiteral("! - bridge old")));
}

TEST_F(DeployViews, DriftFindingsAreBadgedOnTheDiagramAndListedAndCanBeTakenIn)
{
    DesignSession session(std::make_unique<core::Design>(load(fleetDesignPath)));
    DesignScene scene;
    scene.setSession(&session);
    ValidationPanel panel;
    panel.setSession(&session);
    const QString vnic = QStringLiteral("hv3.db.lan");
    const int before = scene.badgeOf(vnic);
    core::Finding drift{
        QString::fromLatin1(DriftPanel::ruleId),
        core::Severity::Warning,
        QStringLiteral("Drift on hv3: accessVlan is 200 in the design, 555 on "
                       "the host"),
        {vnic},
        core::QuickFix{QStringLiteral("Take 555"), {{vnic, QStringLiteral("accessVlan"), 555}}},
        {}};
    session.setExternalFindings(QString::fromLatin1(DriftPanel::findingSource), {drift});
    QSignalSpy changed(&session, &DesignSession::designChanged);
    ASSERT_TRUE(changed.wait(1000));
    EXPECT_EQ(scene.badgeOf(vnic), before < 0 ? int(core::Severity::Warning)
                                              : std::min(before, int(core::Severity::Warning)));
    EXPECT_EQ(session.findingsFor(vnic).size() > 0, true);
    const auto &shown = panel.model()->findings();
    const auto it = std::ranges::find(shown, QStringLiteral("DRIFT"), &core::Finding::ruleId);
    ASSERT_NE(it, shown.end());
    // The same set again announces nothing (listeners that republish settle).
    session.setExternalFindings(QString::fromLatin1(DriftPanel::findingSource), {drift});
    EXPECT_FALSE(changed.wait(100));
    // Its quick fix takes the running value in as one undo step.
    const QModelIndex index = panel.model()->firstNaming(vnic);
    panel.view()->setCurrentIndex(index);
    ASSERT_EQ(panel.model()->findingAt(panel.view()->currentIndex())->ruleId,
              QStringLiteral("DRIFT"));
    for (const QPushButton *b : panel.findChildren<QPushButton *>()) {
        if (b->text().contains(QStringLiteral("Accept"))) {
            EXPECT_FALSE(b->isEnabled()) << "a drift finding is not accepted, it is resolved";
        }
    }
    ASSERT_TRUE(panel.applyQuickFix());
    EXPECT_EQ(session.design().find(vnic)->value(QLatin1String("accessVlan")).toInt(), 555);
    EXPECT_EQ(session.undoStack()->count(), 1);
    // Cleared: the badge goes back to what validation alone says.
    session.setExternalFindings(QString::fromLatin1(DriftPanel::findingSource), {});
    ASSERT_TRUE(changed.wait(1000));
    EXPECT_TRUE(std::ranges::none_of(session.findings(), [](const core::Finding &f) {
        return f.ruleId == QLatin1String("DRIFT");
    }));
}

TEST_F(DeployViews, MainWindowHasADeployMenuAndExportBundle)
{
    MainWindow window;
    QMenu *deployMenu = nullptr;
    QMenu *fileMenu = nullptr;
    for (QAction *a : window.menuBar()->actions()) {
        if (a->text() == QStringLiteral("&Deploy"))
            deployMenu = a->menu();
        if (a->text() == QStringLiteral("&File"))
            fileMenu = a->menu();
    }
    ASSERT_NE(deployMenu, nullptr);
    QStringList texts;
    for (QAction *a : deployMenu->actions()) {
        if (!a->isSeparator())
            texts << a->text();
        EXPECT_FALSE(a->isEnabled() && !a->isSeparator()) << "no design open";
    }
    EXPECT_EQ(texts,
              (QStringList{"&Deploy\u2026", "&Fleet\u2026", "&History\u2026", "Check D&rift"}));
    EXPECT_EQ(deployMenu->actions().front()->shortcut(),
              QKeySequence(QStringLiteral("Ctrl+Shift+D")));
    ASSERT_NE(fileMenu, nullptr);
    EXPECT_TRUE(std::ranges::any_of(fileMenu->actions(), [](QAction *a) {
        return a->text() == QStringLiteral("Export &Bundle\u2026");
    }));
    ASSERT_NE(window.driftPanel(), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Against real agents (root): the lab of tests/fleet (three namespace hosts with OVS and
// converged), enrolled by the library call; the GUI runs in the console's namespace.

namespace {

QByteArray netnsOfThisThread()
{
    char link[128] = {};
    const ssize_t n = ::readlink("/proc/thread-self/ns/net", link, sizeof link - 1);
    return n > 0 ? QByteArray(link, int(n)) : QByteArray();
}

void screenshot(QWidget *w, const char *name)
{
    const QString dir = qEnvironmentVariable("CONVERGE_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        w->grab().save(QDir(dir).filePath(QLatin1String(name)));
}

} // namespace

TEST(DeployGuiFleet, DeploysFromTheDialogWithProgressPerHostThenShowsDrift)
{
    using namespace converge::testing;
    FleetLab lab;
    QString why;
    if (!lab.setUp(3,
                   {QStringLiteral("up1"), QStringLiteral("up2"), QStringLiteral("web"),
                    QStringLiteral("db")},
                   &why)) {
        if (why.contains(QStringLiteral("needs root")) ||
            why.contains(QStringLiteral("not installed")))
            GTEST_SKIP() << "needs root and Open vSwitch: " << why.toStdString();
        FAIL() << why.toStdString();
    }
    const core::Design design = load(fleetDesignPath);
    const QString file = lab.dir() + QStringLiteral("/fleet.converge.json");
    ASSERT_TRUE(core::designdocument::saveFile(design, file));
    auto agents = lab.enrollAll();
    ASSERT_TRUE(agents) << agents.error().message.toStdString();
    {
        auto store = core::ProjectStore::create(core::ProjectStore::storePathFor(file), design);
        ASSERT_TRUE(store);
        for (const core::deploy::AgentRecord &a : *agents)
            ASSERT_TRUE(store->saveAgent(a));
    }

    // The GUI thread joins the console's namespace; the Deployer's and the drift check's
    // worker threads are created by it, and Linux gives a new thread its creator's network
    // namespace (setns is per thread): check that, since every agent socket depends on it.
    const QByteArray outside = netnsOfThisThread();
    NetnsScope scope(lab.console().name());
    ASSERT_TRUE(scope.isValid()) << scope.error().toStdString();
    const QByteArray console = netnsOfThisThread();
    ASSERT_NE(console, outside);
    QByteArray inWorker;
    QThread *probe = QThread::create([&inWorker] { inWorker = netnsOfThisThread(); });
    probe->start();
    probe->wait();
    delete probe;
    EXPECT_EQ(inWorker, console) << "worker threads must start in the creating thread's netns";

    auto window = std::make_unique<MainWindow>();
    window->setAgentConnector(std::make_shared<collectors::TlsAgentConnector>(lab.identity()));
    window->resize(1400, 900);
    window->show();
    ASSERT_TRUE(window->openFile(file));
    auto *dialog = qobject_cast<DeployDialog *>(window->openDeployDialog());
    ASSERT_NE(dialog, nullptr);
    EXPECT_EQ(dialog->checkedHosts(), (QStringList{"hv1", "hv2", "hv3"}));

    // The dry run starts by itself; the selected host's plan is shown as a diff.
    QSignalSpy planned(dialog, &DeployDialog::plansShown);
    ASSERT_TRUE(planned.wait(60000)) << dialog->summary().toStdString();
    EXPECT_TRUE(dialog->summary().startsWith(QStringLiteral("dry run: 3 hosts planned")))
        << dialog->summary().toStdString();
    for (const QString &h : dialog->checkedHosts()) {
        dialog->hostList()->setCurrentItem(rowNamed(dialog->hostList(), h));
        EXPECT_TRUE(dialog->planView()->toPlainText().contains(QStringLiteral("+ bridge conv")))
            << h.toStdString() << ": " << dialog->planView()->toPlainText().toStdString();
        EXPECT_EQ(dialog->statusOf(h), QStringLiteral("planned"));
    }
    ASSERT_TRUE(dialog->deployButton()->isEnabled());

    // Deploy: every value each progress bar takes is recorded, and sampled while running.
    std::map<QString, std::vector<int>> values;
    for (const QString &h : dialog->checkedHosts())
        QObject::connect(dialog->progressBarFor(h), &QProgressBar::valueChanged, dialog,
                         [&values, h](int v) { values[h].push_back(v); });
    std::set<int> overallSamples;
    QSignalSpy finished(dialog, &DeployDialog::deploymentFinished);
    QTest::mouseClick(dialog->deployButton(), Qt::LeftButton);
    EXPECT_TRUE(dialog->isRunning());
    EXPECT_TRUE(dialog->cancelButton()->isEnabled());
    bool shot = false;
    QDeadlineTimer deadline(180000);
    while (finished.isEmpty() && !deadline.hasExpired()) {
        QTest::qWait(20);
        overallSamples.insert(dialog->overallProgress()->value());
        if (!shot && dialog->overallProgress()->value() >= 60) {
            screenshot(dialog, "deploy-dialog-running.png");
            shot = true;
        }
    }
    ASSERT_EQ(finished.size(), 1) << "the deployment did not finish";
    EXPECT_TRUE(finished.front().at(0).toBool()) << dialog->summary().toStdString();
    EXPECT_EQ(dialog->summary(),
              QStringLiteral("confirmed on 3 hosts after reaching every agent again"));
    EXPECT_TRUE(dialog->findChild<QLabel *>(QStringLiteral("deployStatus"))
                    ->text()
                    .startsWith(QStringLiteral("Confirmed on 3 hosts")));
    for (const QString &h : dialog->checkedHosts()) {
        EXPECT_EQ(dialog->statusOf(h), QStringLiteral("confirmed")) << h.toStdString();
        EXPECT_EQ(dialog->messageOf(h), QStringLiteral("confirmed"));
        EXPECT_EQ(dialog->progressBarFor(h)->value(), 100);
        const std::vector<int> &seen = values[h];
        const std::set<int> intermediate(std::ranges::find_if(seen, [](int v) { return v > 0; }),
                                         std::ranges::find(seen, 100));
        // Planning, applying, reached, confirming: the bar moves through the phases.
        EXPECT_GE(intermediate.size(), 4u) << h.toStdString();
        EXPECT_TRUE(std::ranges::is_sorted(std::ranges::find(seen, 0), seen.end()))
            << h.toStdString();
    }
    std::erase_if(overallSamples, [](int v) { return v == 0 || v == 100; });
    EXPECT_GE(overallSamples.size(), 2u) << "the overall bar advanced through several values";
    screenshot(dialog, "deploy-dialog.png");
    // The plans were used: deploying again needs a new review, which now finds nothing to do.
    EXPECT_FALSE(dialog->deployButton()->isEnabled());
    QTest::mouseClick(dialog->planButton(), Qt::LeftButton);
    ASSERT_TRUE(planned.wait(60000));
    EXPECT_TRUE(dialog->planView()->toPlainText().contains(QStringLiteral("no changes")))
        << dialog->planView()->toPlainText().toStdString();

    // Recorded in the project store, by the user.
    {
        auto store = core::ProjectStore::open(core::ProjectStore::storePathFor(file));
        auto list = store->deployments();
        ASSERT_TRUE(list && list->size() == 1u);
        EXPECT_TRUE(list->front().confirmed);
        EXPECT_EQ(list->front().author, collectors::consoleUser(QStringLiteral("converge")));
        ASSERT_EQ(list->front().hosts.size(), 3u);
        for (const core::deploy::DeploymentHost &h : list->front().hosts)
            EXPECT_EQ(h.result, HostPhase::Confirmed) << h.host.toStdString();
        EXPECT_FALSE((*store->agent(QStringLiteral("hv1")))->version.isEmpty());
    }
    dialog->close();

    // Drift: none right after the deployment...
    DriftPanel *drift = window->driftPanel();
    QSignalSpy checked(drift, &DriftPanel::checkFinished);
    window->checkDrift();
    EXPECT_TRUE(window->findChild<QDockWidget *>(QStringLiteral("driftDock"))->isVisible());
    ASSERT_TRUE(checked.wait(60000));
    EXPECT_EQ(drift->summary(), QStringLiteral("Every host matches the design."));
    for (const char *h : {"hv1", "hv2", "hv3"})
        EXPECT_TRUE(drift->itemsOf(QLatin1String(h)).empty()) << h;

    // ...then a hand-made change on hv3 is named in the list and badged on its vNIC.
    ASSERT_TRUE(lab.hosts()[2].ovs->vsctl({QStringLiteral("set"), QStringLiteral("Port"),
                                           QStringLiteral("db"), QStringLiteral("tag=555")}));
    window->checkDrift();
    ASSERT_TRUE(checked.wait(60000));
    const auto items = drift->itemsOf(QStringLiteral("hv3"));
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items.front().property, QStringLiteral("accessVlan"));
    EXPECT_EQ(items.front().elementId, QStringLiteral("hv3.db.lan"));
    QTreeWidgetItem *hv3 = rowNamed(drift->driftList(), QStringLiteral("hv3"));
    ASSERT_NE(hv3, nullptr);
    EXPECT_EQ(hv3->text(1), QStringLiteral("1 difference(s)"));
    ASSERT_EQ(hv3->childCount(), 1);
    EXPECT_TRUE(hv3->child(0)->text(1).contains(
        QStringLiteral("accessVlan is 200 in the design, 555 on the host")))
        << hv3->child(0)->text(1).toStdString();
    QTest::qWait(50); // the session announces its findings from the event loop
    DesignSession *session = window->session();
    const auto onVnic = session->findingsFor(QStringLiteral("hv3.db.lan"));
    EXPECT_TRUE(std::ranges::any_of(onVnic, [](const core::Finding &f) {
        return f.ruleId == QLatin1String("DRIFT") && f.severity == core::Severity::Warning;
    }));
    EXPECT_LE(window->scene()->badgeOf(QStringLiteral("hv3.db.lan")), int(core::Severity::Warning));
    EXPECT_GE(window->scene()->badgeOf(QStringLiteral("hv3.db.lan")), 0);
    EXPECT_NE(window->validationPanel()->model()->firstNaming(QStringLiteral("hv3.db.lan")),
              QModelIndex());
    screenshot(window.get(), "drift-window.png");

    // Take the running value into the design: one undo step, and the drift is gone.
    const int steps = session->undoStack()->count();
    ASSERT_TRUE(drift->takeRunningValues(QStringLiteral("hv3")));
    EXPECT_EQ(session->undoStack()->count(), steps + 1);
    EXPECT_EQ(session->design()
                  .find(QStringLiteral("hv3.db.lan"))
                  ->value(QLatin1String("accessVlan"))
                  .toInt(),
              555);
    EXPECT_TRUE(drift->itemsOf(QStringLiteral("hv3")).empty());

    // A host changed between review and Deploy: nothing is applied, and the dialog says why.
    auto *again = qobject_cast<DeployDialog *>(window->openDeployDialog());
    ASSERT_NE(again, nullptr);
    QSignalSpy reviewed(again, &DeployDialog::plansShown);
    ASSERT_TRUE(reviewed.wait(60000));
    ASSERT_TRUE(again->deployButton()->isEnabled()) << again->summary().toStdString();
    ASSERT_TRUE(lab.hosts()[0].ovs->vsctl({QStringLiteral("set"), QStringLiteral("Port"),
                                           QStringLiteral("web"), QStringLiteral("tag=777")}));
    QSignalSpy refused(again, &DeployDialog::deploymentFinished);
    QTest::mouseClick(again->deployButton(), Qt::LeftButton);
    ASSERT_TRUE(refused.wait(60000));
    EXPECT_FALSE(refused.front().at(0).toBool());
    EXPECT_EQ(again->summary(), QStringLiteral("cancelled; nothing was applied"));
    EXPECT_TRUE(again->findChild<QLabel *>(QStringLiteral("deployStatus"))
                    ->text()
                    .contains(QStringLiteral("the plan for hv1 changed since it was shown")));
    auto store = core::ProjectStore::open(core::ProjectStore::storePathFor(file));
    EXPECT_EQ(store->deployments()->size(), 1u) << "a refused deployment is not recorded";
    window.reset(); // before the namespace scope ends
}
