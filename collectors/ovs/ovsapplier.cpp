#include "ovsapplier.h"

#include "collectors/logging.h"
#include "collectors/ovs/ovserrors.h"
#include "collectors/ovs/ovsmeters.h"

namespace converge::collectors::ovs {

namespace {

// The meters of a bridge that should have none: deleted once no flow uses them. A datapath
// without meters (some kernels) may refuse to list them; then there are none to delete.
Result<void> deleteAllMeters(const OvsEnv &env, const QString &bridge, int timeoutMs)
{
    auto present = readMeters(env, bridge, timeoutMs);
    if (!present) {
        qCDebug(lcApply) << "no meters listed on" << bridge << present.error().message;
        return {};
    }
    return deleteMeters(env, bridge, meterIds(*present), timeoutMs);
}

// A bridge's meters and flows. Open vSwitch takes no meter mod in a bundle (OFPBFC_MSG_UNSUP,
// measured on 3.1) and refuses a flow whose meter does not exist, so: the meters the new table
// uses first, then the table in one bundle, then the meters nothing uses any more.
Result<void> applyFlowTable(const OvsEnv &env, const core::realize::Operation &op, int timeoutMs)
{
    QList<quint32> stale;
    if (!op.meters.isEmpty()) {
        auto put = putMeters(env, op.bridge, op.meters, timeoutMs);
        if (!put)
            return std::unexpected(put.error());
        stale = *put;
    }
    const QByteArray table = op.flows.join(QLatin1Char('\n')).toUtf8() + '\n';
    auto r = runChecked(findTool(QStringLiteral("ovs-ofctl")),
                        {QStringLiteral("-O"), QStringLiteral("OpenFlow14"),
                         QStringLiteral("--bundle"), QStringLiteral("--"),
                         QStringLiteral("replace-flows"), op.bridge, QStringLiteral("-")},
                        table, timeoutMs, processEnv(env));
    if (!r)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("flow table of %1: %2")
                              .arg(op.bridge, explainToolFailure(r.error().message)));
    qCDebug(lcApply) << "replaced" << op.flows.size() << "flows on" << op.bridge << "with"
                     << op.meters.size() << "meters";
    if (op.meters.isEmpty())
        return deleteAllMeters(env, op.bridge, timeoutMs);
    return deleteMeters(env, op.bridge, stale, timeoutMs);
}

Result<void> applyFlowsAndAddresses(const OvsEnv &env, const core::realize::Plan &plan,
                                    int timeoutMs)
{
    for (const core::realize::Operation &op : plan.ops)
        if (op.kind == core::realize::Operation::Kind::SetFlows)
            if (auto r = applyFlowTable(env, op, timeoutMs); !r)
                return r;
    for (const core::realize::Operation &op : plan.ops)
        for (const QStringList &argv : op.ip) {
            auto r = runChecked(findTool(QStringLiteral("ip")), argv, {}, timeoutMs);
            if (!r)
                return core::fail(core::Error::Code::Io,
                                  QStringLiteral("%1: %2").arg(op.summary(), r.error().message));
        }
    return {};
}

QStringList vsctlBase(const OvsEnv &env, int timeoutMs)
{
    return vsctlArgs(env) << QStringLiteral("--timeout=%1").arg(std::max(1, timeoutMs / 1000));
}

} // namespace

Result<void> applyPlan(const OvsEnv &env, const core::realize::Plan &plan, int timeoutMs,
                       const ApplyHooks &hooks)
{
    const QStringList commands = plan.vsctlArguments();
    if (!commands.isEmpty()) {
        auto r = runChecked(findTool(QStringLiteral("ovs-vsctl")),
                            vsctlBase(env, timeoutMs) + commands, {}, timeoutMs + 5000);
        if (!r)
            return core::fail(core::Error::Code::Io,
                              QStringLiteral("OVSDB transaction (nothing was changed): ") +
                                  explainToolFailure(r.error().message));
        qCInfo(lcApply) << "committed one OVSDB transaction of"
                        << commands.count(QStringLiteral("--")) << "commands";
    }
    if (hooks.afterTransaction)
        hooks.afterTransaction();
    return applyFlowsAndAddresses(env, plan, timeoutMs);
}

Result<void> applyPlanPerCommand(const OvsEnv &env, const core::realize::Plan &plan, int timeoutMs)
{
    for (const core::realize::Operation &op : plan.ops) {
        // Commands that name rows created by --id in the same call must stay together.
        QList<QStringList> group;
        auto flush = [&]() -> Result<void> {
            if (group.isEmpty())
                return {};
            QStringList args = vsctlBase(env, timeoutMs);
            for (const QStringList &c : group)
                args << QStringLiteral("--") << c;
            group.clear();
            auto r = runChecked(findTool(QStringLiteral("ovs-vsctl")), args, {}, timeoutMs + 5000);
            if (!r)
                return std::unexpected(r.error());
            return {};
        };
        for (const QStringList &c : op.vsctl) {
            group << c;
            const bool defines = c.value(0).startsWith(QStringLiteral("--id="));
            if (!defines) {
                if (auto r = flush(); !r)
                    return r;
            }
        }
        if (auto r = flush(); !r)
            return r;
    }
    return applyFlowsAndAddresses(env, plan, timeoutMs);
}

} // namespace converge::collectors::ovs
