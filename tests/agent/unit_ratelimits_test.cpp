// Maximum and minimum bandwidth on linux-ovs hosts (core/realize/ratelimits.h): which mechanism
// the plan uses per datapath (OpenFlow meters on the userspace one, ingress policing on the
// kernel one), what it says about it, what it says is not enforced, how a rate reads back, and
// that a second plan after applying is empty.
#include "unitdesigns.h"

#include "core/realize/flows.h"
#include "core/realize/planner.h"
#include "core/realize/ratelimits.h"
#include "core/realize/scripts.h"

#include <gtest/gtest.h>

#include <QHash>

#include <algorithm>

using namespace converge;
using core::realize::Bridge;
using core::realize::HostState;
using core::realize::Meter;
using core::realize::Operation;
using core::realize::Plan;
using core::realize::Port;
using K = core::realize::Operation::Kind;

namespace {

// The lab design's vNIC t1 has a maximum bandwidth of 100 Mbit/s (tests/agent/data).
core::Design labDesign()
{
    return converge::testing::sourceDesign("tests/agent/data/ovs-lab.converge.json");
}

// lab1's desired state on DATAPATH ("": as a bundle made without the host's datapath).
HostState desired(const core::Design &d, const QString &datapath)
{
    HostState s = converge::testing::desiredOn(d, QStringLiteral("lab1"));
    for (Bridge &b : s.bridges)
        b.datapathType = datapath;
    return s;
}

void set(core::Design &d, const char *id, const char *key, const QJsonValue &v)
{
    converge::testing::setProperty(d, id, key, v);
}

const Operation *findOp(const Plan &p, K kind, const QString &target)
{
    for (const Operation &o : p.ops)
        if (o.kind == kind && o.target == target)
            return &o;
    return nullptr;
}

// The ovs-vsctl command of OP that sets TABLE's columns of ROW.
QStringList setCommand(const Operation &op, const char *table, const QString &row)
{
    for (const QStringList &c : op.vsctl)
        if (c.value(0) == QLatin1String("set") && c.value(1) == QLatin1String(table) &&
            c.value(2) == row)
            return c;
    return {};
}

bool anyContains(const QStringList &lines, const QString &text)
{
    return std::ranges::any_of(lines, [&](const QString &l) { return l.contains(text); });
}

std::string joined(const QStringList &lines)
{
    return lines.join(u'\n').toStdString();
}

} // namespace

TEST(RateLimits, UserspaceDatapathMetersEveryFrameTheVnicSends)
{
    const HostState s = desired(labDesign(), QStringLiteral("netdev"));
    const Bridge &lab = s.bridges.front();
    const std::vector<Meter> meters = core::realize::bridgeMeters(lab);
    ASSERT_EQ(meters.size(), 1u);
    const Meter &m = meters.front();
    EXPECT_EQ(m.port, QStringLiteral("t1"));
    EXPECT_EQ(m.rateKbps, 100000);
    EXPECT_EQ(m.burstKbits, 50000); // half a second at the rate
    EXPECT_GE(m.id, 1u);
    EXPECT_LE(m.id, 65535u);
    EXPECT_EQ(m.spec(),
              QStringLiteral("meter=%1,kbps,burst,band=type=drop,rate=100000,burst_size=50000")
                  .arg(m.id));
    const QStringList flows = core::realize::bridgeFlows(lab);
    EXPECT_TRUE(flows.contains(
        QStringLiteral("table=0,priority=100,in_port=\"t1\",actions=meter:%1,resubmit(,1)")
            .arg(m.id)))
        << joined(flows);

    const Plan plan = core::realize::makePlan(s, {});
    const Operation *t1 = findOp(plan, K::AddPort, QStringLiteral("t1"));
    ASSERT_TRUE(t1);
    EXPECT_TRUE(t1->changes.contains(
        QStringLiteral("maximum rate from the vNIC: 100 Mb/s (OpenFlow meter %1 on the "
                       "userspace datapath)")
            .arg(m.id)))
        << joined(t1->changes);
    // No policing on this datapath; the designed rate is recorded to be read back.
    const QStringList iface = setCommand(*t1, "Interface", QStringLiteral("t1"));
    EXPECT_TRUE(iface.contains(QStringLiteral("ingress_policing_rate=0"))) << joined(iface);
    EXPECT_TRUE(setCommand(*t1, "Port", QStringLiteral("t1"))
                    .contains(QStringLiteral("external_ids:converge-max-rate=100000")));

    const Operation *table = findOp(plan, K::SetFlows, QStringLiteral("lab"));
    ASSERT_TRUE(table);
    EXPECT_EQ(table->meters, QStringList{m.spec()});
    EXPECT_TRUE(table->changes.contains(QStringLiteral("meter %1 (t1 100 Mb/s)").arg(m.id)))
        << joined(table->changes);
    EXPECT_TRUE(anyContains(plan.notes, QStringLiteral("bridge lab (userspace datapath): the "
                                                       "maximum bandwidth of port t1 (100 Mb/s) "
                                                       "is enforced by OpenFlow meters")))
        << joined(plan.notes);
    EXPECT_TRUE(anyContains(plan.notes, QStringLiteral("what it receives is not limited")));
}

TEST(RateLimits, KernelDatapathPolicesIngressAndHasNoMeters)
{
    const HostState s = desired(labDesign(), QStringLiteral("system"));
    const Bridge &lab = s.bridges.front();
    EXPECT_TRUE(core::realize::bridgeMeters(lab).empty());
    EXPECT_FALSE(anyContains(core::realize::bridgeFlows(lab), QStringLiteral("meter:")));

    const Plan plan = core::realize::makePlan(s, {});
    const Operation *t1 = findOp(plan, K::AddPort, QStringLiteral("t1"));
    ASSERT_TRUE(t1);
    EXPECT_TRUE(t1->changes.contains(QStringLiteral("maximum rate from the vNIC: 100 Mb/s (ingress "
                                                    "policing on the kernel datapath)")))
        << joined(t1->changes);
    const QStringList iface = setCommand(*t1, "Interface", QStringLiteral("t1"));
    EXPECT_TRUE(iface.contains(QStringLiteral("ingress_policing_rate=100000"))) << joined(iface);
    EXPECT_TRUE(iface.contains(QStringLiteral("ingress_policing_burst=10000"))) << joined(iface);
    const Operation *table = findOp(plan, K::SetFlows, QStringLiteral("lab"));
    ASSERT_TRUE(table);
    EXPECT_TRUE(table->meters.isEmpty());
    EXPECT_TRUE(anyContains(plan.notes, QStringLiteral("bridge lab (kernel datapath): the maximum "
                                                       "bandwidth of port t1 (100 Mb/s) is "
                                                       "enforced by ingress policing")))
        << joined(plan.notes);
}

// A port with MAC spoofing off is admitted by its MAC flow; that flow applies the meter, so the
// meter sees every frame that gets in and nothing gets in around it.
TEST(RateLimits, MeterSitsOnTheMacSpoofingGuard)
{
    core::Design d = labDesign();
    set(d, "lab1.s1.nic", "maximumBandwidth", 20e6);
    const Bridge lab = desired(d, QStringLiteral("netdev")).bridges.front();
    const auto meters = core::realize::bridgeMeters(lab);
    const auto s1 = std::ranges::find(meters, QStringLiteral("s1"), &Meter::port);
    ASSERT_NE(s1, meters.end());
    const QStringList flows = core::realize::bridgeFlows(lab);
    EXPECT_TRUE(flows.contains(QStringLiteral("table=0,priority=200,in_port=\"s1\",dl_src=02:cf:00:"
                                              "00:00:0c,actions=meter:%1,resubmit(,1)")
                                   .arg(s1->id)))
        << joined(flows);
    EXPECT_TRUE(flows.contains(QStringLiteral("table=0,priority=190,in_port=\"s1\",actions=drop")));
    EXPECT_EQ(std::ranges::count_if(flows,
                                    [](const QString &f) {
                                        return f.contains(u"in_port=\"s1\"") &&
                                               f.startsWith(u"table=0");
                                    }),
              2);
}

TEST(RateLimits, MinimumBandwidthIsSaidNotToBeEnforced)
{
    core::Design d = labDesign();
    set(d, "lab1.a1.nic", "minimumBandwidthWeight", 50);
    set(d, "lab1.vs", "minimumBandwidthMode", "Weight");
    for (const char *datapath : {"netdev", "system"}) {
        const HostState s = desired(d, QLatin1String(datapath));
        const Plan plan = core::realize::makePlan(s, {});
        ASSERT_TRUE(anyContains(plan.notes, QStringLiteral("minimum bandwidth is not enforced")))
            << joined(plan.notes);
        const QString note = *std::ranges::find_if(plan.notes, [](const QString &n) {
            return n.contains(u"minimum bandwidth is not enforced");
        });
        EXPECT_TRUE(note.contains(u"on either datapath")) << note.toStdString();
        EXPECT_TRUE(note.contains(u"'a1'")) << note.toStdString();        // the VM's vNIC
        EXPECT_TRUE(note.contains(u"mode Weight")) << note.toStdString(); // the switch's mode
        // One note for the host, not one per element.
        EXPECT_EQ(
            std::ranges::count_if(
                plan.notes, [](const QString &n) { return n.contains(u"minimum bandwidth"); }),
            1);
    }
}

TEST(RateLimits, RateBelowOneKbitIsSaidNotToBeEnforced)
{
    core::Design d = labDesign();
    set(d, "lab1.a2.nic", "maximumBandwidth", 500);
    const HostState s = desired(d, QStringLiteral("netdev"));
    EXPECT_EQ(s.bridges.front().port(QStringLiteral("a2"))->maxRateKbps, 0);
    EXPECT_TRUE(anyContains(s.notes, QStringLiteral("below 1 kbit/s is not enforced")))
        << joined(s.notes);
}

TEST(RateLimits, ChangingARateChangesThePortAndItsMeterAndNothingAfterApply)
{
    const core::Design before = labDesign();
    core::Design after = labDesign();
    set(after, "lab1.t1.nic", "maximumBandwidth", 10e6);
    const HostState applied = core::realize::afterApply(desired(before, QStringLiteral("netdev")));
    const HostState wanted = desired(after, QStringLiteral("netdev"));
    const Plan plan = core::realize::makePlan(wanted, applied);

    const Operation *t1 = findOp(plan, K::SetPort, QStringLiteral("t1"));
    ASSERT_TRUE(t1) << plan.diffText().toStdString();
    const Meter m = core::realize::bridgeMeters(wanted.bridges.front()).front();
    EXPECT_EQ(
        t1->changes,
        QStringList{
            QStringLiteral("maximum rate from the vNIC: 100 Mb/s -> 10 Mb/s (OpenFlow meter %1 on "
                           "the userspace datapath)")
                .arg(m.id)});
    const Operation *table = findOp(plan, K::SetFlows, QStringLiteral("lab"));
    ASSERT_TRUE(table) << plan.diffText().toStdString();
    EXPECT_EQ(
        table->meters,
        QStringList{QStringLiteral("meter=%1,kbps,burst,band=type=drop,rate=10000,burst_size=5000")
                        .arg(m.id)});

    const Plan again = core::realize::makePlan(wanted, core::realize::afterApply(wanted));
    EXPECT_TRUE(again.isEmpty()) << again.diffText().toStdString();
    EXPECT_TRUE(again.notes.isEmpty()) << joined(again.notes);
}

TEST(RateLimits, RemovingTheRateRemovesTheMeter)
{
    const core::Design before = labDesign();
    core::Design after = labDesign();
    set(after, "lab1.t1.nic", "maximumBandwidth", QJsonValue(QJsonValue::Undefined));
    const Plan plan = core::realize::makePlan(
        desired(after, QStringLiteral("netdev")),
        core::realize::afterApply(desired(before, QStringLiteral("netdev"))));
    const Operation *t1 = findOp(plan, K::SetPort, QStringLiteral("t1"));
    ASSERT_TRUE(t1) << plan.diffText().toStdString();
    EXPECT_EQ(t1->changes,
              QStringList{QStringLiteral("maximum rate from the vNIC: 100 Mb/s -> none")});
    const Operation *table = findOp(plan, K::SetFlows, QStringLiteral("lab"));
    ASSERT_TRUE(table) << plan.diffText().toStdString();
    EXPECT_TRUE(table->meters.isEmpty());
    // The bridge keeps no meters' digest (as it had none before its first meter).
    ASSERT_EQ(table->vsctl.size(), 3);
    for (const QStringList &command : table->vsctl)
        EXPECT_FALSE(command.join(u' ').contains(QLatin1String("converge-meters=")))
            << joined(command);
    EXPECT_EQ(
        table->vsctl.back(),
        (QStringList{QStringLiteral("remove"), QStringLiteral("Bridge"), QStringLiteral("lab"),
                     QStringLiteral("external_ids"), QStringLiteral("converge-meters")}));
}

// A meter deleted or changed by hand: the reader clears the bridge's flow digest (it compares the
// meters with external_ids:converge-meters), and the plan puts the table and meters back.
TEST(RateLimits, ATableWhoseMetersDriftedIsPutBack)
{
    const HostState wanted = desired(labDesign(), QStringLiteral("netdev"));
    HostState drifted = core::realize::afterApply(wanted);
    drifted.bridges.front().flowsDigest.clear();
    const Plan plan = core::realize::makePlan(wanted, drifted);
    ASSERT_EQ(plan.ops.size(), 1u) << plan.diffText().toStdString();
    EXPECT_EQ(plan.ops.front().kind, K::SetFlows);
    EXPECT_EQ(plan.ops.front().meters.size(), 1);

    // The digest covers the meters: the same flows with another meter differ.
    const Bridge &lab = wanted.bridges.front();
    const QStringList flows = core::realize::bridgeFlows(lab);
    QStringList other = core::realize::meterSpecs(core::realize::bridgeMeters(lab));
    other.front().replace(QStringLiteral("rate=100000"), QStringLiteral("rate=99999"));
    EXPECT_NE(core::realize::flowsDigest(flows, other), core::realize::tableDigest(lab));
    EXPECT_EQ(core::realize::metersDigest({QStringLiteral("b"), QStringLiteral("a")}),
              core::realize::metersDigest({QStringLiteral("a"), QStringLiteral("b")}));
    EXPECT_TRUE(core::realize::metersDigest({}).isEmpty());
}

// What a port's maximum rate reads back as: the recorded design rate while the Interface's
// policing is what that rate gives on the bridge's datapath, else the policing (set by hand).
TEST(RateLimits, ReadBackRateIsTheRecordedOneUnlessPolicingWasChangedByHand)
{
    using core::realize::observedMaxRate;
    const QString netdev = QStringLiteral("netdev"), system = QStringLiteral("system");
    EXPECT_EQ(observedMaxRate(netdev, 0, QStringLiteral("10000")), 10000);
    EXPECT_EQ(observedMaxRate(netdev, 5000, QStringLiteral("10000")), 5000); // policing by hand
    EXPECT_EQ(observedMaxRate(system, 10000, QStringLiteral("10000")), 10000);
    EXPECT_EQ(observedMaxRate(system, 0, QStringLiteral("10000")), 0); // policing removed by hand
    EXPECT_EQ(observedMaxRate(system, 7000, {}), 7000); // set before rates were recorded
    EXPECT_EQ(observedMaxRate(netdev, 0, QStringLiteral("0")), 0);
}

// A port's meter id follows from its name, so other ports coming and going leave it alone;
// two names wanting one id both get one (in port-name order).
TEST(RateLimits, MeterIdsAreStableAndDistinct)
{
    Bridge b;
    b.name = QStringLiteral("br");
    b.datapathType = QStringLiteral("netdev");
    Port p;
    p.name = QStringLiteral("vm1");
    p.maxRateKbps = 1000;
    b.ports.push_back(p);
    const quint32 alone = core::realize::bridgeMeters(b).front().id;
    // Names until one wants an id another already wants (birthday bound: a few hundred).
    QHash<quint32, QString> wanted;
    QString first, second;
    for (int i = 0; second.isEmpty() && i < 100000; ++i) {
        Bridge one;
        one.datapathType = b.datapathType;
        Port q;
        q.name = QStringLiteral("p%1").arg(i);
        q.maxRateKbps = 1000;
        one.ports.push_back(q);
        const quint32 id = core::realize::bridgeMeters(one).front().id;
        if (wanted.contains(id))
            first = wanted.value(id), second = q.name;
        wanted.insert(id, q.name);
    }
    ASSERT_FALSE(second.isEmpty());
    for (const QString &name : {first, second}) {
        p.name = name;
        b.ports.push_back(p);
    }
    std::ranges::sort(b.ports, {}, &Port::name);
    const auto meters = core::realize::bridgeMeters(b);
    ASSERT_EQ(meters.size(), 3u);
    EXPECT_EQ(std::ranges::find(meters, QStringLiteral("vm1"), &Meter::port)->id, alone);
    const quint32 a = std::ranges::find(meters, first, &Meter::port)->id;
    const quint32 c = std::ranges::find(meters, second, &Meter::port)->id;
    EXPECT_NE(a, c);
    EXPECT_EQ(std::min(a, c) % 65535 + 1, std::max(a, c)) << "the clash takes the next id";
}

// The bundle's script does not know the host's datapath: OVS_DATAPATH picks the policing
// arguments and the table with or without meters.
TEST(RateLimits, BundleScriptChoosesTheMechanismWhenItRuns)
{
    HostState kernel = desired(labDesign(), QString());
    HostState userspace = kernel;
    for (Bridge &b : userspace.bridges)
        b.datapathType = QStringLiteral("netdev");
    const Plan plan = core::realize::makePlan(kernel, {});
    const QString script = core::realize::shellScript(QStringLiteral("lab"), QStringLiteral("lab1"),
                                                      plan, core::realize::makePlan(userspace, {}));
    const Meter m = core::realize::bridgeMeters(userspace.bridges.front()).front();
    EXPECT_TRUE(script.contains(QStringLiteral(
        "\"$(by_datapath 'ingress_policing_rate=100000' 'ingress_policing_rate=0')\"")))
        << script.toStdString();
    EXPECT_TRUE(script.contains(QStringLiteral("by_datapath() {")));
    EXPECT_EQ(script.count(QStringLiteral("ovs-vsctl ${OVS_DB")), 1); // one transaction still
    EXPECT_TRUE(
        script.contains(QStringLiteral("if [ \"$OVS_DATAPATH\" = netdev ]; then\n"
                                       "    ovs-ofctl -O OpenFlow14 -- add-meter 'lab' '%1'\n")
                            .arg(m.spec())))
        << script.toStdString();
    EXPECT_TRUE(script.contains(
        QStringLiteral("'external_ids:converge-max-rate=100000'"))); // both datapaths

    // Without rate limits, no choice at all.
    core::Design unlimited = labDesign();
    set(unlimited, "lab1.t1.nic", "maximumBandwidth", QJsonValue(QJsonValue::Undefined));
    const Plan plain = core::realize::makePlan(desired(unlimited, QString()), {});
    const QString plainScript =
        core::realize::shellScript(QStringLiteral("lab"), QStringLiteral("lab1"), plain);
    EXPECT_FALSE(plainScript.contains(QStringLiteral("by_datapath")));
    EXPECT_FALSE(plainScript.contains(QStringLiteral("add-meter")));
}
