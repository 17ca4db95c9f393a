#include "tlsidentity.h"

#include "collectors/crypto/opensslsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace converge::collectors {

using core::Error;
using core::fail;
using core::Result;

namespace {

template<auto Free> using OpenSslDeleter = openssl::Deleter<Free>;
using openssl::bioContents;
using openssl::BioPtr;
using openssl::PkeyPtr;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;

constexpr int kSerialBytes = 16;
constexpr long kValidDays = 3653;       // ten years, leap days included
constexpr long kBackdateSeconds = 3600; // tolerate a peer whose clock is a little behind

std::unexpected<Error> cryptoFailure(const QString &what)
{
    return fail(Error::Code::Io,
                QStringLiteral("TLS identity: %1 failed (%2)").arg(what, openssl::lastError()));
}

bool setRandomSerial(X509 *cert)
{
    unsigned char bytes[kSerialBytes];
    if (RAND_bytes(bytes, kSerialBytes) != 1)
        return false;
    bytes[0] = (bytes[0] & 0x7f) | 0x40; // positive (RFC 5280 §4.1.2.2) and a full 128 bits
    BignumPtr serial(BN_bin2bn(bytes, kSerialBytes, nullptr));
    return serial && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert));
}

bool setName(X509 *cert, const QString &commonName)
{
    X509_NAME *name = X509_get_subject_name(cert);
    const QByteArray cn = commonName.toUtf8();
    const auto *bytes = reinterpret_cast<const unsigned char *>(cn.constData());
    const auto *org = reinterpret_cast<const unsigned char *>("Converge");
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, bytes, -1, -1, 0) &&
           X509_set_issuer_name(cert, name);
}

bool addExtension(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

// No keyUsage: without keyCertSign (which RFC 5280 reserves for CAs) OpenSSL's issuer check, and
// so QSslCertificate::isSelfSigned(), would no longer see the certificate as self-signed.
bool addExtensions(X509 *cert)
{
    return addExtension(cert, NID_basic_constraints, "critical,CA:FALSE") &&
           addExtension(cert, NID_ext_key_usage, "serverAuth,clientAuth") &&
           addExtension(cert, NID_subject_key_identifier, "hash");
}

bool setValidity(X509 *cert)
{
    return X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) &&
           X509_time_adj_ex(X509_getm_notAfter(cert), kValidDays, 0, nullptr);
}

Result<TlsIdentity> toQt(EVP_PKEY *key, X509 *cert)
{
    BioPtr keyPem(BIO_new(BIO_s_mem()));
    BioPtr certPem(BIO_new(BIO_s_mem()));
    if (!keyPem || !certPem ||
        !PEM_write_bio_PrivateKey(keyPem.get(), key, nullptr, nullptr, 0, nullptr, nullptr) ||
        !PEM_write_bio_X509(certPem.get(), cert))
        return cryptoFailure(QStringLiteral("writing PEM"));
    TlsIdentity identity{QSslKey(bioContents(keyPem.get()), QSsl::Ec, QSsl::Pem),
                         QSslCertificate(bioContents(certPem.get()), QSsl::Pem)};
    if (identity.isNull())
        return fail(Error::Code::Io,
                    QStringLiteral("TLS identity: Qt's TLS backend cannot read the new key or "
                                   "certificate (is the OpenSSL TLS plugin installed?)"));
    return identity;
}

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot read (%2)").arg(path, file.errorString()));
    return file.readAll();
}

// Parses the pair with OpenSSL first: it says more than Qt's null key/certificate and checks
// that the key belongs to the certificate.
Result<TlsIdentity> parsePair(const QString &keyPath, const QByteArray &keyPem,
                              const QString &certPath, const QByteArray &certPem)
{
    BioPtr keyBio = openssl::memoryBio(keyPem);
    PkeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (!key)
        return fail(
            Error::Code::InvalidInput,
            QStringLiteral("%1: not a PEM private key (%2)").arg(keyPath, openssl::lastError()));
    BioPtr certBio = openssl::memoryBio(certPem);
    X509Ptr cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        return fail(
            Error::Code::InvalidInput,
            QStringLiteral("%1: not a PEM certificate (%2)").arg(certPath, openssl::lastError()));
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        ERR_clear_error();
        return fail(Error::Code::InvalidInput,
                    QStringLiteral("%1: the key does not belong to the certificate %2")
                        .arg(keyPath, certPath));
    }
    return toQt(key.get(), cert.get());
}

Result<TlsIdentity> createPair(const QString &keyPath, const QString &certPath,
                               const QString &commonName)
{
    auto identity = generateIdentity(commonName);
    if (!identity)
        return identity;
    // Key first: a crash in between leaves a key without certificate, which is reported, never
    // a certificate whose key is lost.
    if (auto ok = core::writeFileAtomically(keyPath, identity->key.toPem(), true); !ok)
        return std::unexpected(ok.error());
    if (auto ok = core::writeFileAtomically(certPath, identity->certificate.toPem(), false); !ok)
        return std::unexpected(ok.error());
    return identity;
}

} // namespace

Result<TlsIdentity> generateIdentity(const QString &commonName)
{
    if (commonName.trimmed().isEmpty())
        return core::invalid(QStringLiteral("TLS identity: the common name is empty"));
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        return cryptoFailure(QStringLiteral("generating an EC P-256 key"));
    X509Ptr cert(X509_new());
    if (!cert || !X509_set_version(cert.get(), X509_VERSION_3) || !setRandomSerial(cert.get()) ||
        !setValidity(cert.get()) || !X509_set_pubkey(cert.get(), key.get()) ||
        !setName(cert.get(), commonName) || !addExtensions(cert.get()))
        return cryptoFailure(QStringLiteral("building the certificate"));
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return cryptoFailure(QStringLiteral("signing the certificate"));
    return toQt(key.get(), cert.get());
}

Result<TlsIdentity> loadOrCreateIdentity(const QString &dir, const QString &baseName,
                                         const QString &commonName)
{
    if (!QDir().mkpath(dir))
        return fail(Error::Code::Io, QStringLiteral("%1: cannot create the directory").arg(dir));
    const QString keyPath = QDir(dir).filePath(baseName + QStringLiteral(".key"));
    const QString certPath = QDir(dir).filePath(baseName + QStringLiteral(".crt"));
    const bool haveKey = QFileInfo::exists(keyPath);
    const bool haveCert = QFileInfo::exists(certPath);
    if (!haveKey && !haveCert)
        return createPair(keyPath, certPath, commonName);
    if (haveKey != haveCert)
        return fail(Error::Code::NotFound,
                    QStringLiteral("%1: missing while %2 exists; restore it, or delete both to "
                                   "create a new identity (peers must then pin it again)")
                        .arg(haveKey ? certPath : keyPath, haveKey ? keyPath : certPath));
    auto keyPem = readFile(keyPath);
    if (!keyPem)
        return std::unexpected(keyPem.error());
    auto certPem = readFile(certPath);
    if (!certPem)
        return std::unexpected(certPem.error());
    return parsePair(keyPath, *keyPem, certPath, *certPem);
}

QString fingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':'));
}

} // namespace converge::collectors
