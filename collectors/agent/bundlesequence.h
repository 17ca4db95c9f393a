#pragma once

#include "core/deploy/bundle.h"
#include "core/util/result.h"

#include <QDateTime>
#include <QString>

#include <optional>

// What converged --apply-bundle remembers per host (docs/agent.md, "Bundles"): the sequence
// number of the last bundle it applied, so an older or replayed bundle is refused, in
// STATEDIR/bundle-sequence.json ({"hosts": {NAME: {sequence, created, applied}}}).
namespace converge::collectors {

struct LastAppliedBundle
{
    qint64 sequence = 0;
    QDateTime created; // the bundle's
    QDateTime applied; // when this agent applied it
};

// The last bundle applied for HOST; nullopt when none was. An unreadable or corrupt file is an
// error (never read as "none", which would let an old bundle in again).
core::Result<std::optional<LastAppliedBundle>> lastAppliedBundle(const QString &stateDir,
                                                                 const QString &host);

// Refuses MANIFEST for HOST when it has no sequence number or expiry, when it expired before
// NOW, or when its sequence is not above LAST's; the message gives the numbers and dates.
core::Result<void> checkBundleFresh(const core::deploy::Manifest &manifest, const QString &host,
                                    const std::optional<LastAppliedBundle> &last,
                                    const QDateTime &now);

// Records MANIFEST as the last bundle applied for HOST (the file replaced atomically).
core::Result<void> recordAppliedBundle(const QString &stateDir, const QString &host,
                                       const core::deploy::Manifest &manifest,
                                       const QDateTime &now);

} // namespace converge::collectors
