// Plans on a host with bridges ovs-vswitchd does not serve (collectors/agent/unrealizedbridges.h):
// what the agent refuses, and what a restore puts back.
#include "collectors/agent/unrealizedbridges.h"

#include <gtest/gtest.h>

using namespace converge;
using namespace converge::collectors;
using core::realize::Bridge;
using core::realize::HostState;
using core::realize::Operation;
using core::realize::Port;
using K = Operation::Kind;

namespace {

Port port(const QString &name, Port::Type type = Port::Type::System)
{
    Port p;
    p.name = name;
    p.type = type;
    p.dhcpGuard = true;
    if (type == Port::Type::Internal)
        p.addresses = {QStringLiteral("10.0.0.1/24")};
    return p;
}

HostState host(const QString &datapath, std::vector<Port> ports)
{
    Bridge b;
    b.name = QStringLiteral("brm");
    b.datapathType = datapath;
    b.ports = std::move(ports);
    HostState s;
    s.host = QStringLiteral("h");
    s.bridges.push_back(b);
    s.normalize();
    return s;
}

// The bridge as read while ovs-vswitchd does not serve it: its flow table unknown.
HostState unserved(HostState s)
{
    for (Bridge &b : s.bridges)
        b.flowsDigest.clear();
    return s;
}

QStringList kinds(const core::realize::Plan &p)
{
    QStringList k;
    for (const Operation &o : p.ops)
        k << core::realize::kindName(o.kind);
    return k;
}

} // namespace

TEST(UnrealizedBridges, APlanThatKeepsSuchABridgeIsRefusedOneThatReplacesItIsNot)
{
    const QStringList brm{QStringLiteral("brm")};
    const HostState current =
        unserved(core::realize::afterApply(host(QStringLiteral("system"), {})));
    const HostState same = host(QStringLiteral("system"), {port(QStringLiteral("v1"))});
    EXPECT_EQ(keptUnrealized(core::realize::makePlan(same, current), brm), brm);
    const HostState other = host(QStringLiteral("netdev"), {port(QStringLiteral("v1"))});
    EXPECT_TRUE(keptUnrealized(core::realize::makePlan(other, current), brm).isEmpty());
    HostState none;
    none.host = QStringLiteral("h");
    EXPECT_TRUE(keptUnrealized(core::realize::makePlan(none, current), brm).isEmpty());
    EXPECT_TRUE(keptUnrealized(core::realize::makePlan(same, current), {}).isEmpty());
}

TEST(UnrealizedBridges, TheRestorePutsTheRowsBackWithoutFlowsOrAddresses)
{
    // Before: brm (system) unserved, with a guarded port and a management vNIC. The apply
    // re-created it with netdev and failed; the restore re-creates it as it was.
    const HostState before =
        host(QStringLiteral("system"),
             {port(QStringLiteral("v1")), port(QStringLiteral("mgmt0"), Port::Type::Internal)});
    const HostState now = core::realize::afterApply(host(QStringLiteral("netdev"), {}));
    const QStringList brm{QStringLiteral("brm")};
    const core::realize::Plan back = core::realize::makePlan(before, now);
    ASSERT_TRUE(kinds(back).contains(QStringLiteral("set-flows")))
        << kinds(back).join(u',').toStdString();
    ASSERT_TRUE(kinds(back).contains(QStringLiteral("set-addresses")));

    const core::realize::Plan restore = restorePlan(back, brm, {});
    EXPECT_FALSE(kinds(restore).contains(QStringLiteral("set-flows")));
    EXPECT_FALSE(kinds(restore).contains(QStringLiteral("set-addresses")));
    for (const Operation &o : restore.ops)
        EXPECT_TRUE(o.flows.isEmpty() && o.ip.isEmpty()) << o.summary().toStdString();
    // The flow table's record in OVSDB is put back all the same.
    EXPECT_TRUE(restore.vsctlArguments().join(u' ').contains(QStringLiteral("converge-flows=")));
    EXPECT_EQ(restore.vsctlArguments().size(), back.vsctlArguments().size());

    // A bridge ovs-vswitchd served before gets its flows back as usual.
    EXPECT_EQ(kinds(restorePlan(back, {}, {})), kinds(back));
    // One it did not serve, serves now and that the restore keeps: its flows are installed.
    core::realize::Plan flowsOnly = back;
    std::erase_if(flowsOnly.ops, [](const Operation &o) { return o.kind != K::SetFlows; });
    EXPECT_EQ(kinds(restorePlan(flowsOnly, brm, {})), kinds(flowsOnly));
    EXPECT_TRUE(kinds(restorePlan(flowsOnly, brm, brm)).contains(QStringLiteral("set-bridge")));
}

TEST(UnrealizedBridges, WhatIsLeftAfterARestoreIgnoresOnlyFlowsOfBridgesNeverServed)
{
    const HostState before =
        host(QStringLiteral("system"),
             {port(QStringLiteral("v1")), port(QStringLiteral("mgmt0"), Port::Type::Internal)});
    HostState after = unserved(core::realize::afterApply(before));
    after.bridges[0].ports[0].addresses.clear(); // no tap device, no address
    const QStringList brm{QStringLiteral("brm")};
    const core::realize::Plan rest = core::realize::makePlan(before, after);
    ASSERT_FALSE(rest.isEmpty());
    EXPECT_TRUE(restoreRemainder(rest, brm, brm).isEmpty()) << rest.diffText().toStdString();
    EXPECT_FALSE(restoreRemainder(rest, brm, {}).isEmpty()) << "served now: it needs its flows";
    EXPECT_FALSE(restoreRemainder(rest, {}, brm).isEmpty()) << "served before: not restored";
    // Anything else left is still a failed restore.
    HostState moved = after;
    moved.bridges[0].ports[1].tag = 7;
    EXPECT_FALSE(restoreRemainder(core::realize::makePlan(before, moved), brm, brm).isEmpty());
}

TEST(UnrealizedBridges, ProblemsSayWhatTheAdminCanDo)
{
    ovs::UnrealizedBridge b{QStringLiteral("br-vm"), QStringLiteral("system"), true,
                            QStringLiteral("ovs-ofctl: br-vm is not a bridge or a socket")};
    const QString managed = unrealizedProblem(b);
    EXPECT_TRUE(managed.contains(QStringLiteral("bridge br-vm (datapath system) is in OVSDB but "
                                                "ovs-vswitchd does not serve it: ovs-ofctl: br-vm "
                                                "is not a bridge or a socket")))
        << managed.toStdString();
    EXPECT_TRUE(managed.contains(QStringLiteral("datapath = auto")));
    EXPECT_TRUE(managed.contains(QStringLiteral("ovs-vsctl del-br br-vm")));
    b.managed = false;
    const QString foreign = unrealizedProblem(b);
    EXPECT_TRUE(foreign.contains(QStringLiteral("not managed by Converge")));
    EXPECT_TRUE(foreign.contains(QStringLiteral("leaves it alone")));
}
