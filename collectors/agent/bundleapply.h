#pragma once

#include "collectors/agent/agentconfig.h"
#include "core/util/result.h"

#include <QDateTime>
#include <QString>

// converged --apply-bundle (docs/agent.md, "Bundles"): a bundle signed by the configured
// bundle_signer, this host's desired state out of it, applied through the agent's own journalled
// apply path and confirmed at once.
namespace converge::collectors {

struct AppliedBundle
{
    QString design;
    QDateTime created;
    qint64 sequence = 0;
    QDateTime expires;
    QString signerFingerprint;
    QString host;
    QString diff; // the plan that was applied
};

// Verifies BUNDLEPATH against config.bundleSigner, picks the plan of `host` (default: the
// configured host_name, else the machine's name) and applies it. Errors name the file and what
// is wrong with it; nothing is changed on the host unless the bundle verified, has not expired
// and its sequence is above the last one applied for the host (bundlesequence.h), which is
// recorded once the plan is applied and confirmed.
core::Result<AppliedBundle> applyBundle(const AgentConfig &config, const QString &bundlePath,
                                        const QString &host = {});

} // namespace converge::collectors
