#pragma once

#include <QString>

namespace converge::core {

// Where a console keeps its per-user files (TLS identity, bundle-signing key):
// $CONVERGE_CONSOLE_DIR, or ~/.config/converge when unset. One per user, shared by the GUI and
// convergectl, so agents enrolled by one are reachable from the other.
QString consoleDirectory();

} // namespace converge::core
