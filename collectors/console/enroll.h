#pragma once

#include "collectors/agent/tlsidentity.h"
#include "core/deploy/deploytypes.h"

// The console's side of enrollment, shared by convergectl enroll and the GUI's Fleet dialog.
namespace converge::collectors {

// A fresh one-time enrollment token (128 random bits as 32 hex characters): what
// `converged --enroll-token` takes.
QString newEnrollmentToken();

// One enrollment attempt with the agent at `address` for the design host `host` (the token
// proof of enrollment.h), then a hello for the agent's version: the record the project store
// keeps. Callers that wait for an admin retry it.
core::Result<core::deploy::AgentRecord> enrollAgent(const QString &host, const QString &address,
                                                    const TlsIdentity &console,
                                                    const QString &token, int timeoutMs);

} // namespace converge::collectors
