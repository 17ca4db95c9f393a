#include "unrealizedbridges.h"

#include <QSet>

#include <algorithm>

namespace converge::collectors {

namespace {

using K = core::realize::Operation::Kind;

bool isFlowsOrAddresses(const core::realize::Operation &op)
{
    return op.kind == K::SetFlows || op.kind == K::SetAddresses;
}

QSet<QString> setOf(const QStringList &names)
{
    return {names.begin(), names.end()};
}

} // namespace

QString unrealizedProblem(const ovs::UnrealizedBridge &b)
{
    if (!b.managed)
        return QStringLiteral("bridge %1 (datapath %2, not managed by Converge) is in OVSDB but "
                              "ovs-vswitchd does not serve it: %3. The agent leaves it alone; "
                              "remove it (ovs-vsctl del-br %1) if nothing needs it")
            .arg(b.name, b.datapathType, b.reason);
    return QStringLiteral("bridge %1 (datapath %2) is in OVSDB but ovs-vswitchd does not serve it: "
                          "%3. Applies that keep it are refused: deploy with a datapath this "
                          "host has (datapath = auto picks one, and the plan re-creates the "
                          "bridge), leave it out of the design (the plan removes it), or remove "
                          "it by hand (ovs-vsctl del-br %1)")
        .arg(b.name, b.datapathType, b.reason);
}

QStringList keptUnrealized(const core::realize::Plan &plan, const QStringList &unrealized)
{
    QStringList kept;
    for (const QString &name : unrealized) {
        const bool replaced = std::ranges::any_of(plan.ops, [&](const core::realize::Operation &o) {
            return o.target == name && (o.kind == K::RemoveBridge || o.kind == K::RecreateBridge);
        });
        if (!replaced)
            kept << name;
    }
    return kept;
}

core::realize::Plan restorePlan(core::realize::Plan plan, const QStringList &before,
                                const QStringList &now)
{
    QSet<QString> hollow;
    for (const QString &name : before) {
        const bool created = std::ranges::any_of(plan.ops, [&](const core::realize::Operation &o) {
            return o.target == name && (o.kind == K::AddBridge || o.kind == K::RecreateBridge);
        });
        if (created || now.contains(name))
            hollow.insert(name);
    }
    std::erase_if(plan.ops, [&](const core::realize::Operation &o) {
        return o.kind == K::SetAddresses && hollow.contains(o.bridge);
    });
    for (core::realize::Operation &op : plan.ops)
        if (op.kind == K::SetFlows && hollow.contains(op.bridge)) {
            op.kind = K::SetBridge; // the external_ids that record the flow table, no flows
            op.flows.clear();
        }
    return plan;
}

core::realize::Plan restoreRemainder(core::realize::Plan rest, const QStringList &before,
                                     const QStringList &now)
{
    const QSet<QString> hollow = setOf(before) & setOf(now);
    std::erase_if(rest.ops, [&](const core::realize::Operation &o) {
        return isFlowsOrAddresses(o) && hollow.contains(o.bridge);
    });
    return rest;
}

} // namespace converge::collectors
