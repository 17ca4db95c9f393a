#pragma once

#include "collectors/ovs/ovsreader.h"
#include "core/realize/planner.h"

#include <QStringList>

// Plans on a host with bridges ovs-vswitchd does not serve (ovs::UnrealizedBridge): what the
// agent refuses, and what a restore can and cannot put back. Pure.
namespace converge::collectors {

// What is wrong with B and what the admin can do about it (hello's and state's problems).
QString unrealizedProblem(const ovs::UnrealizedBridge &b);

// The bridges of UNREALIZED that PLAN keeps, neither removing nor re-creating them: their flow
// tables could not be installed, so the agent refuses such a plan before changing anything.
QStringList keptUnrealized(const core::realize::Plan &plan, const QStringList &unrealized);

// The plan back to the state before an apply, when ovs-vswitchd did not serve the bridges
// BEFORE then: their OVSDB rows are put back, but not their flow tables and addresses, for
// those it does not serve NOW or that PLAN re-creates (ovs-vswitchd has no bridge to hold them).
// Their flow-table steps keep only their OVSDB part; their address steps go.
core::realize::Plan restorePlan(core::realize::Plan plan, const QStringList &before,
                                const QStringList &now);
// What is left after a restore (REST, planned from the host as it is NOW), less the flow tables
// and addresses of the bridges ovs-vswitchd served neither BEFORE the apply nor now.
core::realize::Plan restoreRemainder(core::realize::Plan rest, const QStringList &before,
                                     const QStringList &now);

} // namespace converge::collectors
