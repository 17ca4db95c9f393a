#pragma once

#include "collectors/console/fleet.h"
#include "collectors/console/targets.h"
#include "core/model/design.h"

// The FILE argument of convergectl's fleet commands: its design, its project store and the
// hosts to reach, with errors that say which convergectl command helps.
namespace converge::app {

struct Fleet
{
    core::Design design;
    core::ProjectStore store;
    collectors::TargetChoice choice = {};
};

// The design and its existing project store (agents, history).
core::Result<Fleet> openDesignStore(const QString &file);
// ...and the targets: every enrolled host, or those named in `only` (deploy, drift, rollback).
core::Result<Fleet> fleetFor(const QString &file, const QStringList &only);

// One host of FILE's design, its target (with its desired state) and an open session to its
// agent: the capture commands and the Wireshark extcap.
struct HostSession
{
    Fleet fleet;
    collectors::DeployTarget target;
    std::unique_ptr<core::protocol::AgentSession> session;
};
core::Result<HostSession> openHostSession(const QString &file, const QString &host,
                                          core::protocol::AgentConnector &agents);

} // namespace converge::app
