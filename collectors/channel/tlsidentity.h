#pragma once

#include "core/util/atomicfile.h"
#include "core/util/result.h"

#include <QSslCertificate>
#include <QSslKey>
#include <QString>

// The TLS identity of a console or an agent: an EC P-256 key and a self-signed certificate. Peers
// trust each other by pinning the certificate's SHA-256 fingerprint, not through a CA.
namespace converge::collectors {

struct TlsIdentity
{
    QSslKey key;
    QSslCertificate certificate = QSslCertificate(); // not {}: its constructor is explicit

    bool isNull() const { return key.isNull() || certificate.isNull(); }
};

// A fresh EC P-256 key and a self-signed X.509 v3 certificate for it (random 128-bit serial,
// valid from one hour ago for ten years, SHA-256 signature, usable for TLS server and client).
core::Result<TlsIdentity> generateIdentity(const QString &commonName);

// Reads dir/baseName.key and dir/baseName.crt (PEM), or creates both when neither exists (key
// file mode 0600). A corrupt, missing-half or mismatched pair is an error naming the file: an
// identity others have pinned is never replaced silently.
core::Result<TlsIdentity> loadOrCreateIdentity(const QString &dir, const QString &baseName,
                                               const QString &commonName);

// SHA-256 of the certificate's DER as lower-case hex pairs joined by ':'; empty for a null one.
QString fingerprint(const QSslCertificate &certificate);

} // namespace converge::collectors
