// Bundles: the files and the manifest, Ed25519 signing, and verification that rejects a
// tampered, extended, shortened or foreign bundle and names the file. Also convergectl bundle.
#include "collectors/crypto/bundlesigner.h"
#include "core/deploy/bundle.h"
#include "core/io/designdocument.h"
#include "core/model/design.h"
#include "core/realize/hoststate.h"

#include "unit_clirun.h"

#include <gtest/gtest.h>

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

using namespace converge;
using namespace converge::core::deploy;
using collectors::BundleSigningKey;

namespace {

core::Design sample(const char *file)
{
    auto d = core::designdocument::loadFile(QStringLiteral(CONVERGE_SOURCE_DIR "/") +
                                            QLatin1String(file));
    EXPECT_TRUE(d) << file;
    return d ? std::move(*d) : core::Design();
}

const BundleSigningKey &signingKey()
{
    static const BundleSigningKey k = *collectors::generateBundleSigningKey();
    return k;
}

QByteArray signedBundle(const char *file = "resources/samples/smb-converged.converge.json")
{
    auto files = makeBundleFiles(sample(file), {});
    EXPECT_TRUE(files);
    auto tar = collectors::writeBundle(*files, signingKey());
    EXPECT_TRUE(tar) << tar.error().message.toStdString();
    return *tar;
}

QString rejection(const QByteArray &tar,
                  const std::optional<QByteArray> &keyPem = signingKey().publicPem)
{
    auto r = collectors::verifyBundle(tar, keyPem);
    return r ? QString() : r.error().message;
}

// The archive with EDIT applied to its files (re-packed: headers stay valid).
QByteArray repacked(const QByteArray &tar, const std::function<void(std::vector<TarFile> &)> &edit)
{
    auto files = readTar(tar);
    EXPECT_TRUE(files);
    edit(*files);
    return *writeTar(*files);
}

} // namespace

TEST(Bundle, FilesPerHostReadmeAndManifest)
{
    const QDateTime created(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC);
    auto files =
        makeBundleFiles(sample("resources/samples/smb-converged.converge.json"), {}, created);
    ASSERT_TRUE(files) << files.error().message.toStdString();
    QStringList paths;
    for (const BundleFile &f : *files)
        paths << f.path;
    EXPECT_EQ(paths,
              (QStringList{"hosts/HV01/plan.json", "hosts/HV01/apply.ps1", "hosts/HV02/plan.json",
                           "hosts/HV02/apply.ps1", "README.md", "MANIFEST.json"}));
    const QJsonObject manifest = QJsonDocument::fromJson(files->back().data).object();
    EXPECT_EQ(manifest.value("format").toString(), QStringLiteral("converge-bundle/1"));
    EXPECT_EQ(manifest.value("created").toString(), QStringLiteral("2024-05-01T12:00:00Z"));
    EXPECT_EQ(manifest.value("files").toArray().size(), 5);
    EXPECT_EQ(manifest.value("files").toArray()[1].toObject().value("sha256").toString().size(),
              64);
    auto checked = checkManifest(*files);
    ASSERT_TRUE(checked) << checked.error().message.toStdString();
    EXPECT_EQ(checked->hosts, (QStringList{"HV01", "HV02"}));
    const QJsonObject plan = QJsonDocument::fromJson(files->front().data).object();
    EXPECT_EQ(plan.value("platform").toString(), QStringLiteral("hyperv"));
    EXPECT_GT(plan.value("elements").toArray().size(), 10);
}

TEST(Bundle, LinuxHostsGetDesiredStatePlanAndExecutableScript)
{
    auto files = makeBundleFiles(sample("tests/agent/data/ovs-lab.converge.json"), {});
    ASSERT_TRUE(files) << files.error().message.toStdString();
    const QJsonObject planJson = QJsonDocument::fromJson((*files)[0].data).object();
    EXPECT_EQ((*files)[0].path, QStringLiteral("hosts/lab1/plan.json"));
    EXPECT_EQ(planJson.value("host").toString(), QStringLiteral("lab1"));
    auto desired = core::realize::HostState::fromJson(planJson.value("desired").toObject());
    ASSERT_TRUE(desired) << desired.error().message.toStdString();
    EXPECT_TRUE(desired->bridges.at(0).datapathType.isEmpty());
    EXPECT_FALSE(planJson.value("plan").toObject().value("operations").toArray().isEmpty());
    EXPECT_EQ((*files)[1].path, QStringLiteral("hosts/lab1/apply.sh"));
    EXPECT_EQ((*files)[1].mode, 0755);
}

TEST(Bundle, HostFilterAndUnsafeNames)
{
    const core::Design d = sample("resources/samples/smb-converged.converge.json");
    auto one = makeBundleFiles(d, {QStringLiteral("HV02")});
    ASSERT_TRUE(one);
    EXPECT_EQ(one->front().path, QStringLiteral("hosts/HV02/plan.json"));
    auto unknown = makeBundleFiles(d, {QStringLiteral("HV09")});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, QStringLiteral("no host named \"HV09\" in the design"));
    for (const char *bad : {"../x", "a/b", ".hidden", "-rf", "a b", "", "C:"})
        EXPECT_FALSE(isSafeHostName(QString::fromLatin1(bad))) << bad;
    EXPECT_TRUE(isSafeHostName(QStringLiteral("hv-01.lab_2")));
}

TEST(BundleSignature, SignedBundleVerifiesWithTheKeyAndItsOwnSigner)
{
    const QByteArray tar = signedBundle();
    auto ok = collectors::verifyBundle(tar, signingKey().publicPem);
    ASSERT_TRUE(ok) << ok.error().message.toStdString();
    EXPECT_EQ(ok->manifest.hosts, (QStringList{"HV01", "HV02"}));
    EXPECT_EQ(ok->signerFingerprint, collectors::publicKeyFingerprint(signingKey().publicPem));
    EXPECT_TRUE(ok->file(QStringLiteral("hosts/HV01/apply.ps1")));
    EXPECT_TRUE(collectors::verifyBundle(tar)); // with signer.pub
}

TEST(BundleSignature, OneChangedByteIsRejectedNamingTheFile)
{
    QByteArray tar = signedBundle();
    const qsizetype at = tar.indexOf("New-VMSwitch -Name 'LAN'");
    ASSERT_GT(at, 0);
    tar[at + 4] = 'X'; // inside hosts/HV01/apply.ps1's data: tar headers are untouched
    EXPECT_EQ(rejection(tar),
              QStringLiteral("hosts/HV01/apply.ps1: SHA-256 does not match the manifest"));
}

// The agent's verification reads the bundle as a stream (issue 13): what it refuses.
QString streamRejection(const QByteArray &tar, const std::optional<QByteArray> &keyPem)
{
    QBuffer buffer;
    buffer.setData(tar);
    buffer.open(QIODevice::ReadOnly);
    auto r = collectors::verifyBundle(buffer, keyPem, {}, 0);
    return r ? QString() : r.error().message;
}

TEST(BundleStream, ATamperedByteAnywhereIsRefused)
{
    const QByteArray tar = signedBundle("tests/agent/data/ovs-lab.converge.json");
    ASSERT_EQ(streamRejection(tar, signingKey().publicPem), QString());
    ASSERT_EQ(streamRejection(tar, std::nullopt), QString());
    // Bytes all over: headers, contents, padding, signature, key and end-of-archive marker (a
    // stride of 61, prime to the 512-byte block, meets each offset in a block about twice), and
    // every byte of the first header; with the key given, as the agent verifies, and with the
    // bundle's own signer.pub.
    int accepted = 0;
    for (qsizetype at = 0; at < tar.size(); at += at < 512 ? 1 : 61) {
        QByteArray tampered = tar;
        tampered[at] = char(tampered[at] ^ 0x01);
        for (const std::optional<QByteArray> &key :
             {std::optional<QByteArray>(signingKey().publicPem), std::optional<QByteArray>()}) {
            if (streamRejection(tampered, key).isEmpty() && ++accepted <= 5)
                ADD_FAILURE() << "byte " << at << " of " << tar.size() << " changed, accepted";
        }
    }
    EXPECT_EQ(accepted, 0);
}

TEST(BundleStream, ATruncatedBundleIsRefused)
{
    const QByteArray tar = signedBundle("tests/agent/data/ovs-lab.converge.json");
    for (qsizetype size = 0; size < tar.size(); size += size < tar.size() - 2048 ? 97 : 1)
        EXPECT_NE(streamRejection(tar.left(size), signingKey().publicPem), QString())
            << size << " of " << tar.size() << " bytes";
}

// Only the files asked for are kept, each within its cap, and only once everything is verified.
TEST(BundleStream, KeepsOnlyTheFilesAskedForWithinTheirCap)
{
    const QByteArray tar = signedBundle("tests/agent/data/ovs-lab.converge.json");
    QBuffer buffer;
    buffer.setData(tar);
    buffer.open(QIODevice::ReadOnly);
    auto ok = collectors::verifyBundle(buffer, signingKey().publicPem,
                                       {QStringLiteral("hosts/lab1/plan.json")}, 1 << 20);
    ASSERT_TRUE(ok) << ok.error().message.toStdString();
    QStringList kept;
    for (const BundleFile &f : ok->files)
        kept << f.path;
    kept.sort();
    EXPECT_EQ(kept.join(u' ').toStdString(),
              "MANIFEST.json MANIFEST.sig hosts/lab1/plan.json signer.pub");
    EXPECT_EQ(ok->file(QStringLiteral("hosts/lab1/plan.json"))->data,
              readTar(tar)->at(0).data); // the plan is the archive's first file
    buffer.seek(0);
    auto capped = collectors::verifyBundle(buffer, signingKey().publicPem,
                                           {QStringLiteral("hosts/lab1/plan.json")}, 100);
    ASSERT_FALSE(capped);
    EXPECT_TRUE(capped.error().message.startsWith(QStringLiteral("hosts/lab1/plan.json: ")))
        << capped.error().message.toStdString();
}

TEST(BundleSignature, ExtraMissingAndResizedFilesAreRejected)
{
    const QByteArray tar = signedBundle();
    EXPECT_EQ(rejection(repacked(tar,
                                 [](auto &files) {
                                     files.push_back({QStringLiteral("hosts/HV01/extra.ps1"), "x"});
                                 })),
              QStringLiteral("hosts/HV01/extra.ps1: not in the manifest"));
    EXPECT_EQ(rejection(repacked(tar,
                                 [](auto &files) {
                                     std::erase_if(files, [](const TarFile &f) {
                                         return f.path == QLatin1String("README.md");
                                     });
                                 })),
              QStringLiteral("README.md: listed in the manifest but missing"));
    EXPECT_EQ(rejection(repacked(tar,
                                 [](auto &files) {
                                     for (TarFile &f : files)
                                         if (f.path == QLatin1String("hosts/HV02/plan.json"))
                                             f.data += ' ';
                                 })),
              QStringLiteral("hosts/HV02/plan.json: size does not match the manifest"));
}

TEST(BundleSignature, ChangedManifestOrForeignKeyIsRejected)
{
    const QByteArray tar = signedBundle();
    // A manifest rewritten to match a changed script no longer matches its signature.
    const QByteArray changed = repacked(tar, [](auto &files) {
        for (TarFile &f : files)
            if (f.path == QLatin1String("MANIFEST.json"))
                f.data.replace("\"design\"", "\"design\" ");
    });
    EXPECT_TRUE(rejection(changed).startsWith(
        QStringLiteral("MANIFEST.json: not signed by the expected key")))
        << rejection(changed).toStdString();
    EXPECT_TRUE(rejection(changed, {})
                    .startsWith(QStringLiteral("MANIFEST.json: the signature does not verify")));

    // Signed by someone else (re-signed with their key and their signer.pub): refused when the
    // console's key is expected.
    auto other = collectors::generateBundleSigningKey();
    ASSERT_TRUE(other);
    auto files = readTar(tar);
    std::erase_if(*files, [](const TarFile &f) {
        return f.path == QLatin1String("MANIFEST.sig") || f.path == QLatin1String("signer.pub");
    });
    auto foreign = collectors::writeBundle(*files, *other);
    ASSERT_TRUE(foreign);
    EXPECT_TRUE(collectors::verifyBundle(*foreign)); // consistent in itself
    EXPECT_TRUE(rejection(*foreign).startsWith(
        QStringLiteral("MANIFEST.json: not signed by the expected key")));
    EXPECT_EQ(rejection(*foreign, "not a key"),
              QStringLiteral("the expected key is not a PEM Ed25519 public key"));
}

TEST(BundleSigningKey, CreatedOnceWithMode0600)
{
    QTemporaryDir dir;
    auto first = collectors::loadOrCreateBundleSigningKey(dir.path());
    ASSERT_TRUE(first) << first.error().message.toStdString();
    const QString path = dir.filePath(QStringLiteral("bundle-signing.key"));
    const QFileDevice::Permissions perms = QFile::permissions(path);
    EXPECT_TRUE(perms.testFlags(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    EXPECT_FALSE(perms &
                 (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther |
                  QFileDevice::WriteOther | QFileDevice::ExeOwner));
    auto second = collectors::loadOrCreateBundleSigningKey(dir.path());
    ASSERT_TRUE(second);
    EXPECT_EQ(first->publicPem, second->publicPem);
    EXPECT_TRUE(first->publicPem.startsWith("-----BEGIN PUBLIC KEY-----"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("garbage");
    f.close();
    auto broken = collectors::loadOrCreateBundleSigningKey(dir.path());
    ASSERT_FALSE(broken);
    EXPECT_TRUE(broken.error().message.contains(QStringLiteral("not a PEM Ed25519 private key")));
}

namespace {

using converge::testing::CliRun;
using converge::testing::convergectl;

} // namespace

TEST(BundleCli, ExportVerifyTamperAndRefuseFindings)
{
    QTemporaryDir dir;
    const QString console = dir.filePath(QStringLiteral("console"));
    const QString out = dir.filePath(QStringLiteral("b.tar"));
    CliRun r =
        convergectl({QStringLiteral("bundle"),
                     QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"),
                     QStringLiteral("-o"), out},
                    console);
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral("hosts/lab1/apply.sh")));
    CliRun key = convergectl({QStringLiteral("bundle"), QStringLiteral("key")}, console);
    ASSERT_EQ(key.code, 0);
    const QString pub = dir.filePath(QStringLiteral("signer.pub"));
    QFile k(pub);
    ASSERT_TRUE(k.open(QIODevice::WriteOnly));
    k.write(key.out.toUtf8());
    k.close();
    r = convergectl(
        {QStringLiteral("bundle"), QStringLiteral("verify"), out, QStringLiteral("--key"), pub},
        console);
    EXPECT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral(": OK, design")));

    QFile f(out);
    ASSERT_TRUE(f.open(QIODevice::ReadWrite));
    QByteArray bytes = f.readAll();
    const qsizetype at = bytes.indexOf("set -eu");
    ASSERT_GT(at, 0);
    bytes[at + 4] = 'x';
    f.seek(0);
    f.write(bytes);
    f.close();
    r = convergectl(
        {QStringLiteral("bundle"), QStringLiteral("verify"), out, QStringLiteral("--key"), pub},
        console);
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.err.contains(
        QStringLiteral("REJECTED: hosts/lab1/apply.sh: SHA-256 does not match the manifest")))
        << r.err.toStdString();

    // Refuses to overwrite, and refuses a design with error findings, naming them.
    r = convergectl({QStringLiteral("bundle"),
                     QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"),
                     QStringLiteral("-o"), out},
                    console);
    EXPECT_EQ(r.code, 3);
    r = convergectl(
        {QStringLiteral("bundle"),
         QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/broken-lab.converge.json"),
         QStringLiteral("-o"), dir.filePath(QStringLiteral("broken.tar"))},
        console);
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.err.contains(QStringLiteral("refusing to bundle"))) << r.err.toStdString();
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("broken.tar"))));
}
