#pragma once

#include "core/realize/hoststate.h"
#include "core/realize/planner.h"

#include <QJsonObject>
#include <QStringList>

#include <vector>

// The agent's answers (frame type "result", the request's id) and its stream events: one struct
// per reply, with the one definition of its body both sides use. The agent builds a body with
// toJson(); the console reads it with fromJson(), which checks it as it would any input from the
// network: an agent that answers something else gets a clear error, never a crash.
namespace converge::core::protocol {

// A plan as the agent reports it (realize::Plan::toJson): the fields the console acts on, and
// the whole object as it came, which is what the project store keeps and the views show.
struct PlanReport
{
    QString digest;
    QString diff;
    QStringList notes;
    int operations = 0;
    int destructive = 0;
    QJsonObject json;

    static PlanReport of(const realize::Plan &plan);
    static Result<PlanReport> fromJson(const QJsonObject &plan, const QString &path);
    QString summary() const { return summaryOf(operations, destructive); }
    static QString summaryOf(int operations,
                             int destructive); // "no changes", "3 operations, 1 destructive"
};

struct HelloReply
{
    QString agent; // "converged"
    QString version;
    int protocol = 0;
    QString host;
    QString datapath;
    QStringList capabilities; // the requests and streams it serves
    QString pendingTransaction;
    QStringList problems; // optional: what is wrong on the host, and what the admin can do
    QJsonObject toJson() const;
    static Result<HelloReply> fromJson(const QJsonObject &body);
};

// A meter ACL's counters: the flows carrying that ACL's cookie.
struct MeterCounter
{
    QString bridge;
    QString port;
    int acl = 0;
    quint64 packets = 0;
    quint64 bytes = 0;
    friend bool operator==(const MeterCounter &, const MeterCounter &) = default;
};

struct StateReply
{
    realize::HostState state;
    std::vector<MeterCounter> meters;
    QString pendingTransaction; // with its deadline (ISO 8601), when one awaits confirmation
    QString pendingDeadline;
    QStringList problems; // optional, as in HelloReply
    QJsonObject toJson() const;
    static Result<StateReply> fromJson(const QJsonObject &body);
};

struct PlanReply
{
    PlanReport plan;
    QJsonObject toJson() const;
    static Result<PlanReply> fromJson(const QJsonObject &body);
};

struct ApplyReply
{
    QString transaction; // empty when nothing changed
    bool changed = false;
    QString deadline; // ISO 8601: rolled back unless confirmed by then
    int confirmTimeoutSec = 0;
    PlanReport plan;
    QJsonObject toJson() const;
    static Result<ApplyReply> fromJson(const QJsonObject &body);
};

struct ConfirmReply
{
    QString transaction;
    QJsonObject toJson() const;
    static Result<ConfirmReply> fromJson(const QJsonObject &body);
};

struct RollbackReply
{
    QString transaction;
    QJsonObject toJson() const;
    static Result<RollbackReply> fromJson(const QJsonObject &body);
};

struct EnrollReply
{
    QString agentFingerprint;
    QString proof;
    QJsonObject toJson() const;
    static Result<EnrollReply> fromJson(const QJsonObject &body);
};

struct SubscribeReply
{
    qint64 subscription = 0; // the id events of this stream carry
    qint64 firstSeq = 0;     // the first sequence number that will arrive
    // The stream's run on the agent (new at each agent start): a console resuming with `since`
    // from another epoch gets what the agent holds from the start, and knows numbers restarted.
    QString epoch = {};
    QJsonObject toJson() const;
    static Result<SubscribeReply> fromJson(const QJsonObject &body);
};

// One message of a stream: frame {"type": "event", "id": subscription, "body": {"seq": N,
// "data": {...}}}. Sequence numbers rise by one per event of a subscription; a gap means the
// agent dropped events (its buffer is bounded), which the stream's reader reports.
struct StreamEvent
{
    qint64 subscription = 0;
    qint64 seq = 0;
    QJsonObject data;
    QJsonObject toJson() const; // the body
    static Result<StreamEvent> fromJson(qint64 subscription, const QJsonObject &body);
};

// An "error" frame's body: a code a program can act on ("plan-changed", "busy",
// "unknown-transaction", "bad-request", ...) and a message a person can.
struct ErrorReply
{
    QString code;
    QString message;
    QJsonObject toJson() const;
    static ErrorReply fromJson(const QJsonObject &body);
};

} // namespace converge::core::protocol
