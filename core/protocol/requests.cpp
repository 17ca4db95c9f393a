#include "requests.h"

#include "core/util/jsonreader.h"
#include "frame.h"

#include <QRegularExpression>

#include <array>

namespace converge::core::protocol {

namespace {

constexpr std::array kNames{
    std::pair{RequestType::Hello, "hello"},
    std::pair{RequestType::State, "state"},
    std::pair{RequestType::Plan, "plan"},
    std::pair{RequestType::Apply, "apply"},
    std::pair{RequestType::Confirm, "confirm"},
    std::pair{RequestType::Rollback, "rollback"},
    std::pair{RequestType::Enroll, "enroll"},
    std::pair{RequestType::Subscribe, "subscribe"},
    std::pair{RequestType::Unsubscribe, "unsubscribe"},
    std::pair{RequestType::CaptureStart, "capture-start"},
    std::pair{RequestType::CaptureStop, "capture-stop"},
    std::pair{RequestType::CaptureRenew, "capture-renew"},
    std::pair{RequestType::CaptureList, "capture-list"},
    std::pair{RequestType::CaptureFetch, "capture-fetch"},
    std::pair{RequestType::CaptureDelete, "capture-delete"},
};

Result<realize::HostState> desiredOf(JsonReader &r)
{
    const QJsonObject desired = r.object(QStringLiteral("desired"), true);
    if (!r.ok())
        return invalid(r.error());
    auto state = realize::HostState::fromJson(desired);
    if (!state)
        return invalid(r.where(QStringLiteral("desired.")) + state.error().message);
    return state;
}

Result<QString> transactionOf(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("transaction")});
    return r.checked(r.token(QStringLiteral("transaction")));
}

QJsonObject transactionBody(const QString &transaction)
{
    return {{QStringLiteral("transaction"), transaction}};
}

template<typename T> Result<Request> parseAs(const QJsonObject &body)
{
    auto r = T::fromJson(body);
    if (!r)
        return std::unexpected(r.error());
    return Request(std::move(*r));
}

} // namespace

QString requestTypeName(RequestType type)
{
    for (const auto &[t, name] : kNames)
        if (t == type)
            return QLatin1String(name);
    return {};
}

bool isCaptureRequest(RequestType type)
{
    return type >= RequestType::CaptureStart && type <= RequestType::CaptureDelete;
}

std::optional<RequestType> requestTypeFromName(const QString &name)
{
    for (const auto &[t, n] : kNames)
        if (name == QLatin1String(n))
            return t;
    return std::nullopt;
}

QJsonObject HelloRequest::toJson() const
{
    return {{QStringLiteral("version"), clientVersion}};
}

Result<HelloRequest> HelloRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("version")});
    return r.checked(HelloRequest{r.token(QStringLiteral("version"))});
}

Result<StateRequest> StateRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({});
    return r.checked(StateRequest{});
}

QJsonObject PlanRequest::toJson() const
{
    return {{QStringLiteral("desired"), desired.toJson()}};
}

Result<PlanRequest> PlanRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("desired")});
    if (!r.ok())
        return invalid(r.error());
    auto desired = desiredOf(r);
    if (!desired)
        return std::unexpected(desired.error());
    return PlanRequest{std::move(*desired)};
}

QJsonObject ApplyRequest::toJson() const
{
    QJsonObject o{{QStringLiteral("desired"), desired.toJson()},
                  {QStringLiteral("confirmTimeoutSec"), confirmTimeoutSec}};
    if (!expectedPlanDigest.isEmpty())
        o.insert(QStringLiteral("expectedPlanDigest"), expectedPlanDigest);
    return o;
}

Result<ApplyRequest> ApplyRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("desired"), QStringLiteral("confirmTimeoutSec"),
                   QStringLiteral("expectedPlanDigest")});
    if (!r.ok())
        return invalid(r.error());
    auto desired = desiredOf(r);
    if (!desired)
        return std::unexpected(desired.error());
    ApplyRequest a{std::move(*desired), kDefaultConfirmTimeoutSec, {}};
    a.confirmTimeoutSec = int(r.integer(QStringLiteral("confirmTimeoutSec"), kMinConfirmTimeoutSec,
                                        kMaxConfirmTimeoutSec, kDefaultConfirmTimeoutSec, false,
                                        QStringLiteral("whole seconds")));
    a.expectedPlanDigest = r.token(QStringLiteral("expectedPlanDigest"), false);
    return r.checked(std::move(a));
}

QJsonObject ConfirmRequest::toJson() const
{
    return transactionBody(transaction);
}

Result<ConfirmRequest> ConfirmRequest::fromJson(const QJsonObject &body)
{
    auto t = transactionOf(body);
    if (!t)
        return std::unexpected(t.error());
    return ConfirmRequest{*t};
}

QJsonObject RollbackRequest::toJson() const
{
    return transactionBody(transaction);
}

Result<RollbackRequest> RollbackRequest::fromJson(const QJsonObject &body)
{
    auto t = transactionOf(body);
    if (!t)
        return std::unexpected(t.error());
    return RollbackRequest{*t};
}

QJsonObject EnrollRequest::toJson() const
{
    return {{QStringLiteral("proof"), proof}};
}

Result<EnrollRequest> EnrollRequest::fromJson(const QJsonObject &body)
{
    static const QRegularExpression hex(
        QStringLiteral("\\A[0-9a-fA-F]{%1}\\z").arg(kProofHexLength));
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("proof")});
    if (auto known = r.result(); !known)
        return std::unexpected(known.error());
    const QString proof = body.value(QLatin1String("proof")).toString();
    if (!hex.match(proof).hasMatch())
        return invalid(QStringLiteral("body.proof: must be %1 hex characters (HMAC-SHA256)")
                           .arg(kProofHexLength));
    return EnrollRequest{proof};
}

QJsonObject SubscribeRequest::toJson() const
{
    QJsonObject o{{QStringLiteral("stream"), stream}};
    if (since > 0)
        o.insert(QStringLiteral("since"), double(since));
    if (!epoch.isEmpty())
        o.insert(QStringLiteral("epoch"), epoch);
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

Result<SubscribeRequest> SubscribeRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("stream"), QStringLiteral("since"), QStringLiteral("epoch"),
                   QStringLiteral("params")});
    SubscribeRequest s;
    s.stream = r.token(QStringLiteral("stream"));
    s.since = r.integer(QStringLiteral("since"), 0, kMaxMessageId, 0);
    s.epoch = r.token(QStringLiteral("epoch"), false);
    s.params = r.object(QStringLiteral("params"), false);
    return r.checked(std::move(s));
}

QJsonObject UnsubscribeRequest::toJson() const
{
    return {{QStringLiteral("subscription"), double(subscription)}};
}

Result<UnsubscribeRequest> UnsubscribeRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("subscription")});
    const qint64 id = r.integer(QStringLiteral("subscription"), 1, kMaxMessageId, 0, true);
    return r.checked(UnsubscribeRequest{id});
}

Result<Request> parseRequest(const QString &type, const QJsonObject &body)
{
    switch (requestTypeFromName(type).value_or(RequestType::Enroll)) {
    case RequestType::Hello:
        return parseAs<HelloRequest>(body);
    case RequestType::State:
        return parseAs<StateRequest>(body);
    case RequestType::Plan:
        return parseAs<PlanRequest>(body);
    case RequestType::Apply:
        return parseAs<ApplyRequest>(body);
    case RequestType::Confirm:
        return parseAs<ConfirmRequest>(body);
    case RequestType::Rollback:
        return parseAs<RollbackRequest>(body);
    case RequestType::Subscribe:
        return parseAs<SubscribeRequest>(body);
    case RequestType::Unsubscribe:
        return parseAs<UnsubscribeRequest>(body);
    default: // enroll (the channel's), and the capture requests (parseCaptureRequest)
        break;
    }
    return invalid(QStringLiteral("type: \"%1\" is not a request this agent serves "
                                  "(hello, state, plan, apply, confirm, rollback, subscribe, "
                                  "unsubscribe)")
                       .arg(type));
}

} // namespace converge::core::protocol
