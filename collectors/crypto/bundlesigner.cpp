#include "bundlesigner.h"

#include "core/util/atomicfile.h"
#include "core/util/consoledirectory.h"

#include "collectors/crypto/opensslsupport.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace converge::collectors {

using core::Error;
using core::Result;
using core::deploy::BundleFile;

namespace {

template<auto Free> using OpenSslDeleter = openssl::Deleter<Free>;
using openssl::bioContents;
using openssl::BioPtr;
using openssl::PkeyPtr;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;

std::unexpected<Error> cryptoFailure(const QString &what)
{
    return core::fail(
        Error::Code::Io,
        QStringLiteral("bundle signing: %1 failed (%2)").arg(what, openssl::lastError()));
}

PkeyPtr readPublic(const QByteArray &pem)
{
    BioPtr bio = openssl::memoryBio(pem);
    PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (key && EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
        key.reset();
    ERR_clear_error();
    return key;
}

PkeyPtr readPrivate(const QByteArray &pem)
{
    BioPtr bio = openssl::memoryBio(pem);
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (key && EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
        key.reset();
    ERR_clear_error();
    return key;
}

Result<QByteArray> publicPemOf(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_PUBKEY(bio.get(), key))
        return cryptoFailure(QStringLiteral("writing the public key"));
    return bioContents(bio.get());
}

Result<QByteArray> sign(const QByteArray &data, const BundleSigningKey &key)
{
    PkeyPtr pkey = readPrivate(key.privatePem);
    if (!pkey)
        return core::invalid(QStringLiteral("bundle signing: the key is not an Ed25519 key"));
    MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t size = 0;
    const auto *bytes = reinterpret_cast<const unsigned char *>(data.constData());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, bytes, size_t(data.size())) != 1)
        return cryptoFailure(QStringLiteral("signing"));
    QByteArray signature(qsizetype(size), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &size, bytes,
                       size_t(data.size())) != 1)
        return cryptoFailure(QStringLiteral("signing"));
    signature.resize(qsizetype(size));
    return signature;
}

bool signatureVerifies(const QByteArray &data, const QByteArray &signature, EVP_PKEY *key)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok =
        ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.constData()),
                         size_t(signature.size()),
                         reinterpret_cast<const unsigned char *>(data.constData()),
                         size_t(data.size())) == 1;
    ERR_clear_error();
    return ok;
}

const BundleFile *findFile(const std::vector<BundleFile> &files, const char *path)
{
    for (const BundleFile &f : files)
        if (f.path == QLatin1String(path))
            return &f;
    return nullptr;
}

} // namespace

const BundleFile *VerifiedBundle::file(const QString &path) const
{
    for (const BundleFile &f : files)
        if (f.path == path)
            return &f;
    return nullptr;
}

Result<BundleSigningKey> generateBundleSigningKey()
{
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key)
        return cryptoFailure(QStringLiteral("generating an Ed25519 key"));
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        !PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
        return cryptoFailure(QStringLiteral("writing the private key"));
    auto publicPem = publicPemOf(key.get());
    if (!publicPem)
        return std::unexpected(publicPem.error());
    return BundleSigningKey{bioContents(bio.get()), *publicPem};
}

Result<BundleSigningKey> loadOrCreateBundleSigningKey(const QString &dirIn)
{
    const QString dir = dirIn.isEmpty() ? core::consoleDirectory() : dirIn;
    const QString path = QDir(dir).filePath(QStringLiteral("bundle-signing.key"));
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return core::fail(Error::Code::Io,
                              QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        const QByteArray pem = file.readAll();
        PkeyPtr key = readPrivate(pem);
        if (!key)
            return core::invalid(
                QStringLiteral("%1: not a PEM Ed25519 private key; it is left as it is (bundles "
                               "signed with it are pinned by agents)")
                    .arg(path));
        auto publicPem = publicPemOf(key.get());
        if (!publicPem)
            return std::unexpected(publicPem.error());
        return BundleSigningKey{pem, *publicPem};
    }
    if (!QDir().mkpath(dir))
        return core::fail(Error::Code::Io,
                          QStringLiteral("cannot create the directory %1").arg(dir));
    auto key = generateBundleSigningKey();
    if (!key)
        return key;
    if (auto w = core::writeFileAtomically(path, key->privatePem, true); !w)
        return std::unexpected(w.error());
    return key;
}

QString publicKeyFingerprint(const QByteArray &publicPem)
{
    PkeyPtr key = readPublic(publicPem);
    if (!key)
        return {};
    unsigned char *der = nullptr;
    const int size = i2d_PUBKEY(key.get(), &der);
    if (size <= 0)
        return {};
    const QByteArray bytes(reinterpret_cast<const char *>(der), size);
    OPENSSL_free(der);
    return QString::fromLatin1(
        QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex(':'));
}

Result<QByteArray> writeBundle(const std::vector<BundleFile> &files, const BundleSigningKey &key)
{
    const BundleFile *manifest = findFile(files, core::deploy::kManifestPath);
    if (!manifest)
        return core::invalid(QStringLiteral("MANIFEST.json: missing from the bundle's files"));
    if (auto checked = core::deploy::checkManifest(files); !checked)
        return std::unexpected(checked.error());
    auto signature = sign(manifest->data, key);
    if (!signature)
        return std::unexpected(signature.error());
    std::vector<BundleFile> all = files;
    all.push_back({QLatin1String(core::deploy::kSignaturePath), signature->toBase64() + '\n'});
    all.push_back({QLatin1String(core::deploy::kSignerPath), key.publicPem});
    const QJsonObject json = QJsonDocument::fromJson(manifest->data).object();
    const QDateTime created =
        QDateTime::fromString(json.value(QLatin1String("created")).toString(), Qt::ISODate);
    return core::deploy::writeTar(all, created.isValid() ? created.toSecsSinceEpoch() : 0);
}

namespace {

using core::deploy::TarDigest;

const TarDigest *findScanned(const std::vector<TarDigest> &files, const char *path)
{
    for (const TarDigest &f : files)
        if (f.path == QLatin1String(path))
            return &f;
    return nullptr;
}

// The key the manifest must be signed with: the expected one, else the bundle's signer.pub.
Result<PkeyPtr> verifyingKey(const QByteArray &keyPem, bool pinned)
{
    PkeyPtr key = readPublic(keyPem);
    if (!key)
        return core::invalid(
            !pinned ? QStringLiteral("signer.pub: not a PEM Ed25519 public key")
                    : QStringLiteral("the expected key is not a PEM Ed25519 public key%1")
                          .arg(keyPem.trimmed().isEmpty() ? QStringLiteral(" (it is empty)")
                                                          : QString()));
    return key;
}

// The bundle's own files, which the signature check needs.
struct SignedParts
{
    QByteArray manifest;
    QByteArray signature;
    QByteArray signer;
};

// Nothing signs MANIFEST.sig and signer.pub: only the exact form writeBundle gives them is taken,
// so that no byte of them changes unnoticed either.
Result<void> checkUnsignedForm(const SignedParts &parts, const QByteArray &raw)
{
    if (parts.signature != raw.toBase64() + '\n')
        return core::invalid(QStringLiteral("MANIFEST.sig: not in the form the console writes "
                                            "(one line of base64)"));
    const PkeyPtr named = readPublic(parts.signer);
    if (auto canonical = named ? publicPemOf(named.get()) : Result<QByteArray>(core::invalid({}));
        !canonical || *canonical != parts.signer)
        return core::invalid(QStringLiteral("signer.pub: not a PEM Ed25519 public key in the form "
                                            "the console writes"));
    return {};
}

Result<void> checkSignature(const SignedParts &parts, const std::optional<QByteArray> &expected)
{
    const bool pinned = expected.has_value();
    const QByteArray keyPem = expected.value_or(parts.signer);
    auto key = verifyingKey(keyPem, pinned);
    if (!key)
        return std::unexpected(key.error());
    const auto raw = QByteArray::fromBase64Encoding(parts.signature.trimmed(),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    if (!raw)
        return core::invalid(QStringLiteral("MANIFEST.sig: not base64"));
    if (auto form = checkUnsignedForm(parts, raw.decoded); !form)
        return form;
    const QString named = publicKeyFingerprint(parts.signer);
    if (!signatureVerifies(parts.manifest, raw.decoded, key->get()))
        return core::invalid(
            !pinned ? QStringLiteral("MANIFEST.json: the signature does not verify with signer.pub "
                                     "(the manifest or its signature was changed)")
                    : QStringLiteral("MANIFEST.json: not signed by the expected key %1 (the bundle "
                                     "names signer %2)")
                          .arg(publicKeyFingerprint(keyPem), named));
    if (pinned && named != publicKeyFingerprint(keyPem))
        return core::invalid(QStringLiteral("signer.pub: names key %1, but the manifest is signed "
                                            "by the expected key %2 (an altered bundle)")
                                 .arg(named, publicKeyFingerprint(keyPem)));
    return {};
}

// The signature over the manifest, then every scanned file against it. Nothing scanned is handed
// out before both hold.
Result<VerifiedBundle> verifyScanned(std::vector<TarDigest> scanned,
                                     const std::optional<QByteArray> &expectedPublicPem)
{
    SignedParts parts;
    for (const auto &[into, path] : {std::pair{&parts.manifest, core::deploy::kManifestPath},
                                     std::pair{&parts.signature, core::deploy::kSignaturePath},
                                     std::pair{&parts.signer, core::deploy::kSignerPath}}) {
        const TarDigest *f = findScanned(scanned, path);
        if (!f || !f->data.has_value())
            return core::invalid(
                QStringLiteral("%1: missing from the bundle").arg(QLatin1String(path)));
        *into = f->data.value_or(QByteArray());
    }
    if (auto signedOk = checkSignature(parts, expectedPublicPem); !signedOk)
        return std::unexpected(signedOk.error());
    std::vector<core::deploy::FileDigest> digests;
    for (const TarDigest &f : scanned)
        digests.push_back({f.path, f.size, f.sha256});
    auto checked = core::deploy::checkManifest(parts.manifest, digests);
    if (!checked)
        return std::unexpected(checked.error());
    VerifiedBundle out;
    out.manifest = std::move(*checked);
    out.signerPem = expectedPublicPem.value_or(parts.signer);
    out.signerFingerprint = publicKeyFingerprint(out.signerPem);
    for (TarDigest &f : scanned)
        if (f.data.has_value())
            out.files.push_back(BundleFile{f.path, f.data.value_or(QByteArray()), f.mode});
    return out;
}

} // namespace

Result<VerifiedBundle> verifyBundle(QIODevice &tar,
                                    const std::optional<QByteArray> &expectedPublicPem,
                                    const QStringList &keep, qint64 keepCap)
{
    auto scanned = core::deploy::scanTar(tar, [&](const QString &path) -> qint64 {
        if (path == QLatin1String(core::deploy::kManifestPath))
            return kMaxManifestBytes;
        if (path == QLatin1String(core::deploy::kSignaturePath) ||
            path == QLatin1String(core::deploy::kSignerPath))
            return kMaxKeyFileBytes;
        return keep.contains(path) ? keepCap : 0;
    });
    if (!scanned)
        return std::unexpected(scanned.error());
    return verifyScanned(std::move(*scanned), expectedPublicPem);
}

Result<VerifiedBundle> verifyBundle(const QByteArray &tar,
                                    const std::optional<QByteArray> &expectedPublicPem)
{
    QBuffer buffer;
    buffer.setData(tar);
    buffer.open(QIODevice::ReadOnly);
    auto scanned = core::deploy::scanTar(
        buffer, [](const QString &) { return core::deploy::kTarMaxTotalBytes; });
    if (!scanned)
        return std::unexpected(scanned.error());
    return verifyScanned(std::move(*scanned), expectedPublicPem);
}

} // namespace converge::collectors
