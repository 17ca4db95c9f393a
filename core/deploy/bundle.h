#pragma once

#include "core/deploy/tar.h"
#include "core/util/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

#include <optional>

#include <vector>

namespace converge::core {
class Design;
}

// Deployment bundles (docs/cli.md, "Bundles"): per host of a design
// its plan (JSON) and a script, a README, and MANIFEST.json with the size and SHA-256 of every
// file. Signing and the archive are collectors/crypto/bundlesigner.h (OpenSSL stays out of
// core).
namespace converge::core::deploy {

using BundleFile = TarFile;

inline constexpr char kBundleFormat[] = "converge-bundle/1";
inline constexpr char kManifestPath[] = "MANIFEST.json";
inline constexpr char kSignaturePath[] = "MANIFEST.sig";
inline constexpr char kSignerPath[] = "signer.pub";

// The files of the bundle of DESIGN for the hosts named in HOSTFILTER (empty: every host):
//   hosts/NAME/plan.json   linux-ovs: {host, platform, desired, plan} (the plan from an empty
//                          host, datapath left to the applier); hyperv: {host, platform,
//                          elements} (the host's design elements)
//   hosts/NAME/apply.sh    linux-ovs (realize::shellScript, mode 0755)
//   hosts/NAME/apply.ps1   hyperv (realize::powerShellScript)
//   README.md, and MANIFEST.json last: {format, design, created (UTC, ISO 8601), sequence,
//   expires (UTC, ISO 8601), generator, hosts: [{name, platform}], files: [{path, size,
//   sha256}]}.
// Fails when a filtered host does not exist, a host name is not a safe file name, two hosts
// share a name, or a host's desired state cannot be made. CREATED defaults to now.
Result<std::vector<BundleFile>> makeBundleFiles(const core::Design &design,
                                                const QStringList &hostFilter,
                                                const QDateTime &created = {});

// A bundle is valid for 7 days after it is made unless told otherwise (docs/cli.md, "Bundles").
inline constexpr qint64 kDefaultBundleValiditySecs = qint64(7) * 24 * 3600;
inline constexpr qint64 kMaxBundleValiditySecs = qint64(365) * 24 * 3600;

struct BundleOptions
{
    QDateTime created;              // invalid: now
    std::optional<qint64> sequence; // absent: created, in milliseconds since the epoch
    qint64 validSecs = kDefaultBundleValiditySecs; // expires = created + validSecs
};

// As above, with the sequence number and expiry OPTIONS give (both in the signed manifest).
// Fails on a sequence below 1 or a validity outside 1 s .. kMaxBundleValiditySecs.
Result<std::vector<BundleFile>> makeBundleFiles(const core::Design &design,
                                                const QStringList &hostFilter,
                                                const BundleOptions &options);

// "7d", "36h", "90m": a duration in seconds, or an error that says what is accepted.
Result<qint64> parseValidity(const QString &text);

// A host name usable as one path component on Linux and Windows: 1-64 of [A-Za-z0-9._-], not
// starting with '.' or '-'.
bool isSafeHostName(const QString &name);

struct Manifest
{
    QJsonObject json;
    QString design;
    QDateTime created;
    QStringList hosts;
    qint64 sequence = 0; // 0: the manifest has none (made before sequence numbers)
    QDateTime expires;   // invalid: the manifest has none
};

// A file of a bundle as a manifest lists it.
struct FileDigest
{
    QString path;
    qint64 size = 0;
    QString sha256; // lower-case hex
};

// Checks the files, by their digests, against MANIFEST (the bytes of MANIFEST.json): as below.
Result<Manifest> checkManifest(const QByteArray &manifest, const std::vector<FileDigest> &files);

// Checks FILES against the MANIFEST.json among them: every listed file present with its size
// and SHA-256, nothing else present besides MANIFEST.json, MANIFEST.sig and signer.pub. The
// error names the file: "hosts/hv01/apply.ps1: SHA-256 does not match the manifest".
Result<Manifest> checkManifest(const std::vector<BundleFile> &files);

} // namespace converge::core::deploy
