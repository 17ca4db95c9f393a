#pragma once

#include "collectors/channel/tlsidentity.h"

namespace converge::collectors {

// The console's TLS identity (console.key, console.crt) in core::consoleDirectory(), made on
// first use: one per user, shared by the GUI and convergectl.
core::Result<TlsIdentity> consoleIdentity();

} // namespace converge::collectors
