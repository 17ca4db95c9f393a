#include "enrollment.h"

#include "collectors/logging.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>

namespace converge::collectors {

using core::Error;
using core::fail;
using core::Result;
using core::protocol::Message;

namespace {

const QString kTokenFile = QStringLiteral("enroll.token");
const QString kConsoleFile = QStringLiteral("console.crt");
// The wrong proofs counted against the pending token: "SHA256(token) COUNT", so a restart does
// not reset the count and a new token starts from zero.
const QString kFailuresFile = QStringLiteral("enroll.failures");

QByteArray tokenTag(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}
constexpr int kTokenBytes = 16;
QByteArray hmac(const QByteArray &key, const QString &label, const QString &agentFingerprint,
                const QString &consoleFingerprint)
{
    const QString text = label + u'\n' + agentFingerprint + u'\n' + consoleFingerprint;
    return QMessageAuthenticationCode::hash(text.toUtf8(), key, QCryptographicHash::Sha256);
}

bool constantTimeEqual(const QByteArray &a, const QByteArray &b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.constData(), b.constData(), a.size()) == 0;
}

} // namespace

QString enrollmentProof(const QString &token, const QString &agentFingerprint,
                        const QString &consoleFingerprint)
{
    return QString::fromLatin1(hmac(token.trimmed().toUtf8(), QStringLiteral("converge-enroll"),
                                    agentFingerprint, consoleFingerprint)
                                   .toHex());
}

QString enrolledProof(const QString &token, const QString &agentFingerprint,
                      const QString &consoleFingerprint)
{
    return QString::fromLatin1(hmac(token.trimmed().toUtf8(), QStringLiteral("converge-enrolled"),
                                    agentFingerprint, consoleFingerprint)
                                   .toHex());
}

// --- Enrollment (agent side) -----------------------------------------------------------------

Enrollment::Enrollment(QString stateDir, QString agentFingerprint)
    : m_dir(std::move(stateDir))
    , m_agentFingerprint(std::move(agentFingerprint))
{
}

Result<QString> Enrollment::issueToken(const QString &stateDir)
{
    unsigned char bytes[kTokenBytes];
    if (RAND_bytes(bytes, kTokenBytes) != 1)
        return fail(Error::Code::Io, QStringLiteral("enrollment token: no random bytes available"));
    const QByteArray token = QByteArray(reinterpret_cast<const char *>(bytes), kTokenBytes).toHex();
    if (auto ok = acceptToken(stateDir, QString::fromLatin1(token)); !ok)
        return std::unexpected(ok.error());
    return QString::fromLatin1(token);
}

Result<void> Enrollment::acceptToken(const QString &stateDir, const QString &token)
{
    static const QRegularExpression hex(QStringLiteral("\\A[0-9a-f]{32,128}\\z"));
    if (!hex.match(token).hasMatch())
        return core::invalid(QStringLiteral("enrollment token: expected 32-128 lower-case hex "
                                            "characters (as convergectl enroll prints them)"));
    if (!QDir().mkpath(stateDir))
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot create the directory").arg(stateDir));
    QFile::remove(QDir(stateDir).filePath(kFailuresFile)); // a new token starts from zero
    return core::writeFileAtomically(QDir(stateDir).filePath(kTokenFile), token.toLatin1() + '\n',
                                     true);
}

QString Enrollment::tokenPath() const
{
    return QDir(m_dir).filePath(kTokenFile);
}

QString Enrollment::consoleCertificatePath() const
{
    return QDir(m_dir).filePath(kConsoleFile);
}

std::optional<QByteArray> Enrollment::readToken() const
{
    QFile file(tokenPath());
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray token = file.readAll().trimmed();
    if (token.size() < kMinTokenLength) {
        qCWarning(lcEnroll) << tokenPath() << "holds fewer than" << kMinTokenLength
                            << "characters; ignored";
        return std::nullopt;
    }
    return token;
}

QSslCertificate Enrollment::pinnedConsole() const
{
    QFile file(consoleCertificatePath());
    if (!file.open(QIODevice::ReadOnly))
        return QSslCertificate();
    QSslCertificate certificate(file.readAll(), QSsl::Pem);
    if (certificate.isNull())
        qCWarning(lcEnroll) << consoleCertificatePath() << "is not a PEM certificate";
    return certificate;
}

bool Enrollment::isEnrolled() const
{
    return QFile::exists(consoleCertificatePath());
}

PeerAccess Enrollment::policyFor(const QSslCertificate &peer) const
{
    if (peer.isNull())
        return PeerAccess::Reject;
    // Read on every connection: an admin who removes console.crt un-enrolls without a restart.
    if (isEnrolled())
        return peer == pinnedConsole() ? PeerAccess::Authenticated : PeerAccess::Reject;
    return hasPendingToken() ? PeerAccess::EnrollOnly : PeerAccess::Reject;
}

Message Enrollment::handleRequest(const QSslCertificate &console, const Message &request)
{
    auto enroll = core::protocol::EnrollRequest::fromJson(request.body);
    if (console.isNull() || !enroll)
        return core::protocol::errorReply(
            request.id, QStringLiteral("bad-request"),
            QStringLiteral("body.proof: must be %1 hex characters (HMAC-SHA256)")
                .arg(core::protocol::EnrollRequest::kProofHexLength));
    const QString proof = enroll->proof;
    const auto token = readToken();
    if (!token)
        return core::protocol::errorReply(
            request.id, QStringLiteral("enroll-denied"),
            QStringLiteral("no enrollment token is pending on this agent; "
                           "ask its administrator to issue one"));
    const QByteArray expected =
        hmac(*token, QStringLiteral("converge-enroll"), m_agentFingerprint, fingerprint(console));
    if (!constantTimeEqual(QByteArray::fromHex(proof.toLatin1()), expected))
        return deny(request.id, *token);
    return accept(request.id, console, *token);
}

Message Enrollment::deny(qint64 id, const QByteArray &token)
{
    // The count lives in the state directory with the token, so it survives restarts.
    const QString failuresPath = QDir(m_dir).filePath(kFailuresFile);
    const QByteArray tag = tokenTag(token);
    int failures = 0;
    if (QFile f(failuresPath); f.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> words = f.read(256).trimmed().split(' ');
        if (words.size() == 2 && words[0] == tag)
            failures = std::clamp(words[1].toInt(), 0, kMaxFailedAttempts);
    }
    m_failures = ++failures;
    if (m_failures < kMaxFailedAttempts) {
        if (auto ok = core::writeFileAtomically(
                failuresPath, tag + ' ' + QByteArray::number(m_failures) + '\n', true);
            !ok) {
            // Without a record the token cannot be guarded across restarts: burn it now.
            qCWarning(lcEnroll).noquote() << ok.error().message << "- burning the token";
            m_failures = kMaxFailedAttempts;
        }
    }
    qCWarning(lcEnroll) << "wrong enrollment proof, attempt" << m_failures << "of"
                        << kMaxFailedAttempts;
    if (m_failures < kMaxFailedAttempts)
        return core::protocol::errorReply(
            id, QStringLiteral("enroll-denied"),
            QStringLiteral("wrong enrollment proof: the token does not match this agent's "
                           "(attempt %1 of %2)")
                .arg(m_failures)
                .arg(kMaxFailedAttempts));
    // Burnt: whoever is guessing has to get a new token from the administrator.
    QFile::remove(tokenPath());
    QFile::remove(failuresPath);
    m_failures = 0;
    return core::protocol::errorReply(
        id, QStringLiteral("enroll-denied"),
        QStringLiteral("wrong enrollment proof %1 times: the token is "
                       "burnt; ask the administrator for a new one")
            .arg(kMaxFailedAttempts));
}

Message Enrollment::accept(qint64 id, const QSslCertificate &console, const QByteArray &token)
{
    if (auto ok = core::writeFileAtomically(consoleCertificatePath(), console.toPem(), false);
        !ok) {
        qCWarning(lcEnroll) << ok.error().message;
        return core::protocol::errorReply(id, QStringLiteral("internal"), ok.error().message);
    }
    if (!QFile::remove(tokenPath()))
        qCWarning(lcEnroll) << tokenPath() << "could not be removed after enrollment";
    QFile::remove(QDir(m_dir).filePath(kFailuresFile));
    m_failures = 0;
    const QString consoleFingerprint = fingerprint(console);
    qCInfo(lcEnroll) << "enrolled console" << consoleFingerprint;
    const core::protocol::EnrollReply reply{
        m_agentFingerprint,
        enrolledProof(QString::fromUtf8(token), m_agentFingerprint, consoleFingerprint)};
    return core::protocol::reply(id, reply.toJson());
}

// --- console side ----------------------------------------------------------------------------

Result<QString> enrollWithToken(const QString &host, quint16 port, const TlsIdentity &console,
                                const QString &token, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    AgentClient client;
    if (auto ok = client.connectTo(host, port, console, {}, timeoutMs); !ok)
        return std::unexpected(ok.error());
    const QString agentFingerprint = client.agentFingerprint();
    const QString consoleFingerprint = fingerprint(console.certificate);
    const core::protocol::EnrollRequest request{
        enrollmentProof(token, agentFingerprint, consoleFingerprint)};
    auto answer = client.call<core::protocol::EnrollReply>(
        request, int(std::max<qint64>(1, deadline.remainingTime())));
    if (!answer)
        return std::unexpected(answer.error());
    const QString where = QStringLiteral("agent at %1:%2").arg(host).arg(port);
    const QString reported = answer->agentFingerprint;
    if (reported != agentFingerprint)
        return fail(Error::Code::Conflict,
                    QStringLiteral("%1 reports fingerprint %2 but its TLS certificate is %3; "
                                   "nothing pinned")
                        .arg(where, reported, agentFingerprint));
    const QByteArray proof = answer->proof.toLatin1();
    const QByteArray expected =
        enrolledProof(token, agentFingerprint, consoleFingerprint).toLatin1();
    // A machine in the middle sees other fingerprints than we do, so it cannot produce this.
    if (!constantTimeEqual(proof, expected))
        return fail(Error::Code::Conflict,
                    QStringLiteral("%1 accepted enrollment without proving it knows the token: it "
                                   "is not the agent the token was issued for; nothing pinned")
                        .arg(where));
    return agentFingerprint;
}

} // namespace converge::collectors
