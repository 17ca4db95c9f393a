#pragma once

#include "collectors/channel/channel.h"
#include "collectors/channel/tlsidentity.h"
#include "core/protocol/frame.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QSslCertificate>
#include <QString>

#include <optional>

// Enrollment pairs one console with one agent without the token ever crossing the wire:
//   console -> agent  "enroll" {"proof": hex HMAC-SHA256(token, "converge-enroll\n" A "\n" C)}
//   agent -> console  result {"agentFingerprint": A,
//                             "proof": hex HMAC-SHA256(token, "converge-enrolled\n" A "\n" C)}
// where A and C are the agent's and the console's certificate fingerprints as seen in the TLS
// session. The first proof shows the console knows the token, the second that the agent does, so
// neither side needs a pin beforehand; both then pin the other's certificate.
namespace converge::collectors {

// The agent's side, kept in its state directory:
//   enroll.token  the one-time token (written by the admin or issueToken(), mode 0600); deleted
//                 on success, and burnt after kMaxFailedAttempts wrong proofs.
//   enroll.failures  the wrong proofs counted against that token (its SHA-256 and the count),
//                 so a restart does not reset them.
//   console.crt   the pinned console certificate (PEM).
class Enrollment
{
public:
    static constexpr int kMaxFailedAttempts = 5;
    static constexpr qsizetype kMinTokenLength = 16;

    Enrollment(QString stateDir, QString agentFingerprint);

    // Writes a fresh random 128-bit token (32 hex characters) to stateDir/enroll.token.
    static core::Result<QString> issueToken(const QString &stateDir);
    // Writes a token the console made (convergectl enroll) to stateDir/enroll.token.
    static core::Result<void> acceptToken(const QString &stateDir, const QString &token);

    // No certificate: Reject; the pinned console: Authenticated; not enrolled yet and a token is
    // pending: EnrollOnly; anything else: Reject.
    PeerAccess policyFor(const QSslCertificate &peer) const;
    // Answers an "enroll" request from `console`: a result, or an error with code "bad-request",
    // "enroll-denied" or "internal".
    core::protocol::Message handleRequest(const QSslCertificate &console,
                                          const core::protocol::Message &request);

    bool isEnrolled() const;
    bool hasPendingToken() const { return readToken().has_value(); }
    QSslCertificate pinnedConsole() const;
    QString tokenPath() const;
    QString consoleCertificatePath() const;

private:
    std::optional<QByteArray> readToken() const;
    core::protocol::Message deny(qint64 id, const QByteArray &token);
    core::protocol::Message accept(qint64 id, const QSslCertificate &console,
                                   const QByteArray &token);

    QString m_dir;
    QString m_agentFingerprint;
    // Wrong proofs for the pending token, as stateDir/enroll.failures last recorded them.
    int m_failures = 0;
};

// The proofs of the exchange above, as lower-case hex.
QString enrollmentProof(const QString &token, const QString &agentFingerprint,
                        const QString &consoleFingerprint);
QString enrolledProof(const QString &token, const QString &agentFingerprint,
                      const QString &consoleFingerprint);

// The console's side: connects without a pin, proves the token, checks the agent's proof and
// returns the agent's fingerprint for the console to pin.
core::Result<QString> enrollWithToken(const QString &host, quint16 port, const TlsIdentity &console,
                                      const QString &token, int timeoutMs);

} // namespace converge::collectors
