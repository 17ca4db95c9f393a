#pragma once

#include "core/realize/planner.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

namespace converge::core {
class Design;
}

// The scripts of a deployment bundle (docs/cli.md, "Bundles"): what an admin runs by hand
// on a host the console cannot reach. They say in comments which design element each section
// realizes, and no value from the design is ever left unquoted.
namespace converge::core::realize {

using core::Result;

// POSIX sh (`set -eu`) applying a linux-ovs host's PLAN as the agent would: ONE ovs-vsctl
// invocation (one OVSDB transaction), then each SetFlows op as its meters (`ovs-ofctl
// add-meter`) and an atomic `ovs-ofctl --bundle replace-flows`, then the `ip` commands.
// Environment: OVS_DB (`--db=$OVS_DB`), OVS_RUNDIR (inherited by ovs-ofctl), OVS_DATAPATH
// (system or netdev, the datapath of created bridges; default system). Deterministic: no time in
// it.
QString shellScript(const QString &designName, const QString &hostName, const realize::Plan &plan);
// The same for a host whose datapath is known only when the script runs: PLAN for the kernel
// datapath (bridges with an empty or "system" datapathType), USERSPACEPLAN for the same desired
// state with datapathType netdev. Where their arguments differ (maximum rates: ingress policing
// or OpenFlow meters, ratelimits.h), OVS_DATAPATH picks, argument by argument in the ovs-vsctl
// invocation and table by table for the flows; PLAN's notes and summaries are shown.
QString shellScript(const QString &designName, const QString &hostName, const realize::Plan &plan,
                    const realize::Plan &userspacePlan);

// PowerShell for a `hyperv` host: LBFO teams, virtual switches, management-OS vNICs, VM
// adapters (bandwidth, guards, mirroring, VLAN/PVLAN, ACLs), resource pools and metering,
// with the documented Hyper-V and NetLbfo cmdlets. Idempotent where the cmdlets allow. Fails
// for a host that is missing or not `hyperv`.
Result<QString> powerShellScript(const core::Design &design, const QString &hostId);

// Quoting, exposed for tests: sh single quotes ('it'\''s'), PowerShell single quotes ('it''s',
// the typographic single quotes PowerShell also accepts doubled too).
QString shQuote(const QString &value);
QString psQuote(const QString &value);
// Comment text: control characters (a newline would end the comment) become spaces.
QString commentText(const QString &value);

} // namespace converge::core::realize
