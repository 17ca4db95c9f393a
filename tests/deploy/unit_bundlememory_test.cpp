// converged --apply-bundle verifies a bundle while it reads it, in bounded chunks (issue 13):
// its peak memory on the largest bundle it accepts stays far below the bundle's size. Measured
// with /usr/bin/time; the figures are printed.
#include "collectors/crypto/bundlesigner.h"
#include "core/deploy/bundle.h"
#include "core/io/designdocument.h"

#include <gtest/gtest.h>

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

using namespace converge;
using namespace converge::core::deploy;

namespace {

// Peak RSS of converged --apply-bundle BUNDLE in KiB, and its stderr.
std::pair<qint64, QString> peakRss(const QTemporaryDir &dir, const QString &bundle,
                                   const QByteArray &signerPem)
{
    QFile key(dir.filePath(QStringLiteral("signer.pub")));
    EXPECT_TRUE(key.open(QIODevice::WriteOnly));
    key.write(signerPem);
    key.close();
    QFile config(dir.filePath(QStringLiteral("converged.conf")));
    EXPECT_TRUE(config.open(QIODevice::WriteOnly));
    // No Open vSwitch here: a verified bundle then fails to apply, after verification.
    config.write(QStringLiteral("state_dir = %1/state\novs_db = %1/nothing.sock\novs_rundir = %1\n"
                                "datapath = netdev\nhost_name = lab1\nbundle_signer = %2\n")
                     .arg(dir.path(), key.fileName())
                     .toUtf8());
    config.close();
    // CONVERGED_UNDER_TEST: another build's converged, for a figure to compare with.
    const QString converged = qEnvironmentVariable(
        "CONVERGED_UNDER_TEST", QStringLiteral(CONVERGE_BINARY_DIR "/app/converged"));
    QProcess p;
    p.start(QStringLiteral("/usr/bin/time"),
            {QStringLiteral("-f"), QStringLiteral("peak-rss-kib=%M"), converged,
             QStringLiteral("--config"), config.fileName(), QStringLiteral("--apply-bundle"),
             bundle});
    EXPECT_TRUE(p.waitForFinished(120000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    const qsizetype at = err.lastIndexOf(QLatin1String("peak-rss-kib="));
    return {at < 0 ? -1 : err.mid(at + 13).trimmed().toLongLong(), err};
}

QJsonObject listing(const QString &path, const QByteArray &data)
{
    return {
        {QStringLiteral("path"), path},
        {QStringLiteral("size"), data.size()},
        {QStringLiteral("sha256"),
         QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex())}};
}

// The lab design's bundle, lab1's plan.json grown to PLANBYTES (a field converged ignores), filled
// up to the archive's cap with files of random bytes, all listed in its manifest, and signed.
QByteArray maximalBundle(const collectors::BundleSigningKey &key, qsizetype planBytes)
{
    auto design = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"));
    EXPECT_TRUE(design);
    auto files = makeBundleFiles(*design, {});
    EXPECT_TRUE(files);
    QJsonObject manifest = QJsonDocument::fromJson(files->back().data).object();
    files->pop_back(); // MANIFEST.json, which goes last
    QJsonArray listed;
    qint64 total = 0;
    for (BundleFile &f : *files) {
        if (f.path == QLatin1String("hosts/lab1/plan.json") && planBytes > f.data.size()) {
            f.data.chop(2); // "}\n"
            f.data += ",\"padding\":\"" + QByteArray(planBytes - f.data.size() - 16, 'x') + "\"}\n";
        }
        listed.append(listing(f.path, f.data));
        total += f.data.size();
    }
    const qint64 room = kTarMaxTotalBytes - total - (qint64(1) << 20); // the manifest's share
    for (int i = 0; qint64(i) * (qint64(1) << 20) < room; ++i) {
        QByteArray data(int(std::min(qint64(1) << 20, room - qint64(i) * (qint64(1) << 20))),
                        Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(data.data()),
                                              data.size() / 4);
        const QString path = QStringLiteral("filler/%1.bin").arg(i);
        listed.append(listing(path, data));
        files->push_back({path, data});
    }
    manifest.insert(QStringLiteral("files"), listed);
    files->push_back({QLatin1String(kManifestPath), QJsonDocument(manifest).toJson()});
    auto tar = collectors::writeBundle(*files, key);
    EXPECT_TRUE(tar) << tar.error().message.toStdString();
    return tar.value_or(QByteArray());
}

} // namespace

// Before streaming, converged read the whole bundle and then unpacked it: 141.7 MiB on this one.
TEST(BundleMemory, ApplyBundleOnTheLargestBundleHoldsAFractionOfIt)
{
    auto key = collectors::generateBundleSigningKey();
    ASSERT_TRUE(key);
    // The lab's plan as it is, and grown to the largest plan.json converged keeps (8 MiB).
    for (const qsizetype planBytes : {qsizetype(0), qsizetype(8) << 20}) {
        QTemporaryDir dir;
        const QByteArray tar = maximalBundle(*key, planBytes);
        ASSERT_GT(tar.size(), kTarMaxTotalBytes - (qint64(2) << 20));
        QFile bundle(dir.filePath(QStringLiteral("max.tar")));
        ASSERT_TRUE(bundle.open(QIODevice::WriteOnly));
        bundle.write(tar);
        bundle.close();

        const auto [kib, err] = peakRss(dir, bundle.fileName(), key->publicPem);
        ASSERT_GT(kib, 0) << err.toStdString();
        std::printf("converged --apply-bundle on a %.1f MiB bundle (plan.json %.1f MiB): peak RSS "
                    "%.1f MiB\n",
                    double(tar.size()) / (1 << 20), double(planBytes) / (1 << 20),
                    double(kib) / 1024);
        EXPECT_FALSE(err.contains(QLatin1String("refused"))) << "verified: " << err.toStdString();
#ifndef __SANITIZE_ADDRESS__ // ASan's shadow memory and quarantine are not converged's
        EXPECT_LT(kib, 64 * 1024) << "the bundle is " << tar.size() << " bytes";
#endif
    }
}
