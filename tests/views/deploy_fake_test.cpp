// The deploy views against in-memory agents (tests/support/fakeagents.h), without root: the
// Deploy dialog from review to confirmation and its failure paths, the drift panel, the fleet
// and enroll dialogs, and rolling a host back from the history. The same views against real
// agents on Open vSwitch are tested as root in deploy_gui_test.cpp.
#include "viewstestsupport.h"

#include "fakeagents.h"

#include "collectors/console/fleet.h"
#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/realize/desiredstate.h"
#include "core/store/projectstore.h"
#include "views/deploy/deploydialog.h"
#include "views/deploy/driftpanel.h"
#include "views/deploy/enrolldialog.h"
#include "views/deploy/fleetdialog.h"
#include "views/deploy/historydialog.h"
#include "views/mainwindow.h"
#include "views/session/designsession.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QUndoStack>

#include <map>
#include <set>

using namespace converge;
using namespace converge::views;
using converge::testing::FakeAgent;
using converge::testing::FakeAgentConnector;
using core::deploy::HostPhase;

namespace {

const QString fleetDesignPath =
    QStringLiteral(CONVERGE_SOURCE_DIR "/tests/fleet/data/ovs-fleet.converge.json");
const QStringList hostNames{QStringLiteral("hv1"), QStringLiteral("hv2"), QStringLiteral("hv3")};

QString addressOf(const QString &host)
{
    return QStringLiteral("10.79.0.%1:7443").arg(10 + host.right(1).toInt());
}

// The fleet design saved next to its project store, each host's agent an in-memory one,
// enrolled in the store with the certificate it presents.
class FakeFleet : public ::testing::Test
{
protected:
    void SetUp() override
    {
        qputenv("CONVERGE_CONSOLE_DIR", m_dir.filePath(QStringLiteral("console")).toUtf8());
        auto design = core::designdocument::loadFile(fleetDesignPath);
        ASSERT_TRUE(design) << design.error().message.toStdString();
        m_file = m_dir.filePath(QStringLiteral("fleet.converge.json"));
        ASSERT_TRUE(core::designdocument::saveFile(*design, m_file));
        auto store = core::ProjectStore::create(core::ProjectStore::storePathFor(m_file), *design);
        ASSERT_TRUE(store) << store.error().message.toStdString();
        for (const QString &h : hostNames) {
            const auto &agent = m_agents->add(h, addressOf(h));
            ASSERT_TRUE(store->saveAgent(
                {h, agent.address, agent.fingerprint, QDateTime::currentDateTimeUtc(), {}, {}}));
        }
        m_session = std::make_unique<DesignSession>(std::make_unique<core::Design>(*design));
    }

    core::ProjectStore store() const
    {
        return *core::ProjectStore::open(core::ProjectStore::storePathFor(m_file));
    }
    core::realize::HostState desired(const QString &host) const
    {
        return *core::realize::desiredState(m_session->design(), host);
    }
    // Every host runs the design as it is now, as after a confirmed deployment.
    void installDesign()
    {
        for (const QString &h : hostNames)
            m_agents->install(addressOf(h), desired(h));
    }
    // The dry run a dialog starts by itself, then Deploy; the summary of the deployment.
    static bool reviewAndDeploy(DeployDialog &dialog)
    {
        QSignalSpy planned(&dialog, &DeployDialog::plansShown);
        if (!planned.wait(10000) || !dialog.deployButton()->isEnabled())
            return false;
        QSignalSpy finished(&dialog, &DeployDialog::deploymentFinished);
        QTest::mouseClick(dialog.deployButton(), Qt::LeftButton);
        return finished.wait(20000);
    }
    int tagOf(const QString &host, const QString &port) const
    {
        for (const auto &b : m_agents->snapshot(addressOf(host)).running.bridges)
            for (const auto &p : b.ports)
                if (p.name == port)
                    return p.tag;
        return -2;
    }

    QTemporaryDir m_dir;
    QString m_file;
    std::shared_ptr<FakeAgentConnector> m_agents = std::make_shared<FakeAgentConnector>();
    std::unique_ptr<DesignSession> m_session;
};

} // namespace

TEST_F(FakeFleet, DeploysWithProgressPerHostRecordsItAndThenHasNothingToChange)
{
    DeployDialog dialog(m_session.get(), m_file, m_agents);
    EXPECT_EQ(dialog.checkedHosts(), hostNames);
    QSignalSpy planned(&dialog, &DeployDialog::plansShown);
    ASSERT_TRUE(planned.wait(10000));
    EXPECT_TRUE(dialog.summary().startsWith(QStringLiteral("dry run: 3 hosts planned")))
        << dialog.summary().toStdString();
    for (const QString &h : hostNames) {
        EXPECT_EQ(dialog.statusOf(h), QStringLiteral("planned"));
        dialog.hostList()->setCurrentItem(dialog.hostList()->rowFor(h)->item);
        EXPECT_TRUE(dialog.planView()->toPlainText().contains(QStringLiteral("+ bridge conv")))
            << dialog.planView()->toPlainText().toStdString();
    }
    // The team's bond for review, one setting a line below its operation, and what the flow
    // table is made of.
    const QString shown = dialog.planView()->toPlainText();
    EXPECT_TRUE(shown.contains(QStringLiteral(
        "\n  + port team0 on conv\n      type: bond\n      uplink: yes\n      bond mode: "
        "active-backup (team mode SwitchIndependent or Static, with a standby member)\n      "
        "members: up1, up2\n      primary member: up1 (standby up2)\n")))
        << shown.toStdString();
    EXPECT_TRUE(shown.contains(QStringLiteral("\n      ACL deny out from any to 10.78.10.0/24\n")));
    EXPECT_TRUE(
        shown.contains(QStringLiteral("\n  ~ flow table of conv\n      19 flows: 12 guard, 2 "
                                      "ACL, 5 forwarding\n      meter 41813 (web 1 Gb/s)\n")))
        << shown.toStdString();
    // A review changes nothing on the hosts.
    EXPECT_TRUE(m_agents->snapshot(addressOf(QStringLiteral("hv1"))).running.bridges.empty());

    std::map<QString, std::vector<int>> values;
    for (const QString &h : hostNames)
        QObject::connect(dialog.progressBarFor(h), &QProgressBar::valueChanged, &dialog,
                         [&values, h](int v) { values[h].push_back(v); });
    QSignalSpy finished(&dialog, &DeployDialog::deploymentFinished);
    QSignalSpy recorded(&dialog, &DeployDialog::deploymentRecorded);
    QTest::mouseClick(dialog.deployButton(), Qt::LeftButton);
    EXPECT_TRUE(dialog.isRunning());
    EXPECT_TRUE(dialog.cancelButton()->isEnabled());
    EXPECT_FALSE(dialog.deployButton()->isEnabled());
    ASSERT_TRUE(finished.wait(20000));
    EXPECT_TRUE(finished.front().at(0).toBool());
    EXPECT_EQ(dialog.summary(),
              QStringLiteral("confirmed on 3 hosts after reaching every agent again"));
    EXPECT_TRUE(dialog.findChild<QLabel *>(QStringLiteral("deployStatus"))
                    ->text()
                    .startsWith(QStringLiteral("Confirmed on 3 hosts")));
    for (const QString &h : hostNames) {
        EXPECT_EQ(dialog.statusOf(h), QStringLiteral("confirmed")) << h.toStdString();
        EXPECT_EQ(dialog.progressBarFor(h)->value(), 100);
        const std::vector<int> &seen = values[h];
        EXPECT_TRUE(std::ranges::is_sorted(seen)) << h.toStdString();
        // Applying, applied, reached, confirming: the bar moves through the phases.
        EXPECT_GE(std::set<int>(seen.begin(), seen.end()).size(), 4u) << h.toStdString();
        // The host now runs the design, and no transaction waits for a confirmation.
        const auto agent = m_agents->snapshot(addressOf(h));
        EXPECT_FALSE(agent.pending.has_value());
        EXPECT_EQ(agent.running.bridges.size(), 1u);
    }
    EXPECT_EQ(dialog.overallProgress()->value(), 100);

    ASSERT_EQ(recorded.size(), 1);
    auto list = store().deployments();
    ASSERT_TRUE(list && list->size() == 1u);
    EXPECT_EQ(list->front().id, recorded.front().at(0).toLongLong());
    EXPECT_TRUE(list->front().confirmed);
    EXPECT_EQ(list->front().author, collectors::consoleUser(QStringLiteral("converge")));
    ASSERT_EQ(list->front().hosts.size(), 3u);
    for (const core::deploy::DeploymentHost &h : list->front().hosts) {
        EXPECT_EQ(h.result, HostPhase::Confirmed);
        EXPECT_FALSE(h.plan.isEmpty());
    }
    EXPECT_EQ((*store().agent(QStringLiteral("hv2")))->version, QStringLiteral("0.1.0-fake"));

    // What was reviewed has been used: a new review finds nothing left to do.
    EXPECT_FALSE(dialog.deployButton()->isEnabled());
    QTest::mouseClick(dialog.planButton(), Qt::LeftButton);
    ASSERT_TRUE(planned.wait(10000));
    EXPECT_TRUE(dialog.planView()->toPlainText().contains(QStringLiteral("no changes")))
        << dialog.planView()->toPlainText().toStdString();
}

TEST_F(FakeFleet, AHostUnreachableAfterTheChangeRollsTheOthersBackAndIsLeftToItsDeadline)
{
    m_agents->with(addressOf(QStringLiteral("hv2")),
                   [](FakeAgent &a) { a.unreachableAfterApply = true; });
    DeployDialog dialog(m_session.get(), m_file, m_agents);
    ASSERT_TRUE(reviewAndDeploy(dialog));
    // Only the hosts that were rolled back are counted as such (it used to say "3 hosts rolled
    // back" while hv2 still ran the change).
    EXPECT_EQ(dialog.summary(),
              QStringLiteral("not confirmed (hv2 not reachable after the change): 2 hosts rolled "
                             "back; hv2 not reachable: it keeps the change until its confirmation "
                             "deadline, then rolls back by itself"));
    for (const char *h : {"hv1", "hv3"})
        EXPECT_EQ(dialog.statusOf(QLatin1String(h)), QStringLiteral("rolled back")) << h;
    EXPECT_EQ(dialog.statusOf(QStringLiteral("hv2")), QStringLiteral("left to its deadline"));
    EXPECT_TRUE(dialog.messageOf(QStringLiteral("hv2"))
                    .contains(QStringLiteral("it keeps the change until its confirmation "
                                             "deadline, ")))
        << dialog.messageOf(QStringLiteral("hv2")).toStdString();
    // hv1 and hv3 were rolled back on request; hv2 still waits for a confirmation that will not
    // come, and rolls back at its own deadline.
    for (const char *h : {"hv1", "hv3"}) {
        const auto agent = m_agents->snapshot(addressOf(QLatin1String(h)));
        EXPECT_TRUE(agent.running.bridges.empty()) << h;
        EXPECT_EQ(agent.rollbacks, 1) << h;
    }
    EXPECT_TRUE(m_agents->snapshot(addressOf(QStringLiteral("hv2"))).pending.has_value());
    EXPECT_EQ(m_agents->snapshot(addressOf(QStringLiteral("hv2"))).rollbacks, 0);
    auto list = store().deployments();
    ASSERT_TRUE(list && list->size() == 1u);
    EXPECT_FALSE(list->front().confirmed);
    EXPECT_EQ(list->front().summary, dialog.summary());
    ASSERT_EQ(list->front().hosts.size(), 3u);
    EXPECT_EQ(list->front().hosts[1].result, HostPhase::LeftToDeadline);
}

TEST_F(FakeFleet, AHostThatChangedSinceItsPlanWasShownGetsNothingApplied)
{
    DeployDialog dialog(m_session.get(), m_file, m_agents);
    QSignalSpy planned(&dialog, &DeployDialog::plansShown);
    ASSERT_TRUE(planned.wait(10000));
    ASSERT_TRUE(dialog.deployButton()->isEnabled());
    // Someone changes hv1 by hand between the review and Deploy.
    m_agents->install(addressOf(QStringLiteral("hv1")), desired(QStringLiteral("hv2")));
    QSignalSpy finished(&dialog, &DeployDialog::deploymentFinished);
    QTest::mouseClick(dialog.deployButton(), Qt::LeftButton);
    ASSERT_TRUE(finished.wait(10000));
    EXPECT_FALSE(finished.front().at(0).toBool());
    EXPECT_EQ(dialog.summary(), QStringLiteral("cancelled; nothing was applied"));
    EXPECT_TRUE(dialog.findChild<QLabel *>(QStringLiteral("deployStatus"))
                    ->text()
                    .contains(QStringLiteral("the plan for hv1 changed since it was shown")));
    for (const QString &h : hostNames)
        EXPECT_FALSE(m_agents->snapshot(addressOf(h)).requests.contains(QStringLiteral("apply")))
            << h.toStdString();
    EXPECT_TRUE(store().deployments()->empty()) << "a refused deployment is not recorded";
    EXPECT_FALSE(dialog.deployButton()->isEnabled()) << "the new plan needs a review";
}

TEST_F(FakeFleet, CancellingWhileApplyingRollsBackWhatWasApplied)
{
    DeployDialog dialog(m_session.get(), m_file, m_agents);
    QSignalSpy planned(&dialog, &DeployDialog::plansShown);
    ASSERT_TRUE(planned.wait(10000));
    for (const QString &h : hostNames)
        m_agents->with(addressOf(h), [](FakeAgent &a) { a.delayMs = 400; });
    QSignalSpy finished(&dialog, &DeployDialog::deploymentFinished);
    QTest::mouseClick(dialog.deployButton(), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return dialog.statusOf(QStringLiteral("hv1")) == QStringLiteral("applying"); },
        10000));
    QTest::mouseClick(dialog.cancelButton(), Qt::LeftButton);
    EXPECT_FALSE(dialog.cancelButton()->isEnabled());
    EXPECT_FALSE(dialog.deployButton()->isEnabled());
    ASSERT_TRUE(finished.wait(20000));
    EXPECT_FALSE(finished.front().at(0).toBool());
    EXPECT_TRUE(dialog.summary().startsWith(QStringLiteral("not confirmed (cancelled)")))
        << dialog.summary().toStdString();
    for (const QString &h : hostNames) {
        const auto agent = m_agents->snapshot(addressOf(h));
        EXPECT_TRUE(agent.running.bridges.empty()) << h.toStdString();
        EXPECT_FALSE(agent.pending.has_value()) << h.toStdString();
    }
}

TEST_F(FakeFleet, DriftIsListedAndBadgedAndTheRunningValueCanBeTakenIn)
{
    installDesign();
    DriftPanel panel;
    panel.setAgentConnector(m_agents);
    panel.setSession(m_session.get(), m_file);
    QSignalSpy checked(&panel, &DriftPanel::checkFinished);
    panel.check();
    ASSERT_TRUE(checked.wait(10000));
    EXPECT_EQ(panel.summary(), QStringLiteral("Every host matches the design."));

    // A VLAN changed by hand on hv3, and hv2 cannot be reached.
    m_agents->with(addressOf(QStringLiteral("hv3")), [](FakeAgent &a) {
        for (auto &b : a.running.bridges)
            for (auto &p : b.ports)
                if (p.name == QLatin1String("db"))
                    p.tag = 555;
    });
    m_agents->with(addressOf(QStringLiteral("hv2")), [](FakeAgent &a) { a.reachable = false; });
    panel.check();
    ASSERT_TRUE(checked.wait(10000));
    EXPECT_EQ(panel.summary(), QStringLiteral("1 host(s) differ from the design; 1 unreachable"));
    const auto items = panel.itemsOf(QStringLiteral("hv3"));
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items.front().property, QStringLiteral("accessVlan"));
    EXPECT_EQ(items.front().elementId, QStringLiteral("hv3.db.lan"));
    const auto hv2 = panel.driftList()->findItems(QStringLiteral("hv2"), Qt::MatchExactly);
    ASSERT_EQ(hv2.size(), 1);
    EXPECT_TRUE(hv2.front()->text(1).startsWith(QStringLiteral("unreachable: ")));
    QTest::qWait(50); // the session announces its findings from the event loop
    EXPECT_TRUE(std::ranges::any_of(m_session->findingsFor(QStringLiteral("hv3.db.lan")),
                                    [](const core::Finding &f) { return f.ruleId == "DRIFT"; }));

    ASSERT_TRUE(panel.takeRunningValues(QStringLiteral("hv3")));
    EXPECT_EQ(m_session->undoStack()->count(), 1);
    EXPECT_EQ(
        m_session->design().find(QStringLiteral("hv3.db.lan"))->value(QLatin1String("accessVlan")),
        555);
    EXPECT_TRUE(panel.itemsOf(QStringLiteral("hv3")).empty());
    m_session->undoStack()->undo(); // the difference is back, recomputed against the design
    EXPECT_TRUE(
        QTest::qWaitFor([&] { return panel.itemsOf(QStringLiteral("hv3")).size() == 1u; }, 2000));
}

TEST_F(FakeFleet, FleetCheckSaysWhichAgentsAnswerAndRecordsTheirVersion)
{
    m_agents->with(addressOf(QStringLiteral("hv3")), [](FakeAgent &a) { a.reachable = false; });
    FleetDialog dialog(m_session.get(), m_file, m_agents);
    ASSERT_EQ(dialog.agentList()->topLevelItemCount(), 3);
    QSignalSpy done(&dialog, &FleetDialog::checksFinished);
    dialog.check({});
    ASSERT_TRUE(done.wait(10000));
    QTreeWidget *list = dialog.agentList();
    EXPECT_EQ(list->topLevelItem(0)->text(FleetDialog::CheckColumn), QStringLiteral("reachable"));
    EXPECT_EQ(list->topLevelItem(0)->text(FleetDialog::VersionColumn),
              QStringLiteral("0.1.0-fake"));
    EXPECT_TRUE(list->topLevelItem(2)->text(FleetDialog::CheckColumn).startsWith("unreachable: "));
    EXPECT_EQ((*store().agent(QStringLiteral("hv1")))->version, QStringLiteral("0.1.0-fake"));
    EXPECT_TRUE((*store().agent(QStringLiteral("hv3")))->version.isEmpty());
}

TEST_F(FakeFleet, EnrollWaitsUntilTheAgentHasTheGeneratedTokenThenTheFleetKeepsIt)
{
    m_agents->add(QStringLiteral("hv4"), QStringLiteral("10.79.0.14:7443"));
    FleetDialog fleet(m_session.get(), m_file, m_agents);
    EnrollDialog dialog(m_session->design(), m_agents);
    QObject::connect(&dialog, &EnrollDialog::enrolled, &fleet, &FleetDialog::saveAgent);
    dialog.hostBox()->setCurrentIndex(0);
    dialog.addressEdit()->setText(QStringLiteral("10.79.0.14:7443"));
    const QString token = dialog.generateToken();
    QSignalSpy enrolled(&dialog, &EnrollDialog::enrolled);
    dialog.enroll();
    // The agent does not have the token yet: the dialog keeps trying and says so.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return dialog.statusText().contains(QStringLiteral("attempt 1")); }, 10000))
        << dialog.statusText().toStdString();
    EXPECT_TRUE(dialog.statusText().contains(QStringLiteral("enroll-denied")));
    // The admin runs `converged --enroll-token TOKEN` on the host.
    m_agents->with(QStringLiteral("10.79.0.14:7443"),
                   [&token](FakeAgent &a) { a.enrollToken = token; });
    ASSERT_TRUE(enrolled.wait(10000)) << dialog.statusText().toStdString();
    const auto fingerprint = m_agents->snapshot(QStringLiteral("10.79.0.14:7443")).fingerprint;
    EXPECT_EQ(dialog.record().fingerprint, fingerprint);
    EXPECT_EQ(dialog.record().version, QStringLiteral("0.1.0-fake"));
    auto saved = store().agent(QStringLiteral("hv1"));
    ASSERT_TRUE(saved && *saved);
    EXPECT_EQ((*saved)->address, QStringLiteral("10.79.0.14:7443"));
    EXPECT_EQ((*saved)->fingerprint, fingerprint);
}

TEST_F(FakeFleet, HistoryRollsAHostBackToAnEarlierDeployment)
{
    {
        DeployDialog first(m_session.get(), m_file, m_agents);
        ASSERT_TRUE(reviewAndDeploy(first));
    }
    ASSERT_EQ(tagOf(QStringLiteral("hv1"), QStringLiteral("web")), 100);
    ASSERT_TRUE(m_session->apply(core::commands::setProperty(
        m_session->design(), QStringLiteral("hv1.web.lan"), QStringLiteral("accessVlan"), 101)));
    {
        DeployDialog second(m_session.get(), m_file, m_agents);
        ASSERT_TRUE(reviewAndDeploy(second));
    }
    ASSERT_EQ(tagOf(QStringLiteral("hv1"), QStringLiteral("web")), 101);

    HistoryDialog history(m_session.get(), m_file, m_agents);
    QTreeWidget *list = history.deploymentList();
    ASSERT_EQ(list->topLevelItemCount(), 2);
    QTreeWidgetItem *first = list->topLevelItem(1); // newest first
    ASSERT_EQ(first->text(0), QStringLiteral("#1"));
    // A design file's store has no edit history: the revision still tells the designs apart.
    const QRegularExpression revision(QStringLiteral("^\\d+ \\([0-9a-f]{12}\\)$"));
    const QString firstRevision = first->text(3);
    EXPECT_TRUE(revision.match(firstRevision).hasMatch()) << firstRevision.toStdString();
    EXPECT_TRUE(firstRevision.startsWith(QStringLiteral("1 (")));
    EXPECT_TRUE(list->topLevelItem(0)->text(3).startsWith(QStringLiteral("2 (")))
        << list->topLevelItem(0)->text(3).toStdString();
    list->setCurrentItem(first->child(0));
    ASSERT_EQ(first->child(0)->text(0), QStringLiteral("hv1"));
    ASSERT_TRUE(history.rollbackButton()->isEnabled());
    QSignalSpy opened(&history, &HistoryDialog::rollbackOpened);
    history.rollBackSelected();
    ASSERT_EQ(opened.size(), 1);
    auto *dialog = qobject_cast<DeployDialog *>(opened.front().at(0).value<QDialog *>());
    ASSERT_NE(dialog, nullptr);
    EXPECT_EQ(dialog->hostNames(), QStringList{"hv1"});
    QSignalSpy planned(dialog, &DeployDialog::plansShown);
    ASSERT_TRUE(planned.wait(10000));
    EXPECT_TRUE(dialog->planView()->toPlainText().contains(
        QStringLiteral("~ port web on conv: VLAN: access 101 -> access 100")))
        << dialog->planView()->toPlainText().toStdString();
    QSignalSpy finished(dialog, &DeployDialog::deploymentFinished);
    QTest::mouseClick(dialog->deployButton(), Qt::LeftButton);
    ASSERT_TRUE(finished.wait(10000));
    EXPECT_TRUE(finished.front().at(0).toBool()) << dialog->summary().toStdString();
    EXPECT_EQ(tagOf(QStringLiteral("hv1"), QStringLiteral("web")), 100);
    EXPECT_EQ(tagOf(QStringLiteral("hv2"), QStringLiteral("web")), 100) << "only hv1 went back";
    auto all = store().deployments();
    ASSERT_TRUE(all && all->size() == 3u);
    EXPECT_TRUE(all->front().summary.startsWith(QStringLiteral("rollback of hv1 to deployment #1: "
                                                               "confirmed on 1 hosts")))
        << all->front().summary.toStdString();
    EXPECT_EQ(list->topLevelItemCount(), 3) << "the history shows the rollback";
    // The rollback deployed #1's design again: the same revision.
    EXPECT_EQ(list->topLevelItem(0)->text(3), firstRevision);
}

TEST_F(FakeFleet, TheMainWindowsDeployMenuUsesTheConnectorItWasGiven)
{
    MainWindow window;
    window.setAgentConnector(m_agents);
    ASSERT_TRUE(window.openFile(m_file));
    auto *dialog = qobject_cast<DeployDialog *>(window.openDeployDialog());
    ASSERT_NE(dialog, nullptr);
    QSignalSpy planned(dialog, &DeployDialog::plansShown);
    ASSERT_TRUE(planned.wait(10000));
    EXPECT_EQ(dialog->statusOf(QStringLiteral("hv1")), QStringLiteral("planned"));
    EXPECT_GE(m_agents->opened(), 3);
    dialog->close();
    QSignalSpy checked(window.driftPanel(), &DriftPanel::checkFinished);
    window.checkDrift();
    ASSERT_TRUE(checked.wait(10000));
    EXPECT_EQ(window.driftPanel()->itemsOf(QStringLiteral("hv1")).size(), 1u)
        << "nothing deployed yet: the bridge is missing";
}
