#include "ovsapplier.h"

#include "collectors/logging.h"
#include "collectors/ovs/ovserrors.h"

namespace converge::collectors::ovs {

namespace {

Result<void> applyFlowsAndAddresses(const OvsEnv &env, const core::realize::Plan &plan,
                                    int timeoutMs)
{
    for (const core::realize::Operation &op : plan.ops) {
        if (op.kind != core::realize::Operation::Kind::SetFlows)
            continue;
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
        qCDebug(lcApply) << "replaced" << op.flows.size() << "flows on" << op.bridge;
    }
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
