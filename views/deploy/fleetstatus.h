#pragma once

#include "collectors/console/fleet.h"

// How the deploy views word a design host's fleet status and a missing fleet store.
namespace converge::views {

// "enrolled", "not enrolled: Deploy > Fleet…", "Hyper-V: export a bundle", ...
QString statusText(const collectors::FleetHost &host);
// A store that could not be opened, as the deploy views say it (a missing one means nobody has
// enrolled an agent yet, and Deploy > Fleet… is where that starts).
QString storeProblem(const core::Error &error);

} // namespace converge::views
