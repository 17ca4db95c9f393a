#include "bundlesigner.h"

#include "core/util/atomicfile.h"
#include "core/util/consoledirectory.h"

#include "collectors/crypto/opensslsupport.h"

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

Result<VerifiedBundle> verifyBundle(const QByteArray &tar,
                                    const std::optional<QByteArray> &expectedPublicPem)
{
    auto files = core::deploy::readTar(tar);
    if (!files)
        return std::unexpected(files.error());
    const BundleFile *manifest = findFile(*files, core::deploy::kManifestPath);
    const BundleFile *signature = findFile(*files, core::deploy::kSignaturePath);
    const BundleFile *signer = findFile(*files, core::deploy::kSignerPath);
    for (const auto &[f, path] : {std::pair{manifest, core::deploy::kManifestPath},
                                  std::pair{signature, core::deploy::kSignaturePath},
                                  std::pair{signer, core::deploy::kSignerPath}})
        if (!f)
            return core::invalid(
                QStringLiteral("%1: missing from the bundle").arg(QLatin1String(path)));
    const bool pinned = expectedPublicPem.has_value();
    const QByteArray keyPem = pinned ? *expectedPublicPem : signer->data;
    PkeyPtr key = readPublic(keyPem);
    if (!key)
        return core::invalid(
            !pinned ? QStringLiteral("signer.pub: not a PEM Ed25519 public key")
                    : QStringLiteral("the expected key is not a PEM Ed25519 public key%1")
                          .arg(keyPem.trimmed().isEmpty() ? QStringLiteral(" (it is empty)")
                                                          : QString()));
    const auto raw = QByteArray::fromBase64Encoding(signature->data.trimmed(),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    if (!raw)
        return core::invalid(QStringLiteral("MANIFEST.sig: not base64"));
    if (!signatureVerifies(manifest->data, raw.decoded, key.get()))
        return core::invalid(
            !pinned ? QStringLiteral("MANIFEST.json: the signature does not verify with signer.pub "
                                     "(the manifest or its signature was changed)")
                    : QStringLiteral("MANIFEST.json: not signed by the expected key %1 (the bundle "
                                     "names signer %2)")
                          .arg(publicKeyFingerprint(keyPem), publicKeyFingerprint(signer->data)));
    auto checked = core::deploy::checkManifest(*files);
    if (!checked)
        return std::unexpected(checked.error());
    VerifiedBundle out;
    out.manifest = std::move(*checked);
    out.signerPem = keyPem;
    out.signerFingerprint = publicKeyFingerprint(keyPem);
    out.files = std::move(*files);
    return out;
}

} // namespace converge::collectors
