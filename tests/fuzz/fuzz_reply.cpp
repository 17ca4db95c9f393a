// The agent's replies as the console reads them: a frame's payload (parseMessage) whose type
// names the reply to read its body as ("hello", "state", "plan", "apply", "confirm",
// "rollback", "enroll", "subscribe", "event" (and its data as a metering batch), "error"). Checked:
// errors have a message; a reply that reads writes JSON (toJson) that reads again and writes the
// same JSON.
#include "fuzzchecks.h"

#include "core/metering/sample.h"
#include "core/protocol/replies.h"

using namespace converge;
using namespace converge::core::protocol;
using fuzz::require;

namespace {

template<typename Reply, typename Read> void checkReply(const QJsonObject &body, Read read)
{
    const core::Result<Reply> reply = read(body);
    if (fuzz::failedWithMessage(reply))
        return;
    const QJsonObject json = reply->toJson();
    const core::Result<Reply> again = read(json);
    require(again.has_value(), "a reply's toJson() reads",
            again ? QString() : again.error().message + QLatin1Char(' ') + fuzz::compact(json));
    require(again->toJson() == json, "toJson(fromJson(toJson())) is toJson()", fuzz::compact(json));
}

template<typename Reply> void checkReply(const QJsonObject &body)
{
    checkReply<Reply>(body, [](const QJsonObject &b) { return Reply::fromJson(b); });
}

void checkError(const QJsonObject &body)
{
    const ErrorReply e = ErrorReply::fromJson(body);
    const ErrorReply again = ErrorReply::fromJson(e.toJson());
    require(again.code == e.code && again.message == e.message, "an error reads back");
}

void checkReplyOfType(const Message &m)
{
    const QString &t = m.type;
    if (t == QLatin1String("hello"))
        checkReply<HelloReply>(m.body);
    else if (t == QLatin1String("state"))
        checkReply<StateReply>(m.body);
    else if (t == QLatin1String("plan"))
        checkReply<PlanReply>(m.body);
    else if (t == QLatin1String("apply"))
        checkReply<ApplyReply>(m.body);
    else if (t == QLatin1String("confirm"))
        checkReply<ConfirmReply>(m.body);
    else if (t == QLatin1String("rollback"))
        checkReply<RollbackReply>(m.body);
    else if (t == QLatin1String("enroll"))
        checkReply<EnrollReply>(m.body);
    else if (t == QLatin1String("subscribe"))
        checkReply<SubscribeReply>(m.body);
    else if (t == QLatin1String("event")) {
        checkReply<StreamEvent>(
            m.body, [&](const QJsonObject &b) { return StreamEvent::fromJson(m.id, b); });
        // The metering stream's data, as the console's feed reads it.
        checkReply<core::metering::SampleBatch>(m.body.value(QLatin1String("data")).toObject());
    } else if (t == QLatin1String("error"))
        checkError(m.body);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto message = parseMessage(fuzz::bytesOf(data, size));
    if (fuzz::failedWithMessage(message))
        return 0;
    fuzz::checkParsedMessage(*message);
    checkReplyOfType(*message);
    return 0;
}
