#include "requests.h"

#include <QRegularExpression>

#include <cmath>

namespace converge::core::protocol {

namespace {

Result<void> onlyKeys(const QJsonObject &body, const QStringList &known)
{
    for (auto it = body.begin(); it != body.end(); ++it)
        if (!known.contains(it.key()))
            return core::invalid(QStringLiteral("body.%1: unknown field").arg(it.key()));
    return {};
}

Result<QString> token(const QJsonObject &body, const QString &key, bool required)
{
    const QJsonValue v = body.value(key);
    if (v.isUndefined()) {
        if (required)
            return core::invalid(QStringLiteral("body.%1: is required").arg(key));
        return QString();
    }
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._:-]{1,128}$"));
    if (!v.isString() || !re.match(v.toString()).hasMatch())
        return core::invalid(
            QStringLiteral(
                "body.%1: must be 1-128 characters of letters, digits, '.', '_', ':', '-'")
                .arg(key));
    return v.toString();
}

Result<realize::HostState> desiredOf(const QJsonObject &body)
{
    const QJsonValue v = body.value(QLatin1String("desired"));
    if (v.isUndefined())
        return core::invalid(QStringLiteral("body.desired: is required"));
    if (!v.isObject())
        return core::invalid(QStringLiteral("body.desired: must be an object"));
    auto state = realize::HostState::fromJson(v.toObject());
    if (!state)
        return core::invalid(QStringLiteral("body.desired.") + state.error().message);
    return state;
}

} // namespace

QString requestTypeName(RequestType type)
{
    switch (type) {
    case RequestType::Hello:
        return QStringLiteral("hello");
    case RequestType::State:
        return QStringLiteral("state");
    case RequestType::Plan:
        return QStringLiteral("plan");
    case RequestType::Apply:
        return QStringLiteral("apply");
    case RequestType::Confirm:
        return QStringLiteral("confirm");
    case RequestType::Rollback:
        return QStringLiteral("rollback");
    }
    return {};
}

Result<Request> parseRequest(const QString &type, const QJsonObject &body)
{
    Request r;
    if (type == QLatin1String("hello")) {
        r.type = RequestType::Hello;
        if (auto ok = onlyKeys(body, {QStringLiteral("version")}); !ok)
            return std::unexpected(ok.error());
        auto version = token(body, QStringLiteral("version"), true);
        if (!version)
            return std::unexpected(version.error());
        r.clientVersion = *version;
    } else if (type == QLatin1String("state")) {
        r.type = RequestType::State;
        if (auto ok = onlyKeys(body, {}); !ok)
            return std::unexpected(ok.error());
    } else if (type == QLatin1String("plan") || type == QLatin1String("apply")) {
        const bool apply = type == QLatin1String("apply");
        r.type = apply ? RequestType::Apply : RequestType::Plan;
        QStringList known{QStringLiteral("desired")};
        if (apply)
            known << QStringLiteral("confirmTimeoutSec") << QStringLiteral("expectedPlanDigest");
        if (auto ok = onlyKeys(body, known); !ok)
            return std::unexpected(ok.error());
        auto desired = desiredOf(body);
        if (!desired)
            return std::unexpected(desired.error());
        r.desired = std::move(*desired);
        if (apply) {
            const QJsonValue t = body.value(QLatin1String("confirmTimeoutSec"));
            if (!t.isUndefined()) {
                const double d = t.toDouble(-1);
                if (!t.isDouble() || d < kMinConfirmTimeoutSec || d != std::floor(d) ||
                    d > kMaxConfirmTimeoutSec)
                    return core::invalid(
                        QStringLiteral("body.confirmTimeoutSec: must be whole seconds in %1-%2")
                            .arg(kMinConfirmTimeoutSec)
                            .arg(kMaxConfirmTimeoutSec));
                r.confirmTimeoutSec = static_cast<int>(d);
            }
            auto digest = token(body, QStringLiteral("expectedPlanDigest"), false);
            if (!digest)
                return std::unexpected(digest.error());
            r.expectedPlanDigest = *digest;
        }
    } else if (type == QLatin1String("confirm") || type == QLatin1String("rollback")) {
        r.type = type == QLatin1String("confirm") ? RequestType::Confirm : RequestType::Rollback;
        if (auto ok = onlyKeys(body, {QStringLiteral("transaction")}); !ok)
            return std::unexpected(ok.error());
        auto txn = token(body, QStringLiteral("transaction"), true);
        if (!txn)
            return std::unexpected(txn.error());
        r.transaction = *txn;
    } else {
        return core::invalid(QStringLiteral("type: \"%1\" is not a request this agent serves "
                                            "(hello, state, plan, apply, confirm, rollback)")
                                 .arg(type));
    }
    return r;
}

} // namespace converge::core::protocol
