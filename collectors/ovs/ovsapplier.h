#pragma once

#include "collectors/ovs/process.h"
#include "core/realize/planner.h"

#include <functional>

// Carrying out a plan on a host: all OVSDB changes as ONE ovs-vsctl invocation (one transaction:
// it all happens or none of it), then each changed bridge's flow table replaced atomically
// (ovs-ofctl --bundle replace-flows, an OpenFlow 1.4 bundle) between adding the meters it uses
// and deleting those it no longer uses (ovsmeters.h), then the addresses of internal ports
// (ip). Every command is an argv list; nothing goes through a shell.
namespace converge::collectors::ovs {

struct ApplyHooks
{
    // Called after the OVSDB transaction committed and before the flows are replaced (the
    // agent's fault-injection point for crash tests; empty in production).
    std::function<void()> afterTransaction;
};

Result<void> applyPlan(const OvsEnv &env, const core::realize::Plan &plan, int timeoutMs = 60000,
                       const ApplyHooks &hooks = {});

// The same changes as one ovs-vsctl call per command, for the benchmark's comparison.
Result<void> applyPlanPerCommand(const OvsEnv &env, const core::realize::Plan &plan,
                                 int timeoutMs = 60000);

} // namespace converge::collectors::ovs
