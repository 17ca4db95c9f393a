#pragma once

#include "core/realize/hoststate.h"

namespace converge::core::protocol {

using core::Result;

// The requests the agent serves (docs/agent.md, "Protocol"). Metrics and capture requests will
// use the same framing (frame.h) with types of their own.
enum class RequestType { Hello, State, Plan, Apply, Confirm, Rollback };

struct Request
{
    RequestType type = RequestType::Hello;
    QString clientVersion;      // hello
    realize::HostState desired; // plan, apply
    int confirmTimeoutSec = 60; // apply: roll back unless confirmed within this
    QString expectedPlanDigest; // apply: only apply if the plan is still this one
    QString transaction;        // confirm, rollback
};

constexpr int kMinConfirmTimeoutSec = 1;
constexpr int kMaxConfirmTimeoutSec = 3600;

// Validates a request body completely: unknown fields, types, ranges, and the desired state
// (names, VLAN ids, prefixes, references). The error message says where and what.
Result<Request> parseRequest(const QString &type, const QJsonObject &body);

QString requestTypeName(RequestType type);

} // namespace converge::core::protocol
