// Maximum rates on a userspace-datapath bridge (root): the applier installs one OpenFlow meter per
// rate-limited port and the flow that applies it; the reader reads the meters back, so a second
// plan is empty, and a meter deleted, changed or added by hand is drift that the next plan
// repairs. A rate changed or removed in the design changes or deletes its meter.
#include "collectors/ovs/ovsapplier.h"
#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/ovsmeters.h"
#include "collectors/ovs/ovsreader.h"
#include "core/realize/planner.h"
#include "core/realize/ratelimits.h"
#include "ovsenv.h"
#include "ovshosttest.h"

#include <gtest/gtest.h>

using namespace converge;
using namespace converge::testing;
using core::realize::Bridge;
using core::realize::HostState;
using core::realize::Plan;
using core::realize::Port;

namespace {

const QString kBridge = QStringLiteral("mtrbr");

Port vmPort(const QString &name, qint64 maxRateKbps)
{
    Port p;
    p.name = name;
    p.elementId = QStringLiteral("mtr.") + name;
    p.vlanMode = QStringLiteral("access");
    p.tag = 10;
    p.maxRateKbps = maxRateKbps;
    return p;
}

HostState desiredState(qint64 vm1Rate)
{
    HostState s;
    s.host = QStringLiteral("mtr1");
    Bridge b;
    b.name = kBridge;
    b.elementId = QStringLiteral("mtr.vs");
    b.datapathType = QStringLiteral("netdev");
    b.ports = {vmPort(QStringLiteral("vm1"), vm1Rate), vmPort(QStringLiteral("vm2"), 0)};
    s.bridges.push_back(b);
    s.normalize();
    return s;
}

class OvsMetersRoot : public converge::testing::OvsHostTest
{
protected:
    void SetUp() override
    {
        OvsHostTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        for (const char *name : {"vm1", "vm2"})
            ASSERT_TRUE(ns->run({QStringLiteral("ip"), QStringLiteral("link"),
                                 QStringLiteral("add"), QLatin1String(name), QStringLiteral("type"),
                                 QStringLiteral("veth"), QStringLiteral("peer"),
                                 QStringLiteral("name"), QLatin1String(name) + u'p'}));
    }

    Result<HostState> read()
    {
        collectors::ovs::OvsdbClient client;
        if (auto ok = client.connectToServer(ovs->env().dbSocket); !ok)
            return std::unexpected(ok.error());
        return collectors::ovs::readHostState(ovs->env(), client, QStringLiteral("mtr1"));
    }

    // Plans DESIRED from what is there and applies it; the plan it applied.
    Plan converge(const HostState &desired)
    {
        auto current = read();
        EXPECT_TRUE(current) << current.error().message.toStdString();
        if (!current)
            return {};
        Plan plan = core::realize::makePlan(desired, *current);
        auto applied = collectors::ovs::applyPlan(ovs->env(), plan);
        EXPECT_TRUE(applied) << applied.error().message.toStdString();
        return plan;
    }

    QStringList meters()
    {
        auto m = collectors::ovs::readMeters(ovs->env(), kBridge);
        EXPECT_TRUE(m) << m.error().message.toStdString();
        return m ? *m : QStringList{};
    }

    void ofctl(const QStringList &args)
    {
        auto r = ovs->ofctl(QStringList{QStringLiteral("-O"), QStringLiteral("OpenFlow13")} + args);
        ASSERT_TRUE(r) << r.error().message.toStdString();
    }

    void expectNoChanges(const HostState &desired)
    {
        auto current = read();
        ASSERT_TRUE(current) << current.error().message.toStdString();
        const Plan again = core::realize::makePlan(desired, *current);
        EXPECT_TRUE(again.isEmpty()) << again.diffText().toStdString();
        EXPECT_EQ(current->bridges.front().port(QStringLiteral("vm1"))->maxRateKbps,
                  desired.bridges.front().port(QStringLiteral("vm1"))->maxRateKbps);
    }
};

} // namespace

TEST_F(OvsMetersRoot, MetersAreInstalledReadBackAndRepairedAfterDrift)
{
    const HostState desired = desiredState(10000);
    const QStringList specs =
        core::realize::meterSpecs(core::realize::bridgeMeters(desired.bridges.front()));
    ASSERT_EQ(specs.size(), 1);
    converge(desired);
    if (HasFailure())
        return;
    EXPECT_EQ(meters(), specs);
    auto policing = ovs->vsctl({QStringLiteral("get"), QStringLiteral("Interface"),
                                QStringLiteral("vm1"), QStringLiteral("ingress_policing_rate")});
    ASSERT_TRUE(policing);
    EXPECT_EQ(policing->trimmed(), "0"); // the meter enforces the rate, not policing
    ASSERT_NO_FATAL_FAILURE(expectNoChanges(desired));

    // A meter deleted by hand (and with it the flow that used it).
    const quint32 id = core::realize::bridgeMeters(desired.bridges.front()).front().id;
    ASSERT_NO_FATAL_FAILURE(
        ofctl({QStringLiteral("del-meters"), kBridge, QStringLiteral("meter=%1").arg(id)}));
    EXPECT_TRUE(meters().isEmpty());
    Plan repair = converge(desired);
    ASSERT_EQ(repair.ops.size(), 1u) << repair.diffText().toStdString();
    EXPECT_EQ(repair.ops.front().kind, core::realize::Operation::Kind::SetFlows);
    EXPECT_EQ(meters(), specs);
    ASSERT_NO_FATAL_FAILURE(expectNoChanges(desired));

    // A meter changed by hand: same flows, so only the meters' digest tells.
    ASSERT_NO_FATAL_FAILURE(ofctl(
        {QStringLiteral("mod-meter"), kBridge,
         QStringLiteral("meter=%1,kbps,burst,band=type=drop,rate=999999,burst_size=100").arg(id)}));
    repair = converge(desired);
    ASSERT_EQ(repair.ops.size(), 1u) << repair.diffText().toStdString();
    EXPECT_EQ(meters(), specs);
    ASSERT_NO_FATAL_FAILURE(expectNoChanges(desired));

    // A meter added by hand: the bridge's meters are Converge's, as its flows are, so it goes.
    const quint32 stray = id == 1 ? 2 : 1;
    ASSERT_NO_FATAL_FAILURE(
        ofctl({QStringLiteral("add-meter"), kBridge,
               QStringLiteral("meter=%1,kbps,band=type=drop,rate=1000").arg(stray)}));
    repair = converge(desired);
    ASSERT_EQ(repair.ops.size(), 1u) << repair.diffText().toStdString();
    EXPECT_EQ(meters(), specs);
    ASSERT_NO_FATAL_FAILURE(expectNoChanges(desired));
}

TEST_F(OvsMetersRoot, ChangingOrRemovingARateChangesOrDeletesItsMeter)
{
    converge(desiredState(10000));
    if (HasFailure())
        return;
    const HostState faster = desiredState(50000);
    const Plan change = converge(faster);
    EXPECT_TRUE(change.diffText().contains(
        QStringLiteral("maximum rate from the vNIC: 10 Mb/s -> 50 Mb/s")))
        << change.diffText().toStdString();
    EXPECT_EQ(meters(),
              core::realize::meterSpecs(core::realize::bridgeMeters(faster.bridges.front())));
    ASSERT_NO_FATAL_FAILURE(expectNoChanges(faster));

    const HostState unlimited = desiredState(0);
    converge(unlimited);
    EXPECT_TRUE(meters().isEmpty());
    auto flows = ovs->ofctl({QStringLiteral("-O"), QStringLiteral("OpenFlow13"),
                             QStringLiteral("dump-flows"), kBridge});
    ASSERT_TRUE(flows);
    EXPECT_FALSE(flows->contains("meter:")) << flows->toStdString();
    ASSERT_NO_FATAL_FAILURE(expectNoChanges(unlimited));
}
