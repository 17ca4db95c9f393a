#pragma once

#include <QLoggingCategory>

// The logging categories of collectors, one per area (enable with QT_LOGGING_RULES, e.g.
// "converge.agent.*.debug=true"; converged logs to stderr / the journal).
namespace converge::collectors {

Q_DECLARE_LOGGING_CATEGORY(lcAgent)   // converge.agent: requests, transactions, rollbacks
Q_DECLARE_LOGGING_CATEGORY(lcApply)   // converge.agent.apply: ovs-vsctl / ovs-ofctl / ip runs
Q_DECLARE_LOGGING_CATEGORY(lcChannel) // converge.agent.channel: TLS, peers, frames
Q_DECLARE_LOGGING_CATEGORY(lcEnroll)  // converge.agent.enroll: tokens and proofs
Q_DECLARE_LOGGING_CATEGORY(lcConsole) // converge.console: fleet, enrollment, drift, bundles
Q_DECLARE_LOGGING_CATEGORY(lcDeploy)  // converge.console.deploy: the deploy engine's stages

} // namespace converge::collectors
