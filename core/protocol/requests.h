#pragma once

#include "core/realize/hoststate.h"

#include <QJsonObject>

#include <optional>
#include <variant>

// The requests of the console <-> agent protocol (docs/agent.md, "Protocol"): one struct per
// request type, with the one definition of its body both sides use. The console builds a body
// with toJson(); the agent reads it with fromJson(), which validates it completely (unknown
// fields, types, ranges, the desired state) and names the path of the first problem. Frames
// carry them as {"type": NAME, "id": N, "body": BODY} (frame.h).
namespace converge::core::protocol {

enum class RequestType {
    Hello,
    State,
    Plan,
    Apply,
    Confirm,
    Rollback,
    Enroll,
    Subscribe,
    Unsubscribe,
    // Captures (capture.h): served by the agent's capture service, in the network thread.
    CaptureStart,
    CaptureStop,
    CaptureRenew,
    CaptureList,
    CaptureFetch,
    CaptureDelete,
};
bool isCaptureRequest(RequestType type);
QString requestTypeName(RequestType type); // "apply"
std::optional<RequestType> requestTypeFromName(const QString &name);

constexpr int kMinConfirmTimeoutSec = 1;
constexpr int kMaxConfirmTimeoutSec = 3600;
constexpr int kDefaultConfirmTimeoutSec = 60;

struct HelloRequest
{
    static constexpr RequestType kType = RequestType::Hello;
    QString clientVersion;
    QJsonObject toJson() const;
    static Result<HelloRequest> fromJson(const QJsonObject &body);
};

// What is configured on the host now, with the meter ACLs' counters.
struct StateRequest
{
    static constexpr RequestType kType = RequestType::State;
    QJsonObject toJson() const { return {}; }
    static Result<StateRequest> fromJson(const QJsonObject &body);
};

// A dry run: the plan that would make the host the desired state.
struct PlanRequest
{
    static constexpr RequestType kType = RequestType::Plan;
    realize::HostState desired;
    QJsonObject toJson() const;
    static Result<PlanRequest> fromJson(const QJsonObject &body);
};

// Applies the desired state; the agent rolls it back unless confirmed within the timeout, and
// refuses when the plan is no longer the one with `expectedPlanDigest` (if given).
struct ApplyRequest
{
    static constexpr RequestType kType = RequestType::Apply;
    realize::HostState desired;
    int confirmTimeoutSec = kDefaultConfirmTimeoutSec;
    QString expectedPlanDigest;
    QJsonObject toJson() const;
    static Result<ApplyRequest> fromJson(const QJsonObject &body);
};

struct ConfirmRequest
{
    static constexpr RequestType kType = RequestType::Confirm;
    QString transaction;
    QJsonObject toJson() const;
    static Result<ConfirmRequest> fromJson(const QJsonObject &body);
};

struct RollbackRequest
{
    static constexpr RequestType kType = RequestType::Rollback;
    QString transaction;
    QJsonObject toJson() const;
    static Result<RollbackRequest> fromJson(const QJsonObject &body);
};

// The console's proof of the one-time token (collectors/channel/enrollment.h).
struct EnrollRequest
{
    static constexpr RequestType kType = RequestType::Enroll;
    static constexpr qsizetype kProofHexLength = 64; // HMAC-SHA256
    QString proof;
    QJsonObject toJson() const;
    static Result<EnrollRequest> fromJson(const QJsonObject &body);
};

// Opens a stream of events (frame type "event", its id the subscription's) on this connection;
// `since` asks for the events after that sequence number the agent still holds (back-fill after
// a reconnect), 0 for new ones only. `params` belong to the stream (an interval, a filter).
struct SubscribeRequest
{
    static constexpr RequestType kType = RequestType::Subscribe;
    QString stream;
    qint64 since = 0;
    QJsonObject params;
    QString epoch = {}; // the SubscribeReply::epoch `since` was counted in (empty: none yet)
    QJsonObject toJson() const;
    static Result<SubscribeRequest> fromJson(const QJsonObject &body);
};

struct UnsubscribeRequest
{
    static constexpr RequestType kType = RequestType::Unsubscribe;
    qint64 subscription = 0;
    QJsonObject toJson() const;
    static Result<UnsubscribeRequest> fromJson(const QJsonObject &body);
};

// Any request the agent serves after enrollment ("enroll" is answered by the channel).
using Request = std::variant<HelloRequest, StateRequest, PlanRequest, ApplyRequest, ConfirmRequest,
                             RollbackRequest, SubscribeRequest, UnsubscribeRequest>;

// Validates a request completely; the error message says where and what.
Result<Request> parseRequest(const QString &type, const QJsonObject &body);

} // namespace converge::core::protocol
