// convergectl's fleet commands against in-memory agents (tests/support/fakeagents.h), in process
// and without root: enroll, agents, deploy (dry run, deployment, refusal, a host lost after the
// change), drift, history and rollback; and every command's --help. The same commands against
// real agents on Open vSwitch are tested as root in tests/fleet.
#include "fakeagents.h"
#include "testapp.h"

#include "app/convergectl/cli.h"
#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/realize/desiredstate.h"
#include "core/store/projectstore.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QMutex>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace converge;
using converge::testing::FakeAgent;
using converge::testing::FakeAgentConnector;

namespace {

struct Outcome
{
    int code = -1;
    QString out;
    QString err;
};

// The Qt log messages sent while it lives, by category (warnings and above, and info and debug
// when their category is enabled): what would go to stderr besides the command's own output.
class LogCapture
{
public:
    LogCapture() { m_previous = qInstallMessageHandler(&LogCapture::handle); }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous);
        QMutexLocker lock(&s_mutex);
        s_messages.clear();
    }
    LogCapture(const LogCapture &) = delete;
    LogCapture &operator=(const LogCapture &) = delete;

    QStringList from(const char *category) const
    {
        QMutexLocker lock(&s_mutex);
        return s_messages.value(QLatin1String(category));
    }

private:
    static void handle(QtMsgType, const QMessageLogContext &context, const QString &message)
    {
        QMutexLocker lock(&s_mutex);
        s_messages[QLatin1String(context.category ? context.category : "default")] << message;
    }

    QtMessageHandler m_previous = nullptr;
    static inline QMutex s_mutex;
    static inline QHash<QString, QStringList> s_messages;
};

// "#N ... revision R (HASH) ..." lines of convergectl history: N -> "R (HASH)".
QMap<QString, QString> revisionsIn(const QString &history)
{
    QMap<QString, QString> out;
    static const QRegularExpression line(
        QStringLiteral("^#(\\d+) .* revision (\\d+ \\([0-9a-f]{12}\\)) "),
        QRegularExpression::MultilineOption);
    for (const QRegularExpressionMatch &m : line.globalMatch(history))
        out.insert(m.captured(1), m.captured(2));
    return out;
}

class CliFleet : public ::testing::Test
{
protected:
    void SetUp() override
    {
        converge::testing::ensureApp();
        qputenv("CONVERGE_CONSOLE_DIR", m_dir.filePath(QStringLiteral("console")).toUtf8());
        auto design = core::designdocument::loadFile(
            QStringLiteral(CONVERGE_SOURCE_DIR "/tests/fleet/data/ovs-fleet.converge.json"));
        ASSERT_TRUE(design) << design.error().message.toStdString();
        m_design = std::move(*design);
        m_file = m_dir.filePath(QStringLiteral("fleet.converge.json"));
        ASSERT_TRUE(core::designdocument::saveFile(m_design, m_file));
        for (int i = 1; i <= 3; ++i)
            m_agents->add(QStringLiteral("hv%1").arg(i), address(i)).enrollToken =
                QStringLiteral("%1").arg(i, 32, 10, QLatin1Char('0'));
    }
    static QString address(int i) { return QStringLiteral("10.79.0.%1:7443").arg(10 + i); }

    Outcome ctl(const QStringList &args)
    {
        Outcome r;
        QTextStream out(&r.out);
        QTextStream err(&r.err);
        app::Cli cli{out, err, m_agents};
        r.code = app::runCli(args, cli);
        out.flush();
        err.flush();
        return r;
    }
    void enrollAll()
    {
        for (int i = 1; i <= 3; ++i) {
            const Outcome r = ctl({QStringLiteral("enroll"), m_file, QStringLiteral("hv%1").arg(i),
                                   address(i), QStringLiteral("--token"),
                                   QStringLiteral("%1").arg(i, 32, 10, QLatin1Char('0'))});
            ASSERT_EQ(r.code, 0) << r.err.toStdString();
        }
    }
    bool set(const QString &id, const QString &key, const QJsonValue &value)
    {
        auto edit = core::commands::setProperty(m_design, id, key, value);
        return edit && m_design.apply(*edit) && core::designdocument::saveFile(m_design, m_file);
    }
    int tagOf(int host, const QString &port) const
    {
        for (const auto &b : m_agents->snapshot(address(host)).running.bridges)
            for (const auto &p : b.ports)
                if (p.name == port)
                    return p.tag;
        return -2;
    }

    QTemporaryDir m_dir;
    core::Design m_design;
    QString m_file;
    std::shared_ptr<FakeAgentConnector> m_agents = std::make_shared<FakeAgentConnector>();
};

} // namespace

TEST_F(CliFleet, EnrollsDeploysSeesDriftAndRollsAHostBack)
{
    // A wrong token pins nothing.
    Outcome wrong = ctl({QStringLiteral("enroll"), m_file, QStringLiteral("hv1"), address(1),
                         QStringLiteral("--token"), QString(32, QLatin1Char('f'))});
    EXPECT_EQ(wrong.code, 3);
    EXPECT_TRUE(wrong.err.contains(QStringLiteral("enroll-denied"))) << wrong.err.toStdString();
    enrollAll();
    const Outcome agents = ctl({QStringLiteral("agents"), m_file});
    ASSERT_EQ(agents.code, 0) << agents.err.toStdString();
    EXPECT_TRUE(agents.out.contains(QStringLiteral("0.1.0-fake"))) << agents.out.toStdString();
    EXPECT_EQ(agents.out.count(QStringLiteral("10.79.0.")), 3);

    const Outcome dry = ctl({QStringLiteral("deploy"), m_file, QStringLiteral("--dry-run")});
    ASSERT_EQ(dry.code, 0) << dry.err.toStdString();
    EXPECT_TRUE(dry.out.contains(QStringLiteral("plan for hv2:"))) << dry.out.toStdString();
    EXPECT_TRUE(dry.out.contains(QStringLiteral("+ bridge conv")));
    EXPECT_TRUE(dry.out.contains(QStringLiteral("dry run: 3 hosts planned")));
    EXPECT_EQ(tagOf(1, QStringLiteral("web")), -2) << "a dry run changes nothing";

    const Outcome deployed = ctl({QStringLiteral("deploy"), m_file});
    ASSERT_EQ(deployed.code, 0) << deployed.out.toStdString() << deployed.err.toStdString();
    EXPECT_TRUE(
        deployed.out.contains(QStringLiteral("confirmed on 3 hosts after reaching every agent")));
    EXPECT_EQ(tagOf(1, QStringLiteral("web")), 100);
    const Outcome clean = ctl({QStringLiteral("drift"), m_file});
    EXPECT_EQ(clean.code, 0) << clean.out.toStdString();
    EXPECT_EQ(clean.out.count(QStringLiteral("matches the design")), 3);

    // The design changes hv1's VLAN; only that difference is deployed.
    ASSERT_TRUE(set(QStringLiteral("hv1.web.lan"), QStringLiteral("accessVlan"), 101));
    const Outcome change = ctl({QStringLiteral("deploy"), m_file});
    ASSERT_EQ(change.code, 0) << change.out.toStdString();
    EXPECT_TRUE(change.out.contains(QStringLiteral("plan for hv1:\n  ~ port web on conv: VLAN: "
                                                   "access 100 -> access 101")))
        << change.out.toStdString();
    EXPECT_TRUE(change.out.contains(QStringLiteral("; 2 unchanged")));

    // Roll hv1 back to what deployment #1 left there.
    const Outcome back = ctl({QStringLiteral("rollback"), m_file, QStringLiteral("--host"),
                              QStringLiteral("hv1"), QStringLiteral("--to"), QStringLiteral("1")});
    ASSERT_EQ(back.code, 0) << back.out.toStdString() << back.err.toStdString();
    EXPECT_TRUE(back.out.contains(QStringLiteral("rollback of hv1 to deployment #1: confirmed on "
                                                 "1 hosts")))
        << back.out.toStdString();
    EXPECT_EQ(tagOf(1, QStringLiteral("web")), 100);
    const Outcome drift =
        ctl({QStringLiteral("drift"), m_file, QStringLiteral("--host"), QStringLiteral("hv1")});
    EXPECT_EQ(drift.code, 1);
    EXPECT_TRUE(drift.out.contains(QStringLiteral(
        "port web on bridge conv: accessVlan is 101 in the design, 100 on the host")))
        << drift.out.toStdString();
    const Outcome history = ctl({QStringLiteral("history"), m_file});
    ASSERT_EQ(history.code, 0);
    EXPECT_EQ(history.out.count(
                  QRegularExpression(QStringLiteral("^#\\d"), QRegularExpression::MultilineOption)),
              3)
        << history.out.toStdString();
    // The design file's store has no edit history: the revision still tells the designs apart.
    // #2 deployed a changed design; the rollback (#3) deployed #1's design again.
    const QMap<QString, QString> revisions = revisionsIn(history.out);
    ASSERT_EQ(revisions.size(), 3) << history.out.toStdString();
    EXPECT_TRUE(revisions.value(QStringLiteral("1")).startsWith(QStringLiteral("1 (")));
    EXPECT_TRUE(revisions.value(QStringLiteral("2")).startsWith(QStringLiteral("2 (")));
    EXPECT_EQ(revisions.value(QStringLiteral("3")), revisions.value(QStringLiteral("1")));
    const Outcome unknown =
        ctl({QStringLiteral("rollback"), m_file, QStringLiteral("--host"), QStringLiteral("hv1"),
             QStringLiteral("--to"), QStringLiteral("9")});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_TRUE(unknown.err.contains(QStringLiteral("there is no deployment #9")));
}

// What a reviewer checks before a deployment lands: the team's bond, the guards, the rates and
// every ACL rule; and when one rule of three changes, that rule.
TEST_F(CliFleet, ThePlanShowsTheSecuritySettingsOneAclRuleAtATime)
{
    enrollAll();
    const auto dryRun = [this] {
        return ctl({QStringLiteral("deploy"), m_file, QStringLiteral("--host"),
                    QStringLiteral("hv1"), QStringLiteral("--dry-run")});
    };
    const Outcome first = dryRun();
    ASSERT_EQ(first.code, 0) << first.err.toStdString();
    for (const char *line :
         {"\n  + port team0 on conv\n      type: bond\n      uplink: yes\n      bond mode: "
          "active-backup (team mode SwitchIndependent or Static, with a standby member)\n      "
          "members: up1, up2\n      primary member: up1 (standby up2)\n",
          "\n  + port web on conv\n      VLAN: access 100\n      maximum rate from the vNIC: 1 "
          "Gb/s (OpenFlow meter 41813 on the userspace datapath)\n      MAC: 02:cf:01:00:00:0a\n"
          "      MAC spoofing: blocked (the port may send from 02:cf:01:00:00:0a only)\n"
          "      DHCP guard: on (drops DHCP server messages from the port)\n      router guard: "
          "on (drops IPv6 router advertisements and redirects from the port)\n      ACL meter in "
          "from 0.0.0.0/0 to any\n",
          "\n      ACL deny out from any to 10.78.10.0/24\n",
          "\n  ~ flow table of conv\n      19 flows: 12 guard, 2 ACL, 5 forwarding\n      meter "
          "41813 (web 1 Gb/s)\n"})
        EXPECT_TRUE(first.out.contains(QLatin1String(line))) << line << "\n"
                                                             << first.out.toStdString();

    const auto rule = [](const char *remote, int port) {
        return QJsonObject{{QStringLiteral("direction"), QStringLiteral("Inbound")},
                           {QStringLiteral("action"), QStringLiteral("Deny")},
                           {QStringLiteral("protocol"), QStringLiteral("TCP")},
                           {QStringLiteral("remoteAddress"), QLatin1String(remote)},
                           {QStringLiteral("localPorts"), QJsonArray{port}}};
    };
    ASSERT_TRUE(set(
        QStringLiteral("hv1.web.lan"), QStringLiteral("acls"),
        QJsonArray{rule("10.0.0.0/24", 22), rule("10.0.1.0/24", 443), rule("10.0.2.0/24", 3389)}));
    ASSERT_EQ(
        ctl({QStringLiteral("deploy"), m_file, QStringLiteral("--host"), QStringLiteral("hv1")})
            .code,
        0);
    ASSERT_TRUE(set(
        QStringLiteral("hv1.web.lan"), QStringLiteral("acls"),
        QJsonArray{rule("10.0.0.0/24", 22), rule("10.0.1.0/24", 8443), rule("10.0.2.0/24", 3389)}));
    const Outcome changed = dryRun();
    ASSERT_EQ(changed.code, 0) << changed.err.toStdString();
    EXPECT_TRUE(changed.out.contains(
        QStringLiteral("plan for hv1:\n"
                       "  ~ port web on conv\n"
                       "      - ACL deny in tcp from 10.0.1.0/24 to any port 443\n"
                       "      + ACL deny in tcp from 10.0.1.0/24 to any port 8443\n"
                       "  ~ flow table of conv\n"
                       "      21 flows: 12 guard, 4 ACL, 5 forwarding\n"
                       "      meter 41813 (web 1 Gb/s)\n")))
        << changed.out.toStdString();
}

TEST_F(CliFleet, AHostLostAfterTheChangeRollsTheOthersBackAndExitsFour)
{
    enrollAll();
    m_agents->with(address(3), [](FakeAgent &a) { a.unreachableAfterApply = true; });
    LogCapture log;
    const Outcome r = ctl({QStringLiteral("deploy"), m_file, QStringLiteral("--confirm-timeout"),
                           QStringLiteral("30")});
    EXPECT_EQ(r.code, 4) << r.out.toStdString();
    // hv1 and hv2 were rolled back; hv3 could not be asked and runs the change until its
    // deadline: it is not counted as rolled back.
    const QString summary =
        QStringLiteral("not confirmed (hv3 not reachable after the change): 2 hosts rolled back; "
                       "hv3 not reachable: it keeps the change until its confirmation deadline, "
                       "then rolls back by itself");
    EXPECT_EQ(r.out.count(summary), 1) << r.out.toStdString();
    EXPECT_FALSE(r.out.contains(QStringLiteral("3 hosts rolled back"))) << r.out.toStdString();
    EXPECT_TRUE(r.out.contains(QRegularExpression(QStringLiteral("hv3 .* left to its deadline "
                                                                 "not reachable to roll it back"))))
        << r.out.toStdString();
    EXPECT_TRUE(m_agents->snapshot(address(3)).pending.has_value());
    EXPECT_EQ(m_agents->snapshot(address(3)).rollbacks, 0);
    // The summary is said once, on stdout: the deploy engine does not log it too.
    EXPECT_TRUE(log.from("converge.console.deploy").isEmpty())
        << log.from("converge.console.deploy").join(u'\n').toStdString();
    auto store = core::ProjectStore::open(core::ProjectStore::storePathFor(m_file));
    ASSERT_TRUE(store);
    auto list = store->deployments();
    ASSERT_TRUE(list && list->size() == 1u);
    EXPECT_EQ(list->front().summary, summary);
    EXPECT_EQ(list->front().hosts.back().result, core::deploy::HostPhase::LeftToDeadline);
    EXPECT_EQ(tagOf(1, QStringLiteral("web")), -2);
    EXPECT_EQ(m_agents->snapshot(address(1)).rollbacks, 1);
    const Outcome drift = ctl({QStringLiteral("drift"), m_file});
    EXPECT_EQ(drift.code, 4) << "hv3 is unreachable";
    EXPECT_TRUE(drift.out.contains(QStringLiteral("hv3: unreachable: ")));
}

TEST_F(CliFleet, AHostWhoseRollbackFailedIsNotCountedAsRolledBack)
{
    enrollAll();
    m_agents->with(address(1),
                   [](FakeAgent &a) { a.refuseApply = QStringLiteral("apply-failed"); });
    m_agents->with(address(2),
                   [](FakeAgent &a) { a.refuseRollback = QStringLiteral("rollback-failed"); });
    const Outcome r = ctl({QStringLiteral("deploy"), m_file});
    EXPECT_EQ(r.code, 4) << r.out.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral(
        "not confirmed (failed on hv1): 1 host rolled back; the rollback failed on hv2 (the agent "
        "retries it)\n")))
        << r.out.toStdString();
    EXPECT_TRUE(r.out.contains(QRegularExpression(
        QStringLiteral("hv2 .* failed +the rollback failed: .*rollback-failed"))))
        << r.out.toStdString();
    EXPECT_TRUE(m_agents->snapshot(address(2)).pending.has_value());
    EXPECT_EQ(m_agents->snapshot(address(3)).rollbacks, 1);
}

// The connection to an agent dropped while the apply was in flight (kill -9, issue 13): the CLI
// says so, connects again and tells what became of the apply; it no longer asks whether this
// console is enrolled.
TEST_F(CliFleet, AnApplyWhoseConnectionDroppedSaysWhatBecameOfIt)
{
    enrollAll();
    m_agents->with(address(1),
                   [](FakeAgent &a) { a.dropApply = FakeAgent::DropApply::RolledBack; });
    m_agents->with(address(2), [](FakeAgent &a) { a.dropApply = FakeAgent::DropApply::Applied; });
    const Outcome r = ctl({QStringLiteral("deploy"), m_file});
    EXPECT_EQ(r.code, 4) << r.out.toStdString();
    EXPECT_FALSE(r.out.contains(QStringLiteral("enrolled"))) << r.out.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral(
        "dropped while \"apply\" was in flight. The agent answers again with no transaction "
        "pending: the apply was rolled back by the agent (or had not begun), so this host is as "
        "it was")))
        << r.out.toStdString();
    const auto hv2 = m_agents->snapshot(address(2));
    ASSERT_TRUE(hv2.pending.has_value());
    EXPECT_TRUE(r.out.contains(
        QStringLiteral("The agent answers again and holds transaction %1 unconfirmed: it rolls it "
                       "back by itself at its deadline")
            .arg(hv2.pending->transaction)))
        << r.out.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral("not confirmed (failed on hv1, hv2)")))
        << r.out.toStdString();
    EXPECT_TRUE(m_agents->snapshot(address(1)).running.bridges.empty());
    EXPECT_EQ(m_agents->snapshot(address(3)).rollbacks, 1);
}

TEST_F(CliFleet, ASuccessfulDeploymentSaysItsSummaryOnceAndLogsNothingAtInfo)
{
    enrollAll();
    LogCapture log;
    const Outcome r = ctl({QStringLiteral("deploy"), m_file});
    ASSERT_EQ(r.code, 0) << r.out.toStdString();
    EXPECT_EQ(r.out.count(QStringLiteral("confirmed on 3 hosts after reaching every agent")), 1)
        << r.out.toStdString();
    EXPECT_TRUE(r.err.isEmpty()) << r.err.toStdString();
    EXPECT_TRUE(log.from("converge.console.deploy").isEmpty())
        << log.from("converge.console.deploy").join(u'\n').toStdString();
}

TEST_F(CliFleet, EnrollTakesTheHostsAgentAddressFromTheDesignWhenNoneIsGiven)
{
    // hv1's agentAddress in the design is address(1).
    const Outcome r = ctl({QStringLiteral("enroll"), m_file, QStringLiteral("hv1"),
                           QStringLiteral("--token"), QString(31, QLatin1Char('0')) + u'1'});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.startsWith(QStringLiteral("enrolled hv1 at %1").arg(address(1))))
        << r.out.toStdString();
    const Outcome agents = ctl({QStringLiteral("agents"), m_file});
    EXPECT_TRUE(agents.out.contains(address(1))) << agents.out.toStdString();

    ASSERT_TRUE(set(QStringLiteral("hv2"), QStringLiteral("agentAddress"), QString()));
    const Outcome none = ctl({QStringLiteral("enroll"), m_file, QStringLiteral("hv2"),
                              QStringLiteral("--token"), QString(31, QLatin1Char('0')) + u'2'});
    EXPECT_EQ(none.code, 2);
    EXPECT_TRUE(none.err.contains(QStringLiteral("host hv2 has no agentAddress in the design: "
                                                 "give the agent's address")))
        << none.err.toStdString();
    const Outcome given = ctl({QStringLiteral("enroll"), m_file, QStringLiteral("hv2"), address(2),
                               QStringLiteral("--token"), QString(31, QLatin1Char('0')) + u'2'});
    EXPECT_EQ(given.code, 0) << given.err.toStdString();
    const Outcome extra = ctl({QStringLiteral("enroll"), m_file, QStringLiteral("hv3"), address(3),
                               QStringLiteral("surplus")});
    EXPECT_EQ(extra.code, 2);
    EXPECT_TRUE(extra.err.contains(QStringLiteral("usage: convergectl enroll FILE HOST [ADDRESS]")))
        << extra.err.toStdString();
}

TEST_F(CliFleet, RefusesToDeployADesignWithErrorFindingsOrWithoutEnrolledAgents)
{
    const Outcome none = ctl({QStringLiteral("deploy"), m_file});
    EXPECT_EQ(none.code, 2);
    EXPECT_TRUE(none.err.contains(QStringLiteral("has no enrolled agents yet")))
        << none.err.toStdString();
    EXPECT_TRUE(none.err.contains(QStringLiteral("run convergectl enroll")));
    enrollAll();
    // Two vNICs with one address: an error finding (IP-001).
    for (const char *vnic : {"hv1.web.lan", "hv2.web.lan"})
        ASSERT_TRUE(set(QLatin1String(vnic), QStringLiteral("addresses"),
                        QJsonArray{QStringLiteral("10.50.0.5/24")}));
    const Outcome refused = ctl({QStringLiteral("deploy"), m_file});
    EXPECT_EQ(refused.code, 1) << refused.out.toStdString() << refused.err.toStdString();
    EXPECT_TRUE(refused.err.contains(QStringLiteral("refusing to deploy")))
        << refused.err.toStdString();
    EXPECT_TRUE(refused.err.contains(QStringLiteral("\n  IP-001  ")));
    for (int i = 1; i <= 3; ++i)
        EXPECT_TRUE(
            m_agents->snapshot(address(i)).requests.filter(QStringLiteral("plan")).isEmpty());
}

TEST(Convergectl, EveryCommandPrintsItsUsageWithHelpAndExitsZero)
{
    for (const char *command : {"info", "convert", "validate", "rules", "schema", "enroll",
                                "agents", "deploy", "drift", "history", "rollback", "bundle"}) {
        QString out, err;
        QTextStream o(&out), e(&err);
        app::Cli cli{o, e, nullptr};
        const int code = app::runCli({QLatin1String(command), QStringLiteral("--help")}, cli);
        o.flush();
        EXPECT_EQ(code, 0) << command;
        EXPECT_TRUE(
            out.startsWith(QStringLiteral("usage: convergectl %1").arg(QLatin1String(command))))
            << command << ": " << out.toStdString();
        EXPECT_TRUE(err.isEmpty()) << command;
    }
}

// A live capture the agent ends by itself (the interface gone, the lease passed) was cut short:
// convergectl says why and exits 4, as for any agent that fails; one stopped at its count exits 0.
TEST_F(CliFleet, ACaptureTheAgentEndsExitsFourWithItsReason)
{
    enrollAll();
    const QString out = m_dir.filePath(QStringLiteral("out.pcapng"));
    const QStringList capture{QStringLiteral("capture"),     m_file,
                              QStringLiteral("--host"),      QStringLiteral("hv1"),
                              QStringLiteral("--interface"), QStringLiteral("eth0"),
                              QStringLiteral("-w"),          out};
    m_agents->with(address(1), [](FakeAgent &a) {
        a.captureEnd = QStringLiteral("interface eth0 disappeared during the capture");
    });
    const Outcome ended = ctl(capture);
    EXPECT_EQ(ended.code, 4) << ended.err.toStdString();
    EXPECT_TRUE(ended.err.contains(QStringLiteral("interface eth0 disappeared")))
        << ended.err.toStdString();

    m_agents->with(address(1), [](FakeAgent &a) { a.captureEnd.clear(); });
    const Outcome stopped =
        ctl(capture + QStringList{QStringLiteral("--duration"), QStringLiteral("1")});
    EXPECT_EQ(stopped.code, 0) << stopped.err.toStdString();
}

// The same through the extcap program: Wireshark shows an extcap's stderr only when it fails.
TEST_F(CliFleet, AnExtcapCaptureTheAgentEndsFailsWithItsReason)
{
    enrollAll();
    qputenv("CONVERGE_EXTCAP_DESIGNS", m_file.toUtf8());
    QString listing;
    {
        QTextStream out(&listing), err(&listing);
        app::Cli cli{out, err, m_agents};
        ASSERT_EQ(app::runExtcap({QStringLiteral("--extcap-interfaces")}, cli), 0);
    }
    static const QRegularExpression hv1(QStringLiteral("\\{value=(converge\\.hv1\\.[^}]+)\\}"));
    const QRegularExpressionMatch m = hv1.match(listing);
    qunsetenv("CONVERGE_EXTCAP_DESIGNS");
    ASSERT_TRUE(m.hasMatch()) << listing.toStdString();
    m_agents->with(address(1), [](FakeAgent &a) {
        a.captureEnd = QStringLiteral("interface vnet0 disappeared during the capture");
    });
    qputenv("CONVERGE_EXTCAP_DESIGNS", m_file.toUtf8());
    Outcome r;
    {
        QTextStream out(&r.out), err(&r.err);
        app::Cli cli{out, err, m_agents};
        r.code = app::runExtcap({QStringLiteral("--capture"), QStringLiteral("--extcap-interface"),
                                 m.captured(1), QStringLiteral("--fifo"),
                                 m_dir.filePath(QStringLiteral("fifo"))},
                                cli);
    }
    qunsetenv("CONVERGE_EXTCAP_DESIGNS");
    EXPECT_NE(r.code, 0);
    EXPECT_TRUE(r.err.contains(QStringLiteral("vnet0 disappeared"))) << r.err.toStdString();
}

// A running ring deletes its oldest file as it goes: one rotated out between the list and its
// fetch is said to be gone, and the fetch goes on with the others (it exits 0).
TEST_F(CliFleet, AFetchGoesOnPastAFileTheRingRotatedOut)
{
    enrollAll();
    m_agents->with(address(1), [](FakeAgent &a) {
        core::protocol::CaptureInfo ring;
        ring.name = QStringLiteral("r");
        ring.state = QStringLiteral("running");
        ring.files = {{QStringLiteral("r_00001.pcapng"), 100},
                      {QStringLiteral("r_00002.pcapng"), 50}};
        a.rings = {ring};
        a.ringFiles.insert(QStringLiteral("r/r_00002.pcapng"), QByteArray(50, 'x'));
    });
    const QString dir = m_dir.filePath(QStringLiteral("fetched"));
    const Outcome r =
        ctl({QStringLiteral("captures"), QStringLiteral("fetch"), m_file, QStringLiteral("--host"),
             QStringLiteral("hv1"), QStringLiteral("r"), QStringLiteral("-o"), dir});
    EXPECT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(QFileInfo(dir + QStringLiteral("/r_00002.pcapng")).size(), 50);
    EXPECT_TRUE((r.out + r.err).contains(QStringLiteral("r_00001.pcapng")))
        << (r.out + r.err).toStdString();
}
