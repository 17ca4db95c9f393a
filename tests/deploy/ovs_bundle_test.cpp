// Bundles on a real Open vSwitch (root; skipped with the reason otherwise): the lab design's
// apply.sh, run by sh in a fresh host namespace, must leave the same state as the agent's
// applier leaves on another fresh one; converged --apply-bundle applies a bundle signed by its
// configured key and refuses any other.
#include "collectors/crypto/bundlesigner.h"
#include "collectors/ovs/ovsapplier.h"
#include "collectors/ovs/ovsmeters.h"
#include "collectors/ovs/ovsreader.h"
#include "core/deploy/bundle.h"
#include "core/io/designdocument.h"
#include "core/model/design.h"
#include "ovsenv.h"
#include "testapp.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace converge;
using namespace converge::testing;

namespace {

// The interfaces the lab design's ports need: the team members and the VMs' veths
// (tests/agent/ovs_agent_test.cpp, kVms).
const char *const kInterfaces[] = {"up1",  "up2",  "a1", "a2", "b1", "iso1", "iso2", "prom", "acl1",
                                   "acl2", "acl3", "g1", "g2", "s1", "s2",   "mon",  "t1"};

// One fresh host: a namespace with its own OVS and the veths of the design's ports.
struct Host
{
    NetNs ns;
    std::unique_ptr<OvsInstance> ovs;

    bool setUp(QString *why)
    {
        if (!ns.isValid()) {
            *why = ns.error();
            return false;
        }
        ovs = std::make_unique<OvsInstance>(ns);
        if (!ovs->isValid()) {
            *why = ovs->error();
            return false;
        }
        for (const char *name : kInterfaces) {
            const QString n = QLatin1String(name);
            for (const QStringList &argv :
                 {QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"),
                              n, QStringLiteral("type"), QStringLiteral("veth"),
                              QStringLiteral("peer"), QStringLiteral("name"), n + u'p'},
                  QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                              n, QStringLiteral("up")}})
                if (auto r = ns.run(argv); !r) {
                    *why = r.error().message;
                    return false;
                }
        }
        return true;
    }

    core::Result<core::realize::HostState> read()
    {
        collectors::ovs::OvsdbClient client;
        if (auto ok = client.connectToServer(ovs->env().dbSocket); !ok)
            return std::unexpected(ok.error());
        NetnsScope scope(ns.name());
        if (!scope.isValid())
            return core::invalid(scope.error());
        return collectors::ovs::readHostState(ovs->env(), client, QStringLiteral("lab1"));
    }

    QProcessEnvironment scriptEnv() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OVS_DB"), QStringLiteral("unix:") + ovs->env().dbSocket);
        env.insert(QStringLiteral("OVS_RUNDIR"), ovs->env().runDir);
        env.insert(QStringLiteral("OVS_DATAPATH"), QStringLiteral("netdev"));
        return env;
    }
};

std::vector<core::deploy::BundleFile> labBundle()
{
    auto design = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"));
    EXPECT_TRUE(design);
    auto files = core::deploy::makeBundleFiles(*design, {});
    EXPECT_TRUE(files) << files.error().message.toStdString();
    return files ? *files : std::vector<core::deploy::BundleFile>{};
}

QByteArray fileData(const std::vector<core::deploy::BundleFile> &files, const QString &path)
{
    for (const core::deploy::BundleFile &f : files)
        if (f.path == path)
            return f.data;
    ADD_FAILURE() << path.toStdString() << " not in the bundle";
    return {};
}

// The agent's way: the bundle's desired state with the datapath of the agent's config, planned
// from what is there, applied by collectors::ovs::applyPlan.
void applyLikeTheAgent(Host &host, const std::vector<core::deploy::BundleFile> &files)
{
    const QJsonObject json =
        QJsonDocument::fromJson(fileData(files, QStringLiteral("hosts/lab1/plan.json"))).object();
    auto desired =
        core::realize::HostState::fromJson(json.value(QLatin1String("desired")).toObject());
    ASSERT_TRUE(desired) << desired.error().message.toStdString();
    for (core::realize::Bridge &b : desired->bridges)
        b.datapathType = QStringLiteral("netdev");
    auto current = host.read();
    ASSERT_TRUE(current) << current.error().message.toStdString();
    NetnsScope scope(host.ns.name());
    ASSERT_TRUE(scope.isValid()) << scope.error().toStdString();
    auto r =
        collectors::ovs::applyPlan(host.ovs->env(), core::realize::makePlan(*desired, *current));
    ASSERT_TRUE(r) << r.error().message.toStdString();
}

class OvsBundle : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ensureApp();
        QString why;
        if (!haveRootAndOvs(&why))
            GTEST_SKIP() << why.toStdString();
    }
};

} // namespace

TEST_F(OvsBundle, ShellScriptLeavesTheSameStateAsTheAgentsApply)
{
    Host byScript, byAgent;
    QString why;
    ASSERT_TRUE(byScript.setUp(&why)) << why.toStdString();
    ASSERT_TRUE(byAgent.setUp(&why)) << why.toStdString();
    const auto files = labBundle();

    QTemporaryDir dir;
    const QString script = dir.filePath(QStringLiteral("apply.sh"));
    QFile f(script);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(fileData(files, QStringLiteral("hosts/lab1/apply.sh")));
    f.close();
    auto ran = byScript.ns.exec({QStringLiteral("sh"), script}, 120000, byScript.scriptEnv());
    ASSERT_TRUE(ran) << ran.error().message.toStdString();
    ASSERT_EQ(ran->exitCode, 0) << ran->err.toStdString() << byScript.ovs->logTail().toStdString();
    EXPECT_TRUE(ran->out.contains("apply.sh: host lab1 configured"));

    applyLikeTheAgent(byAgent, files);

    auto a = byScript.read();
    auto b = byAgent.read();
    ASSERT_TRUE(a) << a.error().message.toStdString();
    ASSERT_TRUE(b) << b.error().message.toStdString();
    EXPECT_FALSE(a->bridges.empty());
    EXPECT_EQ(a->bridges.at(0).datapathType, QStringLiteral("netdev"));
    EXPECT_EQ(QJsonDocument(a->toJson()).toJson().toStdString(),
              QJsonDocument(b->toJson()).toJson().toStdString());
    EXPECT_TRUE(*a == *b);
    // Flow tables too: the same flows on every bridge (the digests above only say so), by port
    // name (OpenFlow port numbers depend on the order OVS happened to attach the ports).
    const auto flows = [](const OvsInstance &ovs, const QString &bridge) {
        auto dump = ovs.ofctl({QStringLiteral("-O"), QStringLiteral("OpenFlow14"),
                               QStringLiteral("--names"), QStringLiteral("--no-stats"),
                               QStringLiteral("dump-flows"), bridge});
        EXPECT_TRUE(dump) << dump.error().message.toStdString();
        QStringList lines = QString::fromUtf8(dump ? *dump : QByteArray()).split(u'\n');
        lines.sort();
        return lines.join(u'\n').toStdString();
    };
    for (const core::realize::Bridge &bridge : a->bridges) {
        const std::string fa = flows(*byScript.ovs, bridge.name);
        EXPECT_EQ(fa, flows(*byAgent.ovs, bridge.name)) << bridge.name.toStdString();
        EXPECT_NE(fa.find("in_port=g1"), std::string::npos) << fa;
        // And the meters the flows use (t1's maximum rate on the userspace datapath).
        auto ma = collectors::ovs::readMeters(byScript.ovs->env(), bridge.name);
        auto mb = collectors::ovs::readMeters(byAgent.ovs->env(), bridge.name);
        ASSERT_TRUE(ma && mb);
        EXPECT_EQ(ma->join(u'\n').toStdString(), mb->join(u'\n').toStdString());
        EXPECT_EQ(ma->size(), 1) << ma->join(u'\n').toStdString();
        EXPECT_NE(fa.find("meter:"), std::string::npos) << fa;
    }
}

TEST_F(OvsBundle, ConvergedAppliesOnlyBundlesSignedByItsKey)
{
    Host host, reference;
    QString why;
    ASSERT_TRUE(host.setUp(&why)) << why.toStdString();
    ASSERT_TRUE(reference.setUp(&why)) << why.toStdString();
    const auto files = labBundle();
    auto console = collectors::generateBundleSigningKey();
    auto stranger = collectors::generateBundleSigningKey();
    ASSERT_TRUE(console && stranger);
    auto good = collectors::writeBundle(files, *console);
    auto foreign = collectors::writeBundle(files, *stranger);
    ASSERT_TRUE(good && foreign);

    QTemporaryDir dir;
    const auto write = [&](const QString &name, const QByteArray &bytes) {
        QFile f(dir.filePath(name));
        EXPECT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        return f.fileName();
    };
    const QString signer = write(QStringLiteral("signer.pub"), console->publicPem);
    const QString goodPath = write(QStringLiteral("good.tar"), *good);
    const QString foreignPath = write(QStringLiteral("foreign.tar"), *foreign);
    const QString config =
        write(QStringLiteral("converged.conf"),
              QStringLiteral("state_dir = %1/state\novs_db = %2/db.sock\novs_rundir = %2\n"
                             "datapath = netdev\nhost_name = lab1\nbundle_signer = %3\n")
                  .arg(dir.path(), host.ovs->dir(), signer)
                  .toUtf8());
    const QString agent = QStringLiteral(CONVERGE_BINARY_DIR "/app/converged");

    auto refused = host.ns.exec(
        {agent, QStringLiteral("--config"), config, QStringLiteral("--apply-bundle"), foreignPath});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->exitCode, 2);
    EXPECT_TRUE(refused->err.contains("refused: MANIFEST.json: not signed by the expected key"))
        << refused->err.toStdString();
    auto untouched = host.read();
    ASSERT_TRUE(untouched);
    EXPECT_TRUE(untouched->bridges.empty());

    auto applied = host.ns.exec(
        {agent, QStringLiteral("--config"), config, QStringLiteral("--apply-bundle"), goodPath},
        120000);
    ASSERT_TRUE(applied);
    ASSERT_EQ(applied->exitCode, 0) << applied->err.toStdString();
    EXPECT_TRUE(applied->out.contains("+ bridge ")) << applied->out.toStdString();
    EXPECT_TRUE(applied->out.contains("host lab1: applied and confirmed"));
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("state/journal.json"))));

    applyLikeTheAgent(reference, files);
    auto a = host.read();
    auto b = reference.read();
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(*a == *b);

    // Applying the same bundle again changes nothing.
    auto again = host.ns.exec(
        {agent, QStringLiteral("--config"), config, QStringLiteral("--apply-bundle"), goodPath},
        120000);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->exitCode, 0) << again->err.toStdString();
    EXPECT_TRUE(again->out.contains("no changes")) << again->out.toStdString();

    auto wrongHost =
        host.ns.exec({agent, QStringLiteral("--config"), config, QStringLiteral("--apply-bundle"),
                      goodPath, QStringLiteral("--host"), QStringLiteral("lab9")});
    ASSERT_TRUE(wrongHost);
    EXPECT_EQ(wrongHost->exitCode, 2);
    EXPECT_TRUE(wrongHost->err.contains("has no plan for host \"lab9\" (it holds lab1)"))
        << wrongHost->err.toStdString();
}
