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

std::vector<core::deploy::BundleFile> labBundle(const core::deploy::BundleOptions &options = {})
{
    auto design = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"));
    EXPECT_TRUE(design);
    auto files = core::deploy::makeBundleFiles(*design, {}, options);
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

    // The same bundle again is refused (a replay); a newer one of the same design changes
    // nothing.
    auto replayed = host.ns.exec(
        {agent, QStringLiteral("--config"), config, QStringLiteral("--apply-bundle"), goodPath},
        120000);
    ASSERT_TRUE(replayed);
    EXPECT_EQ(replayed->exitCode, 2);
    EXPECT_TRUE(replayed->err.contains("was applied to host lab1 already"))
        << replayed->err.toStdString();
    auto newer = collectors::writeBundle(
        labBundle({QDateTime::currentDateTimeUtc().addSecs(1), {}, 3600}), *console);
    ASSERT_TRUE(newer);
    const QString newerPath = write(QStringLiteral("newer.tar"), *newer);
    auto again = host.ns.exec(
        {agent, QStringLiteral("--config"), config, QStringLiteral("--apply-bundle"), newerPath},
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

// An older, a replayed and an expired bundle are each refused with its numbers or dates, and
// change neither the host nor the recorded sequence.
TEST_F(OvsBundle, ConvergedRefusesOlderReplayedAndExpiredBundles)
{
    Host host;
    QString why;
    ASSERT_TRUE(host.setUp(&why)) << why.toStdString();
    auto console = collectors::generateBundleSigningKey();
    ASSERT_TRUE(console);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QTemporaryDir dir;
    const auto bundle = [&](const QString &name, const core::deploy::BundleOptions &options) {
        auto tar = collectors::writeBundle(labBundle(options), *console);
        EXPECT_TRUE(tar);
        QFile f(dir.filePath(name));
        EXPECT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(tar ? *tar : QByteArray());
        return f.fileName();
    };
    QFile signer(dir.filePath(QStringLiteral("signer.pub")));
    ASSERT_TRUE(signer.open(QIODevice::WriteOnly));
    signer.write(console->publicPem);
    signer.close();
    QFile conf(dir.filePath(QStringLiteral("converged.conf")));
    ASSERT_TRUE(conf.open(QIODevice::WriteOnly));
    conf.write(QStringLiteral("state_dir = %1/state\novs_db = %2/db.sock\novs_rundir = %2\n"
                              "datapath = netdev\nhost_name = lab1\nbundle_signer = %3\n")
                   .arg(dir.path(), host.ovs->dir(), signer.fileName())
                   .toUtf8());
    conf.close();
    const auto apply = [&](const QString &path) {
        auto r = host.ns.exec({QStringLiteral(CONVERGE_BINARY_DIR "/app/converged"),
                               QStringLiteral("--config"), conf.fileName(),
                               QStringLiteral("--apply-bundle"), path},
                              120000);
        EXPECT_TRUE(r);
        return r ? *r : decltype(r)::value_type{};
    };

    const QString expired = bundle(QStringLiteral("expired.tar"), {now.addDays(-3), 50, 86400});
    const auto e = apply(expired);
    EXPECT_EQ(e.exitCode, 2);
    EXPECT_TRUE(e.err.contains(QStringLiteral("refused: the bundle expired at %1 (it is ")
                                   .arg(now.addDays(-2).toString(Qt::ISODate))
                                   .toUtf8()))
        << e.err.toStdString();
    auto state = host.read();
    ASSERT_TRUE(state);
    EXPECT_TRUE(state->bridges.empty()) << "an expired bundle changed the host";

    const auto applied = apply(bundle(QStringLiteral("s100.tar"), {now, 100, 3600}));
    ASSERT_EQ(applied.exitCode, 0) << applied.err.toStdString();
    EXPECT_TRUE(applied.out.contains("sequence 100")) << applied.out.toStdString();
    auto before = host.read();
    ASSERT_TRUE(before);
    ASSERT_FALSE(before->bridges.empty());
    QFile record(dir.filePath(QStringLiteral("state/bundle-sequence.json")));
    ASSERT_TRUE(record.open(QIODevice::ReadOnly));
    const QByteArray recorded = record.readAll();
    record.close();
    EXPECT_TRUE(recorded.contains("\"sequence\": 100")) << recorded.toStdString();

    // Sequence 99 was made after 100, yet it is older by its number; then 100 again.
    const auto older = apply(bundle(QStringLiteral("s99.tar"), {now.addSecs(5), 99, 3600}));
    EXPECT_EQ(older.exitCode, 2);
    EXPECT_TRUE(older.err.contains("refused: bundle sequence 99 (created "))
        << older.err.toStdString();
    EXPECT_TRUE(older.err.contains("is older than sequence 100")) << older.err.toStdString();
    const auto replay = apply(dir.filePath(QStringLiteral("s100.tar")));
    EXPECT_EQ(replay.exitCode, 2);
    EXPECT_TRUE(replay.err.contains("refused: bundle sequence 100 was applied to host lab1 "
                                    "already"))
        << replay.err.toStdString();
    auto after = host.read();
    ASSERT_TRUE(after);
    EXPECT_TRUE(*after == *before) << "a refused bundle changed the host";
    ASSERT_TRUE(record.open(QIODevice::ReadOnly));
    EXPECT_EQ(record.readAll(), recorded) << "a refused bundle changed the recorded sequence";
}
