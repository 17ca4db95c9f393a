#pragma once

#include "core/deploy/deploytypes.h"
#include "core/protocol/agentsession.h"

#include <QMutex>

#include <atomic>
#include <chrono>

// The console's side of enrollment, for convergectl enroll and the GUI's Enroll dialog: a fresh
// one-time token, and attempts to enroll with it until the agent has it (the admin runs
// `converged --enroll-token` on the host meanwhile) or the console gives up.
namespace converge::collectors {

// 128 random bits as 32 hex characters: what `converged --enroll-token` takes.
QString newEnrollmentToken();

// One attempt: the token's proof with the agent at `address` (AgentConnector::enroll), then a
// hello for its version. The record the project store keeps for the design host `host`.
core::Result<core::deploy::AgentRecord> enrollAgent(core::protocol::AgentConnector &connector,
                                                    const QString &host, const QString &address,
                                                    const QString &token, int timeoutMs);

// How long to keep trying and what the caller sees meanwhile. Shared with the thread that
// waits: the attempts count and the last error are read under the mutex, `cancelled` any time.
struct EnrollAttempts
{
    std::chrono::milliseconds wait{0}; // 0: one attempt only (a token pasted from the host)
    std::chrono::milliseconds interval{2000};
    int attemptTimeoutMs = 10'000;
    std::atomic<bool> cancelled = false;
    QMutex mutex;
    int tries = 0; // failed attempts so far
    QString lastError;
};

// Attempts until one succeeds, `wait` has passed or `attempts.cancelled` is set (blocking: run
// it off the GUI thread).
core::Result<core::deploy::AgentRecord> enrollWhenReady(core::protocol::AgentConnector &connector,
                                                        const QString &host, const QString &address,
                                                        const QString &token,
                                                        EnrollAttempts &attempts);

} // namespace converge::collectors
