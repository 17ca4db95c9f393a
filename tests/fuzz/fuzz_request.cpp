// What the agent does with a frame's payload: parseMessage, then parseRequest on the message
// (and EnrollRequest for "enroll", which the channel answers, and parseCaptureRequest for the
// capture requests, which its capture service answers). Checked: errors have a message,
// and a request's say where (a path in "body", or "type"); a parsed message re-encodes to
// itself; a parsed request's toJson() parses again to the same JSON (and, for plan and apply,
// the same desired state).
#include "fuzzchecks.h"

#include "core/protocol/capture.h"
#include "core/protocol/requests.h"

using namespace converge;
using namespace converge::core::protocol;
using fuzz::require;

namespace {

QJsonObject bodyOf(const Request &request)
{
    return std::visit([](const auto &r) { return r.toJson(); }, request);
}

const core::realize::HostState *desiredOf(const Request &request)
{
    if (const auto *plan = std::get_if<PlanRequest>(&request))
        return &plan->desired;
    if (const auto *apply = std::get_if<ApplyRequest>(&request))
        return &apply->desired;
    return nullptr;
}

void checkRequest(const Message &m)
{
    const auto request = parseRequest(m.type, m.body);
    if (fuzz::failedWithMessage(request)) {
        const QString &e = request.error().message;
        require(e.startsWith(QLatin1String("body")) || e.startsWith(QLatin1String("type: ")),
                "a request's error says where", e);
        return;
    }
    const QJsonObject body = bodyOf(*request);
    const auto again = parseRequest(m.type, body);
    require(again.has_value(), "a request's toJson() parses",
            again ? QString() : again.error().message + QLatin1Char(' ') + fuzz::compact(body));
    require(bodyOf(*again) == body, "toJson(fromJson(toJson())) is toJson()", fuzz::compact(body));
    require(again->index() == request->index(), "the same request");
    if (const auto *desired = desiredOf(*request))
        require(*desiredOf(*again) == *desired, "the desired state survives its JSON",
                fuzz::compact(body));
}

// The capture requests (capture.h), which the agent's capture service parses.
void checkCapture(const Message &m)
{
    const auto request = parseCaptureRequest(m.type, m.body);
    if (fuzz::failedWithMessage(request)) {
        const QString &e = request.error().message;
        require(e.startsWith(QLatin1String("body")), "a capture request's error says where", e);
        return;
    }
    const auto bodyOfCapture = [](const CaptureRequest &r) {
        return std::visit([](const auto &c) { return c.toJson(); }, r);
    };
    const QJsonObject body = bodyOfCapture(*request);
    const auto again = parseCaptureRequest(m.type, body);
    require(again.has_value(), "a capture request's toJson() parses",
            again ? QString() : again.error().message + QLatin1Char(' ') + fuzz::compact(body));
    require(bodyOfCapture(*again) == body, "toJson(fromJson(toJson())) is toJson()",
            fuzz::compact(body));
}

void checkEnroll(const Message &m)
{
    const auto enroll = EnrollRequest::fromJson(m.body);
    if (fuzz::failedWithMessage(enroll))
        return;
    const auto again = EnrollRequest::fromJson(enroll->toJson());
    require(again && again->proof == enroll->proof, "an enrollment's toJson() parses");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto message = parseMessage(fuzz::bytesOf(data, size));
    if (fuzz::failedWithMessage(message))
        return 0;
    fuzz::checkParsedMessage(*message);
    const auto type = requestTypeFromName(message->type);
    if (message->type == QLatin1String("enroll"))
        checkEnroll(*message);
    else if (type && isCaptureRequest(*type))
        checkCapture(*message);
    else
        checkRequest(*message);
    return 0;
}
