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

} // namespace converge::app
