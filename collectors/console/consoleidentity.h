#pragma once

#include "collectors/agent/tlsidentity.h"

// The console's own TLS identity and its other per-user files (bundle signing key): kept in
// $CONVERGE_CONSOLE_DIR, or ~/.config/converge when unset. One identity per user, shared by the
// GUI and convergectl, so agents enrolled by one are reachable from the other.
namespace converge::collectors {

QString consoleDirectory();
core::Result<TlsIdentity> consoleIdentity();

} // namespace converge::collectors
