// Review of issue 6 (pure core and local processes): a pinned bundle key that is empty is never
// replaced by the bundle's own signer.pub (API, convergectl bundle verify --key, converged
// --apply-bundle with an empty bundle_signer file); taking running VLAN values into the design
// uses the running VLAN mode's property, so the drift is gone afterwards.
#include "collectors/crypto/bundlesigner.h"
#include "core/deploy/bundle.h"
#include "core/deploy/drift.h"
#include "core/io/designdocument.h"
#include "core/model/design.h"
#include "core/realize/desiredstate.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

using namespace converge;

namespace {

const QString labDesign =
    QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json");

core::Design lab()
{
    auto d = core::designdocument::loadFile(labDesign);
    EXPECT_TRUE(d) << (d ? "" : d.error().message.toStdString());
    return d ? std::move(*d) : core::Design();
}

// A bundle of the lab design signed by a key of its own (an attacker's: consistent in itself).
QByteArray selfSignedBundle()
{
    auto files = core::deploy::makeBundleFiles(lab(), {});
    EXPECT_TRUE(files);
    auto key = collectors::generateBundleSigningKey();
    EXPECT_TRUE(key);
    auto tar = collectors::writeBundle(*files, *key);
    EXPECT_TRUE(tar);
    return tar ? *tar : QByteArray();
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    QFile f(dir.filePath(name));
    EXPECT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(bytes);
    return f.fileName();
}

struct ProcessRun
{
    int code = -1;
    QString out, err;
};

ProcessRun runProcess(const QString &program, const QStringList &args,
                      const QString &consoleDir = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!consoleDir.isEmpty())
        env.insert(QStringLiteral("CONVERGE_CONSOLE_DIR"), consoleDir);
    p.setProcessEnvironment(env);
    p.start(program, args);
    EXPECT_TRUE(p.waitForFinished(60000)) << program.toStdString();
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

TEST(BundleReview, AnEmptyPinnedKeyIsRejectedNotReplacedBySignerPub)
{
    const QByteArray tar = selfSignedBundle();
    ASSERT_TRUE(collectors::verifyBundle(tar)); // with its own signer.pub: consistent
    auto pinned = collectors::verifyBundle(tar, QByteArray());
    ASSERT_FALSE(pinned) << "an empty expected key accepted a self-signed bundle";
    EXPECT_TRUE(pinned.error().message.contains(QStringLiteral("expected key")))
        << pinned.error().message.toStdString();
}

TEST(BundleReview, BundleVerifyWithAnEmptyKeyFileRejects)
{
    QTemporaryDir dir;
    const QString bundle = writeFile(dir, QStringLiteral("b.tar"), selfSignedBundle());
    const QString empty = writeFile(dir, QStringLiteral("empty.pub"), {});
    const ProcessRun r = runProcess(QStringLiteral(CONVERGE_BINARY_DIR "/app/convergectl"),
                                    {QStringLiteral("bundle"), QStringLiteral("verify"), bundle,
                                     QStringLiteral("--key"), empty},
                                    dir.filePath(QStringLiteral("console")));
    EXPECT_NE(r.code, 0) << r.out.toStdString();
    EXPECT_TRUE(r.err.contains(QStringLiteral("REJECTED"))) << r.err.toStdString();
    EXPECT_FALSE(r.out.contains(QStringLiteral(": OK, design"))) << r.out.toStdString();
}

TEST(BundleReview, ConvergedRefusesABundleWhenItsBundleSignerFileIsEmpty)
{
    QTemporaryDir dir;
    const QString bundle = writeFile(dir, QStringLiteral("b.tar"), selfSignedBundle());
    const QString signer = writeFile(dir, QStringLiteral("signer.pub"), {});
    // No Open vSwitch here: a bundle that got past verification would fail later, differently.
    const QString config =
        writeFile(dir, QStringLiteral("converged.conf"),
                  QStringLiteral("state_dir = %1/state\novs_db = %1/nothing.sock\novs_rundir = %1\n"
                                 "datapath = netdev\nhost_name = lab1\nbundle_signer = %2\n")
                      .arg(dir.path(), signer)
                      .toUtf8());
    const ProcessRun r =
        runProcess(QStringLiteral(CONVERGE_BINARY_DIR "/app/converged"),
                   {QStringLiteral("--config"), config, QStringLiteral("--apply-bundle"), bundle});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("refused: the expected key is not a PEM Ed25519 "
                                              "public key")))
        << r.err.toStdString();
    EXPECT_FALSE(r.out.contains(QStringLiteral("signed by"))) << r.out.toStdString();
}

TEST(DriftReview, TakingARunningTrunkIntoTheDesignTakesItsNativeVlanToo)
{
    const core::Design design = lab();
    auto desired = core::realize::desiredState(design, QStringLiteral("lab1"));
    ASSERT_TRUE(desired) << desired.error().message.toStdString();
    core::realize::HostState running = *desired;
    for (core::realize::Bridge &b : running.bridges)
        b.flowsDigest = QStringLiteral("recognized"); // the agent recognized the flow table
    core::realize::Port *a1 = nullptr;
    for (core::realize::Bridge &b : running.bridges)
        for (core::realize::Port &p : b.ports)
            if (p.elementId == QLatin1String("lab1.a1.nic"))
                a1 = &p;
    ASSERT_NE(a1, nullptr);
    ASSERT_EQ(a1->vlanMode, QStringLiteral("access"));
    // By hand: the access port on VLAN 10 became a trunk of 20 and 30, native VLAN 30.
    a1->vlanMode = QStringLiteral("native-untagged");
    a1->tag = 30;
    a1->trunks = {20, 30};

    const auto items = core::deploy::driftOf(design, *desired, running);
    ASSERT_FALSE(items.empty());
    for (const core::deploy::DriftItem &item : items) {
        if (item.property == QLatin1String("accessVlan") ||
            item.property == QLatin1String("nativeVlan")) {
            EXPECT_EQ(item.property, QStringLiteral("nativeVlan"))
                << item.description().toStdString();
        }
    }
    auto edit = core::deploy::adoptRunningValues(design, items);
    ASSERT_TRUE(edit) << edit.error().message.toStdString();
    core::Design adopted = design;
    ASSERT_TRUE(adopted.apply(*edit));
    const core::Element *nic = adopted.find(QStringLiteral("lab1.a1.nic"));
    ASSERT_NE(nic, nullptr);
    EXPECT_EQ(nic->value(QLatin1String("vlanMode")).toString(), QStringLiteral("Trunk"));
    EXPECT_EQ(nic->value(QLatin1String("nativeVlan")).toInt(-1), 30);

    auto after = core::realize::desiredState(adopted, QStringLiteral("lab1"));
    ASSERT_TRUE(after);
    for (const core::deploy::DriftItem &item : core::deploy::driftOf(adopted, *after, running))
        ADD_FAILURE() << "still drifting after taking the running values: "
                      << item.description().toStdString();
}

TEST(DriftReview, TakingAnAccessPortThatWasATrunkTakesItsAccessVlan)
{
    // Same VLAN number, new mode: the VLAN must move to the property of the running mode.
    core::Design design = lab();
    auto desired = core::realize::desiredState(design, QStringLiteral("lab1"));
    ASSERT_TRUE(desired);
    core::realize::HostState running = *desired;
    for (core::realize::Bridge &b : running.bridges) {
        b.flowsDigest = QStringLiteral("recognized");
        for (core::realize::Port &p : b.ports)
            if (p.elementId == QLatin1String("lab1.a1.nic")) {
                p.vlanMode = QStringLiteral("native-untagged"); // tag stays 10
                p.trunks = {10, 11};
            }
    }
    auto edit =
        core::deploy::adoptRunningValues(design, core::deploy::driftOf(design, *desired, running));
    ASSERT_TRUE(edit) << edit.error().message.toStdString();
    ASSERT_TRUE(design.apply(*edit));
    auto after = core::realize::desiredState(design, QStringLiteral("lab1"));
    ASSERT_TRUE(after);
    for (const core::deploy::DriftItem &item : core::deploy::driftOf(design, *after, running))
        ADD_FAILURE() << "still drifting after taking the running values: "
                      << item.description().toStdString();
}

TEST(DriftReview, CommunityAndMacChangesAreDriftAndCanBeTaken)
{
    core::Design design = lab();
    auto desired = core::realize::desiredState(design, QStringLiteral("lab1"));
    ASSERT_TRUE(desired);
    core::realize::HostState running = *desired;
    for (core::realize::Bridge &b : running.bridges) {
        b.flowsDigest = QStringLiteral("recognized");
        for (core::realize::Port &p : b.ports)
            if (p.elementId == QLatin1String("lab1.s2.nic"))
                p.mac = QStringLiteral("02:cf:00:00:00:99");
    }
    const auto items = core::deploy::driftOf(design, *desired, running);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].property, QStringLiteral("mac"));
    EXPECT_EQ(items[0].runningValue, QStringLiteral("02:cf:00:00:00:99"));
    auto edit = core::deploy::adoptRunningValues(design, items);
    ASSERT_TRUE(edit) << edit.error().message.toStdString();
    ASSERT_TRUE(design.apply(*edit));
    auto after = core::realize::desiredState(design, QStringLiteral("lab1"));
    ASSERT_TRUE(after);
    EXPECT_TRUE(core::deploy::driftOf(design, *after, running).empty());
}

TEST(DriftReview, ARateChangedByHandIsShownAsABandwidth)
{
    const core::Design design = lab();
    auto desired = core::realize::desiredState(design, QStringLiteral("lab1"));
    ASSERT_TRUE(desired);
    core::realize::HostState running = *desired;
    for (core::realize::Bridge &b : running.bridges) {
        b.flowsDigest = QStringLiteral("recognized");
        for (core::realize::Port &p : b.ports)
            if (p.elementId == QLatin1String("lab1.a1.nic"))
                p.maxRateKbps = 250'000; // ingress policing, kbit/s
    }
    const auto items = core::deploy::driftOf(design, *desired, running);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].property, QStringLiteral("maximumBandwidth"));
    EXPECT_EQ(items[0].runningValue, QStringLiteral("250 Mb/s")); // formatBandwidth's wording
    EXPECT_EQ(items[0].adopt, QJsonValue(250e6));
}
