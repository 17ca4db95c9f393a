// Bundle sequence numbers and expiry (issue 14): the console puts both in the signed manifest
// (default: the time of creation in milliseconds, 7 days), convergectl bundle takes --sequence
// and --expires-in and verify shows both; converged --apply-bundle refuses an expired, older or
// replayed bundle, saying which, and records the last applied sequence per host.
#include "collectors/agent/agentconfig.h"
#include "collectors/agent/bundleapply.h"
#include "collectors/agent/bundlesequence.h"
#include "collectors/crypto/bundlesigner.h"
#include "core/deploy/bundle.h"
#include "core/io/designdocument.h"
#include "core/model/design.h"

#include "unit_clirun.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace converge;
using namespace converge::core::deploy;

namespace {

const QDateTime kCreated(QDate(2026, 3, 1), QTime(8, 0), Qt::UTC);

core::Design lab()
{
    auto d = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"));
    EXPECT_TRUE(d);
    return d ? std::move(*d) : core::Design();
}

Manifest manifestOf(const BundleOptions &options)
{
    auto files = makeBundleFiles(lab(), {}, options);
    EXPECT_TRUE(files) << files.error().message.toStdString();
    auto m = checkManifest(*files);
    EXPECT_TRUE(m);
    return m ? *m : Manifest{};
}

std::string messageOf(const core::Result<void> &r)
{
    return r ? std::string("accepted") : r.error().message.toStdString();
}

} // namespace

TEST(BundleSequence, ManifestCarriesSequenceAndExpiryDefaultingToTimeAndSevenDays)
{
    const Manifest m = manifestOf({kCreated, {}, kDefaultBundleValiditySecs});
    EXPECT_EQ(m.sequence, kCreated.toMSecsSinceEpoch());
    EXPECT_EQ(m.expires, kCreated.addDays(7));
    const Manifest later = manifestOf({kCreated.addMSecs(1500), {}, kDefaultBundleValiditySecs});
    EXPECT_GT(later.sequence, m.sequence) << "a later bundle has a larger number";
    const Manifest set = manifestOf({kCreated, 42, 3600});
    EXPECT_EQ(set.sequence, 42);
    EXPECT_EQ(set.expires, kCreated.addSecs(3600));
    EXPECT_EQ(set.json.value(QLatin1String("expires")).toString(),
              QStringLiteral("2026-03-01T09:00:00Z"));
}

TEST(BundleSequence, BadSequenceOrValidityIsRefused)
{
    auto zero = makeBundleFiles(lab(), {}, BundleOptions{kCreated, 0, 3600});
    ASSERT_FALSE(zero);
    EXPECT_TRUE(zero.error().message.contains(QLatin1String("sequence number is 1 to")));
    auto tooLong = makeBundleFiles(lab(), {}, BundleOptions{kCreated, 5, 400 * 86400});
    ASSERT_FALSE(tooLong);
    EXPECT_EQ(parseValidity(QStringLiteral("7d")).value_or(0), 7 * 86400);
    EXPECT_EQ(parseValidity(QStringLiteral("36h")).value_or(0), 36 * 3600);
    EXPECT_EQ(parseValidity(QStringLiteral("90m")).value_or(0), 90 * 60);
    for (const char *bad : {"", "7", "0d", "366d", "1w", "-1d", "7 d"})
        EXPECT_FALSE(parseValidity(QLatin1String(bad))) << bad;
}

TEST(BundleSequence, ExpiredOlderAndReplayedBundlesAreRefusedWithTheirNumbers)
{
    const Manifest m = manifestOf({kCreated, 20, 86400});
    const QDateTime inside = kCreated.addSecs(60);
    EXPECT_EQ(messageOf(collectors::checkBundleFresh(m, QStringLiteral("lab1"), {}, inside)),
              "accepted");
    EXPECT_EQ(
        messageOf(collectors::checkBundleFresh(m, QStringLiteral("lab1"), {}, kCreated.addDays(2))),
        "the bundle expired at 2026-03-02T08:00:00Z (it is 2026-03-03T08:00:00Z now); "
        "export a new one");
    const collectors::LastAppliedBundle last{21, kCreated.addSecs(-10), kCreated.addSecs(30)};
    EXPECT_EQ(messageOf(collectors::checkBundleFresh(m, QStringLiteral("lab1"), last, inside)),
              "bundle sequence 20 (created 2026-03-01T08:00:00Z) is older than sequence 21 "
              "(created 2026-03-01T07:59:50Z), the last applied to host lab1 (at "
              "2026-03-01T08:00:30Z)");
    const collectors::LastAppliedBundle same{20, kCreated, kCreated.addSecs(30)};
    EXPECT_EQ(messageOf(collectors::checkBundleFresh(m, QStringLiteral("lab1"), same, inside)),
              "bundle sequence 20 was applied to host lab1 already (at 2026-03-01T08:00:30Z): a "
              "bundle is applied once");
    const collectors::LastAppliedBundle older{19, kCreated, kCreated};
    EXPECT_EQ(messageOf(collectors::checkBundleFresh(m, QStringLiteral("lab1"), older, inside)),
              "accepted");
    Manifest legacy = m;
    legacy.sequence = 0;
    legacy.expires = {};
    EXPECT_NE(messageOf(collectors::checkBundleFresh(legacy, QStringLiteral("lab1"), {}, inside))
                  .find("no sequence number or expiry"),
              std::string::npos);
}

TEST(BundleSequence, LastAppliedIsRecordedPerHostAndACorruptRecordIsAnError)
{
    QTemporaryDir dir;
    auto none = collectors::lastAppliedBundle(dir.path(), QStringLiteral("lab1"));
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    const Manifest m = manifestOf({kCreated, 7, 3600});
    ASSERT_TRUE(collectors::recordAppliedBundle(dir.path(), QStringLiteral("lab1"), m,
                                                kCreated.addSecs(5)));
    ASSERT_TRUE(collectors::recordAppliedBundle(dir.path(), QStringLiteral("lab2"),
                                                manifestOf({kCreated, 3, 3600}), kCreated));
    auto one = collectors::lastAppliedBundle(dir.path(), QStringLiteral("lab1"));
    ASSERT_TRUE(one && one->has_value());
    EXPECT_EQ((*one)->sequence, 7);
    EXPECT_EQ((*one)->created, kCreated);
    EXPECT_EQ((*one)->applied, kCreated.addSecs(5));
    auto two = collectors::lastAppliedBundle(dir.path(), QStringLiteral("lab2"));
    ASSERT_TRUE(two && two->has_value());
    EXPECT_EQ((*two)->sequence, 3);
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files), QStringList{"bundle-sequence.json"})
        << "written in place by rename, no temporary left";

    QFile f(dir.filePath(QStringLiteral("bundle-sequence.json")));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("{\"hosts\": {\"lab1\": "); // torn
    f.close();
    auto corrupt = collectors::lastAppliedBundle(dir.path(), QStringLiteral("lab1"));
    ASSERT_FALSE(corrupt) << "a corrupt record must not read as \"nothing applied\"";
    EXPECT_TRUE(corrupt.error().message.contains(QLatin1String("is corrupt")));
}

// converged's refusal comes before anything is planned: an expired bundle signed by the
// configured key is refused with its date, and nothing is recorded.
TEST(BundleSequence, ApplyBundleRefusesAnExpiredBundleBeforeApplying)
{
    QTemporaryDir dir;
    auto key = collectors::generateBundleSigningKey();
    ASSERT_TRUE(key);
    auto files = makeBundleFiles(lab(), {}, BundleOptions{kCreated, 5, 3600});
    ASSERT_TRUE(files);
    auto tar = collectors::writeBundle(*files, *key);
    ASSERT_TRUE(tar);
    QFile b(dir.filePath(QStringLiteral("old.tar"))), k(dir.filePath(QStringLiteral("k.pub")));
    ASSERT_TRUE(b.open(QIODevice::WriteOnly) && k.open(QIODevice::WriteOnly));
    b.write(*tar);
    k.write(key->publicPem);
    b.close();
    k.close();
    collectors::AgentConfig config;
    config.stateDir = dir.filePath(QStringLiteral("state"));
    config.bundleSigner = k.fileName();
    QDir().mkpath(config.stateDir);
    auto r = collectors::applyBundle(config, b.fileName(), QStringLiteral("lab1"));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().message.startsWith(
        b.fileName() + QStringLiteral(" refused: the bundle expired at 2026-03-01T09:00:00Z")))
        << r.error().message.toStdString();
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("state/bundle-sequence.json"))));
}

namespace {

using converge::testing::CliRun;
using converge::testing::convergectl;

} // namespace

TEST(BundleSequence, ConvergectlSetsSequenceAndExpiryAndVerifyShowsThem)
{
    QTemporaryDir dir;
    const QString console = dir.filePath(QStringLiteral("console"));
    const QString out = dir.filePath(QStringLiteral("b.tar"));
    const QString design =
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json");
    CliRun r = convergectl({QStringLiteral("bundle"), design, QStringLiteral("-o"), out,
                            QStringLiteral("--sequence"), QStringLiteral("12"),
                            QStringLiteral("--expires-in"), QStringLiteral("36h")},
                           console);
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral("sequence 12, expires "))) << r.out.toStdString();
    r = convergectl({QStringLiteral("bundle"), QStringLiteral("verify"), out}, console);
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const qsizetype at = r.out.indexOf(QStringLiteral("sequence 12, expires "));
    ASSERT_GE(at, 0) << r.out.toStdString();
    const QDateTime expires = QDateTime::fromString(r.out.mid(at + 21, 20), Qt::ISODate);
    ASSERT_TRUE(expires.isValid()) << r.out.toStdString();
    const qint64 left = QDateTime::currentDateTimeUtc().secsTo(expires);
    EXPECT_GT(left, 36 * 3600 - 120);
    EXPECT_LE(left, 36 * 3600);

    r = convergectl({QStringLiteral("bundle"), design, QStringLiteral("-o"), out,
                     QStringLiteral("--force"), QStringLiteral("--expires-in"),
                     QStringLiteral("2w")},
                    console);
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("expiry \"2w\": expected a duration of 1m to 365d")))
        << r.err.toStdString();
    r = convergectl({QStringLiteral("bundle"), design, QStringLiteral("-o"), out,
                     QStringLiteral("--force"), QStringLiteral("--sequence"), QStringLiteral("0")},
                    console);
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("--sequence 0: expected a whole number")))
        << r.err.toStdString();
}
