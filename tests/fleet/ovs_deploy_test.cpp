// convergectl against three real agents (root): enroll, deploy a converged design, deploy a
// change (only the differences), see a hand-made change as drift naming the property, and a
// deployment whose confirmation never comes rolled back on every host.
#include "fleetlab.h"
#include "testapp.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/model/design.h"

#include <gtest/gtest.h>

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <iostream>

using namespace converge;
using namespace converge::testing;

namespace {

const QStringList kDevices{QStringLiteral("up1"), QStringLiteral("up2"), QStringLiteral("web"),
                           QStringLiteral("db")};

std::string text(const core::Result<ProcessResult> &r)
{
    if (!r)
        return r.error().message.toStdString();
    return QStringLiteral("exit %1\n--- out\n%2--- err\n%3")
        .arg(r->exitCode)
        .arg(QString::fromUtf8(r->out), QString::fromUtf8(r->err))
        .toStdString();
}

core::Design fleetDesign()
{
    auto d = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/fleet/data/ovs-fleet.converge.json"));
    EXPECT_TRUE(d) << (d ? "" : d.error().message.toStdString());
    return d ? std::move(*d) : core::Design();
}

void setAndSave(core::Design &d, const QString &path,
                const std::vector<std::tuple<QString, QString, QJsonValue>> &changes)
{
    for (const auto &[id, key, value] : changes) {
        auto e = core::commands::setProperty(d, id, key, value);
        ASSERT_TRUE(e) << e.error().message.toStdString();
        ASSERT_TRUE(d.apply(*e));
    }
    ASSERT_TRUE(core::designdocument::saveFile(d, path));
}

class Fleet : public ::testing::Test
{
protected:
    static void SetUpTestSuite() { ensureApp(); } // before the lab's TLS members exist

    bool start(const QString &faultPauseMs = {})
    {
        ensureApp();
        QString why;
        if (!lab.setUp(3, kDevices, &why, faultPauseMs)) {
            if (why.contains(QStringLiteral("needs root")) ||
                why.contains(QStringLiteral("not installed")))
                skipped = why;
            else
                ADD_FAILURE() << why.toStdString();
            return false;
        }
        file = lab.dir() + QStringLiteral("/fleet.converge.json");
        design = fleetDesign();
        EXPECT_TRUE(core::designdocument::saveFile(design, file));
        for (FleetLab::Host &h : lab.hosts()) {
            auto token = h.ns->run({FleetLab::binary("converged"), QStringLiteral("--config"),
                                    h.config, QStringLiteral("--issue-token")});
            EXPECT_TRUE(token) << token.error().message.toStdString();
            if (!token)
                return false;
            auto enrolled =
                lab.convergectl({QStringLiteral("enroll"), file, h.name, h.address,
                                 QStringLiteral("--token"), QString::fromUtf8(token->trimmed())});
            EXPECT_TRUE(enrolled && enrolled->exitCode == 0) << text(enrolled);
            if (!enrolled || enrolled->exitCode != 0)
                return false;
        }
        return true;
    }

    FleetLab lab;
    QString skipped;
    QString file;
    core::Design design;
};

#define START_FLEET(...)                                                                           \
    if (!start(__VA_ARGS__)) {                                                                     \
        if (!skipped.isEmpty())                                                                    \
            GTEST_SKIP() << skipped.toStdString();                                                 \
        return;                                                                                    \
    }

} // namespace

TEST_F(Fleet, DeploysAConvergedDesignThenOnlyTheDifferencesAndSeesDrift)
{
    START_FLEET();
    auto agents = lab.convergectl({QStringLiteral("agents"), file});
    ASSERT_TRUE(agents && agents->exitCode == 0) << text(agents);
    for (const char *h : {"hv1", "hv2", "hv3"})
        EXPECT_TRUE(agents->out.contains(h)) << text(agents);

    // A dry run shows each host's plan and changes nothing.
    auto dry = lab.convergectl({QStringLiteral("deploy"), file, QStringLiteral("--dry-run")});
    ASSERT_TRUE(dry && dry->exitCode == 0) << text(dry);
    EXPECT_TRUE(dry->out.contains("plan for hv2:")) << text(dry);
    EXPECT_TRUE(dry->out.contains("+ bridge conv")) << text(dry);
    EXPECT_TRUE(dry->out.contains("dry run: 3 hosts planned")) << text(dry);
    auto before = lab.convergectl({QStringLiteral("drift"), file});
    ASSERT_TRUE(before);
    EXPECT_EQ(before->exitCode, 1) << "nothing deployed yet: every host differs\n" << text(before);

    // The deployment: applied everywhere, confirmed after reaching every agent again.
    auto deployed = lab.convergectl({QStringLiteral("deploy"), file});
    ASSERT_TRUE(deployed && deployed->exitCode == 0) << text(deployed);
    if (qEnvironmentVariableIsSet("CONVERGE_TEST_VERBOSE"))
        std::cout << text(deployed);
    EXPECT_TRUE(deployed->out.contains("confirmed on 3 hosts after reaching every agent again"))
        << text(deployed);
    auto clean = lab.convergectl({QStringLiteral("drift"), file});
    ASSERT_TRUE(clean && clean->exitCode == 0) << text(clean);
    EXPECT_EQ(clean->out.count("matches the design"), 3) << text(clean);

    // A change on one host deploys only that difference.
    setAndSave(design, file, {{QStringLiteral("hv2.web.lan"), QStringLiteral("accessVlan"), 101}});
    auto change = lab.convergectl({QStringLiteral("deploy"), file});
    ASSERT_TRUE(change && change->exitCode == 0) << text(change);
    const QString out = QString::fromUtf8(change->out);
    EXPECT_TRUE(out.contains(
        QStringLiteral("plan for hv2:\n  ~ port web on conv: VLAN: access 100 -> access 101")))
        << text(change);
    EXPECT_TRUE(out.contains(QStringLiteral("plan for hv1:\n  no changes"))) << text(change);
    EXPECT_TRUE(out.contains(QStringLiteral("plan for hv3:\n  no changes"))) << text(change);
    EXPECT_TRUE(out.contains(
        QStringLiteral("confirmed on 1 hosts after reaching every agent again; 2 unchanged")))
        << text(change);

    // A change made by hand on hv3 is drift, named by the design property.
    ASSERT_TRUE(lab.hosts()[2].ovs->vsctl({QStringLiteral("set"), QStringLiteral("Port"),
                                           QStringLiteral("db"), QStringLiteral("tag=555")}));
    auto drift = lab.convergectl({QStringLiteral("drift"), file});
    ASSERT_TRUE(drift) << text(drift);
    EXPECT_EQ(drift->exitCode, 1) << text(drift);
    EXPECT_TRUE(drift->out.contains("hv3: 1 difference(s)")) << text(drift);
    EXPECT_TRUE(drift->out.contains(
        "port db on bridge conv: accessVlan is 200 in the design, 555 on the host"))
        << text(drift);
    EXPECT_TRUE(drift->out.contains("hv1: matches the design")) << text(drift);

    // Roll hv2 back to what the first deployment left there: VLAN 100 again.
    auto back =
        lab.convergectl({QStringLiteral("rollback"), file, QStringLiteral("--host"),
                         QStringLiteral("hv2"), QStringLiteral("--to"), QStringLiteral("1")});
    ASSERT_TRUE(back && back->exitCode == 0) << text(back);
    EXPECT_TRUE(
        back->out.contains("plan for hv2:\n  ~ port web on conv: VLAN: access 101 -> access 100"))
        << text(back);
    EXPECT_TRUE(back->out.contains("rollback of hv2 to deployment #1: confirmed on 1 hosts"))
        << text(back);
    auto after = lab.convergectl(
        {QStringLiteral("drift"), file, QStringLiteral("--host"), QStringLiteral("hv2")});
    ASSERT_TRUE(after) << text(after);
    EXPECT_TRUE(after->out.contains(
        "port web on bridge conv: accessVlan is 101 in the design, 100 on the host"))
        << text(after);
    auto unknown =
        lab.convergectl({QStringLiteral("rollback"), file, QStringLiteral("--host"),
                         QStringLiteral("hv2"), QStringLiteral("--to"), QStringLiteral("99")});
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->exitCode, 2) << text(unknown);
    EXPECT_TRUE(unknown->err.contains("there is no deployment #99")) << text(unknown);

    auto history = lab.convergectl({QStringLiteral("history"), file});
    ASSERT_TRUE(history && history->exitCode == 0) << text(history);
    int deployments = 0;
    for (const QByteArray &line : history->out.split('\n'))
        deployments += line.startsWith('#') ? 1 : 0;
    EXPECT_EQ(deployments, 3) << text(history);
    EXPECT_TRUE(history->out.contains("rollback of hv2 to deployment #1")) << text(history);
}

TEST_F(Fleet, ADeploymentWhoseConfirmationNeverComesRollsBackOnEveryHost)
{
    START_FLEET(QStringLiteral("1500")); // applies take 1.5 s: time to cut the console off
    auto first = lab.convergectl({QStringLiteral("deploy"), file});
    ASSERT_TRUE(first && first->exitCode == 0) << text(first);
    const core::Design previous = design;

    setAndSave(design, file,
               {{QStringLiteral("hv1.web.lan"), QStringLiteral("accessVlan"), 150},
                {QStringLiteral("hv2.web.lan"), QStringLiteral("accessVlan"), 150},
                {QStringLiteral("hv3.db.lan"), QStringLiteral("accessVlan"), 250}});
    QProcess deploy;
    deploy.setProcessEnvironment(lab.consoleEnv());
    const QStringList argv =
        lab.consolePrefix() + QStringList{FleetLab::binary("convergectl"), QStringLiteral("deploy"),
                                          file, QStringLiteral("--confirm-timeout"),
                                          QStringLiteral("4")};
    deploy.start(argv.first(), argv.mid(1));
    ASSERT_TRUE(deploy.waitForStarted());
    // Once every host is applying, the console loses the management network for new
    // connections: it can neither confirm nor roll back.
    QByteArray seen;
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired() && seen.count(" applying ") < 3 &&
           deploy.state() != QProcess::NotRunning) {
        deploy.waitForReadyRead(200);
        seen += deploy.readAllStandardOutput();
    }
    ASSERT_EQ(seen.count(" applying "), 3) << seen.toStdString();
    for (const QStringList &nft :
         {QStringList{QStringLiteral("nft"), QStringLiteral("add"), QStringLiteral("table"),
                      QStringLiteral("inet"), QStringLiteral("cut")},
          QStringList{
              QStringLiteral("nft"),
              QStringLiteral("add chain inet cut out { type filter hook output priority 0 ; }")},
          QStringList{QStringLiteral("nft"),
                      QStringLiteral("add rule inet cut out tcp dport 7443 ct state new drop")}})
        ASSERT_TRUE(lab.console().run(nft)) << nft.join(u' ').toStdString();
    ASSERT_TRUE(deploy.waitForFinished(60000));
    seen += deploy.readAllStandardOutput();
    EXPECT_EQ(deploy.exitCode(), 4)
        << seen.toStdString() << deploy.readAllStandardError().toStdString();
    EXPECT_EQ(seen.count("awaiting confirmation not reachable after the change"), 3)
        << seen.toStdString();
    EXPECT_TRUE(seen.contains("not confirmed")) << seen.toStdString();
    // The console could roll none of them back: each is said to be left to its own deadline,
    // none to be rolled back, and a dropped connection request is not called a TLS timeout.
    EXPECT_EQ(seen.count("left to its deadline not reachable to roll it back"), 3)
        << seen.toStdString();
    EXPECT_FALSE(seen.contains("hosts rolled back")) << seen.toStdString();
    EXPECT_TRUE(seen.contains("each keeps the change until its confirmation deadline"))
        << seen.toStdString();
    EXPECT_FALSE(seen.contains("handshake")) << seen.toStdString();

    // The agents roll back by themselves at their deadline; then every host is as before.
    QThread::msleep(5000);
    ASSERT_TRUE(
        lab.console().run({QStringLiteral("nft"), QStringLiteral("delete"), QStringLiteral("table"),
                           QStringLiteral("inet"), QStringLiteral("cut")}));
    ASSERT_TRUE(core::designdocument::saveFile(previous, file));
    auto drift = lab.convergectl({QStringLiteral("drift"), file});
    ASSERT_TRUE(drift) << text(drift);
    EXPECT_EQ(drift->exitCode, 0) << text(drift);
    EXPECT_EQ(drift->out.count("matches the design"), 3) << text(drift);
    for (FleetLab::Host &h : lab.hosts())
        EXPECT_TRUE(lab.agentLog(h).contains(QStringLiteral("no confirmation by")))
            << lab.agentLog(h).toStdString();
}

TEST_F(Fleet, EnrollsWithATokenTheConsoleMade)
{
    START_FLEET();
    // Re-enroll hv1 the other way round: convergectl makes the token, the admin gives it to the
    // agent (converged --enroll-token), and convergectl completes the enrollment by itself.
    FleetLab::Host &h = lab.hosts()[0];
    QFile::remove(h.stateDir + QStringLiteral("/console.crt")); // un-enroll
    QProcess enroll;
    enroll.setProcessEnvironment(lab.consoleEnv());
    const QStringList argv =
        lab.consolePrefix() +
        QStringList{
            FleetLab::binary("convergectl"), QStringLiteral("enroll"), file, h.name, h.address,
            QStringLiteral("--wait"),        QStringLiteral("30")};
    enroll.start(argv.first(), argv.mid(1));
    QByteArray seen;
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired() && !seen.contains("--enroll-token ")) {
        enroll.waitForReadyRead(200);
        seen += enroll.readAllStandardOutput();
    }
    const QByteArray token = seen.mid(seen.indexOf("--enroll-token ") + 15, 32);
    ASSERT_EQ(token.size(), 32) << seen.toStdString();
    auto accepted = h.ns->run({FleetLab::binary("converged"), QStringLiteral("--config"), h.config,
                               QStringLiteral("--enroll-token"), QString::fromLatin1(token)});
    ASSERT_TRUE(accepted) << accepted.error().message.toStdString();
    ASSERT_TRUE(enroll.waitForFinished(30000));
    seen += enroll.readAllStandardOutput();
    EXPECT_EQ(enroll.exitCode(), 0)
        << seen.toStdString() << enroll.readAllStandardError().toStdString();
    EXPECT_TRUE(seen.contains("enrolled hv1 at 10.79.0.11:7443")) << seen.toStdString();
    // A malformed token is refused by the agent, which then keeps none.
    auto bad = h.ns->exec({FleetLab::binary("converged"), QStringLiteral("--config"), h.config,
                           QStringLiteral("--enroll-token"), QStringLiteral("x;rm -rf /")});
    ASSERT_TRUE(bad);
    EXPECT_NE(bad->exitCode, 0);
    EXPECT_TRUE(bad->err.contains("enrollment token")) << bad->err.toStdString();
    auto deployed = lab.convergectl(
        {QStringLiteral("deploy"), file, QStringLiteral("--host"), QStringLiteral("hv1")});
    ASSERT_TRUE(deployed && deployed->exitCode == 0) << text(deployed);
}

TEST_F(Fleet, AHostWhoseDeadlineCameTooCloseRollsEveryHostBack)
{
    START_FLEET();
    // hv3 applies slowly (4 s); hv1's and hv2's 3 s confirm deadlines run out meanwhile. The
    // console must not confirm hv3 alone while hv1 and hv2 roll back by themselves.
    FleetLab::Host &slow = lab.hosts()[2];
    slow.agent->stop(5000);
    ASSERT_TRUE(lab.startAgent(slow, QStringLiteral("4000"))) << lab.agentLog(slow).toStdString();
    auto deployed = lab.convergectl(
        {QStringLiteral("deploy"), file, QStringLiteral("--confirm-timeout"), QStringLiteral("3")});
    ASSERT_TRUE(deployed) << text(deployed);
    EXPECT_EQ(deployed->exitCode, 4) << text(deployed);
    EXPECT_TRUE(deployed->out.contains("came too close while other hosts were still applying"))
        << text(deployed);
    EXPECT_FALSE(deployed->out.contains("] confirmed")) << text(deployed);
    EXPECT_EQ(deployed->out.count("already rolled back by itself (its deadline passed)"), 2)
        << text(deployed);
    QThread::msleep(3500); // let every deadline pass
    auto drift = lab.convergectl({QStringLiteral("drift"), file});
    ASSERT_TRUE(drift) << text(drift);
    EXPECT_EQ(drift->out.count("bridge conv: present in the design, missing on the host"), 3)
        << "every host is back to before the deployment\n"
        << text(drift);
}
