#pragma once

#include "core/deploy/bundle.h"

namespace converge::core {
class Design;
}

// File > Export Bundle and `convergectl bundle`: a design's hosts as a signed bundle (plans,
// scripts, README, manifest, signature) for hosts the console cannot reach.
namespace converge::collectors {

struct SignedBundle
{
    QByteArray archive; // the ustar file
    std::vector<core::deploy::BundleFile> files;
    QString signerFingerprint;
};

// Signed with the console's bundle key (made on first use). Does not check findings: callers
// refuse a design with blocking findings first (deploymentgate.h). OPTIONS: the sequence number
// and expiry (default: the time of creation in milliseconds, and 7 days).
core::Result<SignedBundle> signedBundle(const core::Design &design, const QStringList &hosts = {},
                                        const core::deploy::BundleOptions &options = {});

// Writes the archive to PATH atomically; an existing PATH is an error unless `overwrite`.
core::Result<void> saveBundle(const QString &path, const QByteArray &archive, bool overwrite);

} // namespace converge::collectors
