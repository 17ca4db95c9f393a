#include "replies.h"

#include "core/util/jsonreader.h"
#include "frame.h"
#include "requests.h"

#include <QJsonArray>

namespace converge::core::protocol {

namespace {

Result<PlanReport> planIn(JsonReader &r)
{
    const QJsonObject plan = r.object(QStringLiteral("plan"), true);
    if (!r.ok())
        return invalid(r.error());
    return PlanReport::fromJson(plan, r.where(QStringLiteral("plan")));
}

Result<QString> transactionIn(const QJsonObject &body, const char *flag)
{
    JsonReader r = JsonReader::body(body);
    const QString transaction = r.token(QStringLiteral("transaction"));
    if (!r.boolean(QLatin1String(flag), false, true) && r.ok())
        r.fail(QLatin1String(flag), QStringLiteral("must be true"));
    return r.checked(transaction);
}

} // namespace

PlanReport PlanReport::of(const realize::Plan &plan)
{
    auto report = fromJson(plan.toJson(), QStringLiteral("plan"));
    return report ? *report : PlanReport{};
}

Result<PlanReport> PlanReport::fromJson(const QJsonObject &plan, const QString &path)
{
    JsonReader r(plan, path);
    PlanReport p;
    p.digest = r.token(QStringLiteral("digest"));
    p.diff = r.str(QStringLiteral("diff"), true);
    p.notes = r.stringList(QStringLiteral("notes"));
    const QJsonArray ops = r.array(QStringLiteral("operations"), true);
    for (qsizetype i = 0; i < ops.size() && r.ok(); ++i) {
        if (!ops[i].isObject() || !ops[i].toObject().value(QLatin1String("destructive")).isBool())
            r.fail(QStringLiteral("operations[%1]").arg(i),
                   QStringLiteral("must be an object with a \"destructive\" flag"));
        p.destructive += ops[i].toObject().value(QLatin1String("destructive")).toBool() ? 1 : 0;
    }
    p.operations = int(ops.size());
    p.json = plan;
    return r.checked(std::move(p));
}

QString PlanReport::summaryOf(int operations, int destructive)
{
    if (operations == 0)
        return QStringLiteral("no changes");
    return QStringLiteral("%1 operations, %2 destructive").arg(operations).arg(destructive);
}

QJsonObject HelloReply::toJson() const
{
    QJsonObject o{{QStringLiteral("agent"), agent},
                  {QStringLiteral("version"), version},
                  {QStringLiteral("protocol"), protocol},
                  {QStringLiteral("host"), host},
                  {QStringLiteral("datapath"), datapath},
                  {QStringLiteral("capabilities"), QJsonArray::fromStringList(capabilities)}};
    if (!pendingTransaction.isEmpty())
        o.insert(QStringLiteral("pendingTransaction"), pendingTransaction);
    if (!problems.isEmpty())
        o.insert(QStringLiteral("problems"), QJsonArray::fromStringList(problems));
    return o;
}

Result<HelloReply> HelloReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    HelloReply h;
    h.agent = r.str(QStringLiteral("agent"), true);
    h.version = r.token(QStringLiteral("version"));
    h.protocol = int(r.integer(QStringLiteral("protocol"), 1, 1000000, 0, true));
    h.host = r.str(QStringLiteral("host"));
    h.datapath = r.str(QStringLiteral("datapath"));
    h.capabilities = r.stringList(QStringLiteral("capabilities"));
    h.pendingTransaction = r.token(QStringLiteral("pendingTransaction"), false);
    h.problems = r.stringList(QStringLiteral("problems"));
    return r.checked(std::move(h));
}

namespace {

QJsonObject meterJson(const MeterCounter &m)
{
    return {{QStringLiteral("bridge"), m.bridge},
            {QStringLiteral("port"), m.port},
            {QStringLiteral("acl"), m.acl},
            {QStringLiteral("packets"), static_cast<double>(m.packets)},
            {QStringLiteral("bytes"), static_cast<double>(m.bytes)}};
}

Result<MeterCounter> meterOf(const QJsonValue &v, const QString &path)
{
    JsonReader r(v.toObject(), path);
    if (!v.isObject())
        return invalid(path + QStringLiteral(": must be an object"));
    constexpr qint64 kMaxCounter = qint64(1) << 53; // what a JSON number holds exactly
    MeterCounter m;
    m.bridge = r.str(QStringLiteral("bridge"), true);
    m.port = r.str(QStringLiteral("port"), true);
    m.acl = int(r.integer(QStringLiteral("acl"), 0, 1 << 16, 0, true));
    m.packets = quint64(r.integer(QStringLiteral("packets"), 0, kMaxCounter, 0, true));
    m.bytes = quint64(r.integer(QStringLiteral("bytes"), 0, kMaxCounter, 0, true));
    return r.checked(std::move(m));
}

} // namespace

QJsonObject StateReply::toJson() const
{
    QJsonArray counters;
    for (const MeterCounter &m : meters)
        counters.append(meterJson(m));
    QJsonObject o{{QStringLiteral("state"), state.toJson()}, {QStringLiteral("meters"), counters}};
    if (!pendingTransaction.isEmpty())
        o.insert(QStringLiteral("pending"),
                 QJsonObject{{QStringLiteral("transaction"), pendingTransaction},
                             {QStringLiteral("deadline"), pendingDeadline}});
    if (!problems.isEmpty())
        o.insert(QStringLiteral("problems"), QJsonArray::fromStringList(problems));
    return o;
}

Result<StateReply> StateReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    const QJsonObject stateJson = r.object(QStringLiteral("state"), true);
    const QJsonArray meters = r.array(QStringLiteral("meters"));
    const QJsonObject pending = r.object(QStringLiteral("pending"), false);
    const QStringList problems = r.stringList(QStringLiteral("problems"));
    if (!r.ok())
        return invalid(r.error());
    auto state = realize::HostState::fromJson(stateJson);
    if (!state)
        return invalid(QStringLiteral("body.state.") + state.error().message);
    StateReply s{std::move(*state), {}, {}, {}, problems};
    for (qsizetype i = 0; i < meters.size(); ++i) {
        auto m = meterOf(meters[i], QStringLiteral("body.meters[%1]").arg(i));
        if (!m)
            return std::unexpected(m.error());
        s.meters.push_back(std::move(*m));
    }
    JsonReader p(pending, QStringLiteral("body.pending"));
    if (!pending.isEmpty()) {
        s.pendingTransaction = p.token(QStringLiteral("transaction"));
        s.pendingDeadline = p.str(QStringLiteral("deadline"), true);
    }
    return p.checked(std::move(s));
}

QJsonObject PlanReply::toJson() const
{
    return {{QStringLiteral("plan"), plan.json}};
}

Result<PlanReply> PlanReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    auto plan = planIn(r);
    if (!plan)
        return std::unexpected(plan.error());
    return PlanReply{std::move(*plan)};
}

QJsonObject ApplyReply::toJson() const
{
    QJsonObject o{{QStringLiteral("transaction"), transaction},
                  {QStringLiteral("changed"), changed},
                  {QStringLiteral("plan"), plan.json}};
    if (changed) {
        o.insert(QStringLiteral("deadline"), deadline);
        o.insert(QStringLiteral("confirmTimeoutSec"), confirmTimeoutSec);
    }
    return o;
}

Result<ApplyReply> ApplyReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    ApplyReply a;
    a.changed = r.boolean(QStringLiteral("changed"), false, true);
    const bool whenChanged = a.changed;
    a.transaction =
        a.changed ? r.token(QStringLiteral("transaction")) : r.str(QStringLiteral("transaction"));
    a.deadline = r.str(QStringLiteral("deadline"), whenChanged);
    a.confirmTimeoutSec = int(r.integer(QStringLiteral("confirmTimeoutSec"), kMinConfirmTimeoutSec,
                                        kMaxConfirmTimeoutSec, 0, whenChanged));
    auto plan = planIn(r);
    if (!plan)
        return std::unexpected(plan.error());
    a.plan = std::move(*plan);
    return r.checked(std::move(a));
}

QJsonObject ConfirmReply::toJson() const
{
    return {{QStringLiteral("transaction"), transaction}, {QStringLiteral("confirmed"), true}};
}

Result<ConfirmReply> ConfirmReply::fromJson(const QJsonObject &body)
{
    auto t = transactionIn(body, "confirmed");
    if (!t)
        return std::unexpected(t.error());
    return ConfirmReply{*t};
}

QJsonObject RollbackReply::toJson() const
{
    return {{QStringLiteral("transaction"), transaction}, {QStringLiteral("rolledBack"), true}};
}

Result<RollbackReply> RollbackReply::fromJson(const QJsonObject &body)
{
    auto t = transactionIn(body, "rolledBack");
    if (!t)
        return std::unexpected(t.error());
    return RollbackReply{*t};
}

QJsonObject EnrollReply::toJson() const
{
    return {{QStringLiteral("agentFingerprint"), agentFingerprint},
            {QStringLiteral("proof"), proof}};
}

Result<EnrollReply> EnrollReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    EnrollReply e;
    e.agentFingerprint = r.str(QStringLiteral("agentFingerprint"), true);
    e.proof = r.str(QStringLiteral("proof"), true);
    return r.checked(std::move(e));
}

QJsonObject SubscribeReply::toJson() const
{
    QJsonObject o{{QStringLiteral("subscription"), double(subscription)},
                  {QStringLiteral("firstSeq"), double(firstSeq)}};
    if (!epoch.isEmpty())
        o.insert(QStringLiteral("epoch"), epoch);
    return o;
}

Result<SubscribeReply> SubscribeReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    SubscribeReply s;
    s.subscription = r.integer(QStringLiteral("subscription"), 1, kMaxMessageId, 0, true);
    s.firstSeq = r.integer(QStringLiteral("firstSeq"), 1, kMaxMessageId, 0, true);
    s.epoch = r.token(QStringLiteral("epoch"), false);
    return r.checked(std::move(s));
}

QJsonObject StreamEvent::toJson() const
{
    return {{QStringLiteral("seq"), double(seq)}, {QStringLiteral("data"), data}};
}

Result<StreamEvent> StreamEvent::fromJson(qint64 subscription, const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    StreamEvent e;
    e.subscription = subscription;
    e.seq = r.integer(QStringLiteral("seq"), 1, kMaxMessageId, 0, true);
    e.data = r.object(QStringLiteral("data"), true);
    return r.checked(std::move(e));
}

QJsonObject ErrorReply::toJson() const
{
    return {{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
}

ErrorReply ErrorReply::fromJson(const QJsonObject &body)
{
    return {body.value(QLatin1String("code")).toString(),
            body.value(QLatin1String("message")).toString()};
}

} // namespace converge::core::protocol
