#pragma once

#include "core/deploy/bundle.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

#include <vector>

// Signing and verifying deployment bundles (docs/cli.md, "Bundles"): Ed25519 over the
// MANIFEST.json bytes, which hold the SHA-256 of every other file. The console's key is kept
// in the console directory (core/util/consoledirectory.h) as bundle-signing.key (PEM, 0600), made
// on first use.
class QIODevice;

namespace converge::collectors {

struct BundleSigningKey
{
    QByteArray privatePem; // PKCS#8
    QByteArray publicPem;  // SubjectPublicKeyInfo, what agents and `bundle verify --key` take
};

core::Result<BundleSigningKey> generateBundleSigningKey();
// DIR/bundle-signing.key, created (atomically, mode 0600) when missing. Empty DIR: the
// console directory ($CONVERGE_CONSOLE_DIR or ~/.config/converge).
core::Result<BundleSigningKey> loadOrCreateBundleSigningKey(const QString &dir = {});

// SHA-256 of the public key's DER, lower-case hex pairs joined by ':'; empty if not a key.
QString publicKeyFingerprint(const QByteArray &publicPem);

// The archive (ustar) of FILES (from core::deploy::makeBundleFiles, MANIFEST.json among them) plus
// MANIFEST.sig (base64 Ed25519 signature of MANIFEST.json) and signer.pub (KEY's public PEM).
core::Result<QByteArray> writeBundle(const std::vector<core::deploy::BundleFile> &files,
                                     const BundleSigningKey &key);

struct VerifiedBundle
{
    core::deploy::Manifest manifest;
    // All of them, MANIFEST.* and signer.pub included; from the streaming verifyBundle, those
    // and the files it was asked to keep.
    std::vector<core::deploy::BundleFile> files;
    QByteArray signerPem;
    QString signerFingerprint;
    const core::deploy::BundleFile *file(const QString &path) const;
};

// Reads TAR and checks it: the signature over MANIFEST.json with EXPECTEDPUBLICPEM (when
// given; else with the bundle's own signer.pub, which proves integrity, not origin), then every
// file's size and SHA-256, and that none is missing or extra. Errors name the file. A key that
// is given but empty or not an Ed25519 public key (an empty bundle_signer file) is an error,
// never a fall-back to signer.pub.
core::Result<VerifiedBundle> verifyBundle(const QByteArray &tar,
                                          const std::optional<QByteArray> &expectedPublicPem = {});

// Caps on what the streaming verifyBundle keeps of the bundle's own files.
inline constexpr qint64 kMaxManifestBytes = qint64(8) * 1024 * 1024; // 10,000 entries fit
inline constexpr qint64 kMaxKeyFileBytes = qint64(64) * 1024;        // MANIFEST.sig, signer.pub

// The same checks, reading the archive from TAR front to back in chunks of 64 KiB
// (core::deploy::scanTar) and hashing each file as it passes. It holds one chunk, a digest per
// file, MANIFEST.json (at most kMaxManifestBytes), MANIFEST.sig and signer.pub (at most
// kMaxKeyFileBytes each) and the contents of the files KEEP names (at most KEEPCAP bytes each; a
// larger one is refused): VerifiedBundle::files holds just those, handed out only once the
// signature and every file's digest are checked.
core::Result<VerifiedBundle> verifyBundle(QIODevice &tar,
                                          const std::optional<QByteArray> &expectedPublicPem,
                                          const QStringList &keep, qint64 keepCap);

} // namespace converge::collectors
