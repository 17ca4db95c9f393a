// Overlays on linux-ovs hosts (core/realize): VM networks with a VSID become tunnel ports,
// per-bridge overlays with the other hosts' provider addresses and MACs, table 4 flows that keep
// each VSID apart, plan lines a reviewer can read, and a host-state form that refuses what the
// agent could not realize.
#include "unitdesigns.h"

#include "core/realize/flows.h"
#include "core/realize/planner.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QRegularExpression>

using namespace converge;
using namespace converge::core::realize;

namespace {

// tests/wire/data/two-hosts-overlay.converge.json: hv1 (PA 10.77.0.1/24) and hv2 (10.77.0.2/24);
// Blue VSID 5001 VXLAN (blue1 on hv1, blue2 on hv2), Red VSID 5002 NVGRE (red1, red2), and a
// physical-network VM on each host.
core::Design overlayDesign()
{
    return converge::testing::sourceDesign("tests/wire/data/two-hosts-overlay.converge.json");
}

HostState desired(const core::Design &d, const char *host = "hv1")
{
    return converge::testing::desiredOn(d, QLatin1String(host), QStringLiteral("netdev"));
}

using converge::testing::setProperty;

const Port *portNamed(const Bridge &b, const char *name)
{
    for (const Port &p : b.ports)
        if (p.name == QLatin1String(name))
            return &p;
    return nullptr;
}

} // namespace

TEST(Overlays, DesiredStateHasTunnelsToTheOtherHostsProviderAddresses)
{
    const HostState s = desired(overlayDesign());
    ASSERT_EQ(s.bridges.size(), 1u);
    const Bridge &b = s.bridges[0];
    EXPECT_EQ(b.providerAddress, QStringLiteral("10.77.0.1/24"));
    ASSERT_EQ(b.overlays.size(), 2u);
    EXPECT_EQ(b.overlays[0].vsid, 5001);
    EXPECT_EQ(b.overlays[0].encapsulation, QStringLiteral("vxlan"));
    ASSERT_EQ(b.overlays[0].remotes.size(), 1u);
    EXPECT_EQ(b.overlays[0].remotes[0].address, QStringLiteral("10.77.0.2"));
    EXPECT_EQ(b.overlays[0].remotes[0].macs, QStringList{QStringLiteral("02:50:00:00:01:02")});
    EXPECT_EQ(b.overlays[1].vsid, 5002);
    EXPECT_EQ(b.overlays[1].encapsulation, QStringLiteral("nvgre"));
    EXPECT_EQ(b.overlays[1].remotes[0].macs, QStringList{QStringLiteral("02:50:00:00:02:02")});

    const Port *blue = portNamed(b, "blue1");
    ASSERT_TRUE(blue);
    EXPECT_EQ(blue->vsid, 5001);
    EXPECT_EQ(blue->tag, -1) << "the VSID, not a VLAN, keeps it apart";
    const Port *phy = portNamed(b, "phy1");
    ASSERT_TRUE(phy);
    EXPECT_EQ(phy->vsid, -1);
    const Port *vxlan = portNamed(b, "cv-vxlan");
    const Port *gre = portNamed(b, "cv-nvgre");
    ASSERT_TRUE(vxlan && gre);
    EXPECT_EQ(vxlan->type, Port::Type::Vxlan);
    EXPECT_EQ(gre->type, Port::Type::Gre);
    EXPECT_TRUE(s.notes.filter(QStringLiteral("provider address")).isEmpty())
        << s.notes.join(u'\n').toStdString();

    auto back = HostState::fromJson(s.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(*back, s);
}

TEST(Overlays, WhatCannotBeRealizedIsANote)
{
    core::Design d = overlayDesign();
    setProperty(d, "hv1", "providerAddress", QJsonValue::Undefined);
    setProperty(d, "hv1.blue1.nic", "vlanMode", QStringLiteral("Access"));
    setProperty(d, "hv1.blue1.nic", "accessVlan", 10);
    HostState s = desired(d);
    EXPECT_EQ(s.notes.filter(QStringLiteral("has no IPv4 provider address")).size(), 1)
        << s.notes.join(u'\n').toStdString();
    EXPECT_EQ(s.notes.filter(QStringLiteral("its VLAN settings do not apply")).size(), 1)
        << s.notes.join(u'\n').toStdString();
    EXPECT_TRUE(s.bridges[0].providerAddress.isEmpty());
    EXPECT_EQ(portNamed(s.bridges[0], "blue1")->tag, -1);
    // hv1 has no PA: hv2 has no one to tunnel to, and no tunnel port.
    s = desired(d, "hv2");
    ASSERT_EQ(s.bridges[0].overlays.size(), 2u);
    EXPECT_TRUE(s.bridges[0].overlays[0].remotes.empty());
    EXPECT_FALSE(portNamed(s.bridges[0], "cv-vxlan"));

    d = overlayDesign();
    setProperty(d, "hv2", "providerAddress", QStringLiteral("10.78.0.2/24"));
    s = desired(d);
    EXPECT_EQ(s.notes
                  .filter(QStringLiteral("provider address 10.78.0.2 is outside 10.77.0.1/24 "
                                         "and needs a route"))
                  .size(),
              2)
        << "one per VSID; " << s.notes.join(u'\n').toStdString();
}

TEST(Overlays, FlowsKeepEachVsidApartAndReplicateFloodsHeadEnd)
{
    const HostState s = desired(overlayDesign());
    const QStringList flows = bridgeFlows(s.bridges[0]);
    const auto has = [&](const char *f) {
        return flows.contains(QLatin1String(f));
    };
    // Unicast by MAC into the tunnel with the VSID as key: VXLAN's VNI, NVGRE's VSID << 8.
    EXPECT_TRUE(has("table=4,priority=320,in_port=\"blue1\",dl_dst=02:50:00:00:01:02,"
                    "actions=set_field:0x1389->tun_id,set_field:10.77.0.2->tun_dst,"
                    "output:\"cv-vxlan\""))
        << flows.join(u'\n').toStdString();
    EXPECT_TRUE(has("table=4,priority=320,in_port=\"red1\",dl_dst=02:50:00:00:02:02,"
                    "actions=set_field:0x138a00->tun_id,set_field:10.77.0.2->tun_dst,"
                    "output:\"cv-nvgre\""));
    // Out of the tunnel, only frames with the overlay's key reach its ports.
    EXPECT_TRUE(has("table=4,priority=320,in_port=\"cv-vxlan\",tun_id=0x1389,"
                    "dl_dst=02:50:00:00:01:01,actions=output:\"blue1\""));
    EXPECT_TRUE(has("table=4,priority=300,in_port=\"cv-vxlan\",actions=drop"));
    EXPECT_TRUE(has("table=4,priority=300,in_port=\"blue1\",actions=drop"));
    EXPECT_TRUE(has("table=0,priority=400,dl_vlan=4095,actions=drop"));
    // No flow hands a Blue frame to a Red port or the physical network, nor the reverse.
    for (const QString &f : flows) {
        if (!f.contains(QLatin1String("in_port=\"blue1\"")) &&
            !f.contains(QLatin1String("tun_id=0x1389")))
            continue;
        EXPECT_FALSE(f.contains(QLatin1String("\"red1\"")) ||
                     f.contains(QLatin1String("\"phy1\"")) || f.contains(QLatin1String("NORMAL")))
            << f.toStdString();
    }
    // Floods: the multicast flow of blue1 goes to the remote host (no other Blue port here).
    const QStringList flood = flows.filter(QRegularExpression(
        QStringLiteral("^table=4,priority=310,in_port=\"blue1\",dl_dst=01:00:00:00:00:00/")));
    ASSERT_EQ(flood.size(), 1) << flows.join(u'\n').toStdString();
    EXPECT_TRUE(flood[0].endsWith(QLatin1String(
        "actions=set_field:0x1389->tun_id,set_field:10.77.0.2->tun_dst,output:\"cv-vxlan\"")))
        << flood[0].toStdString();
}

TEST(Overlays, PlanLinesNameTunnelsProviderAddressAndOverlays)
{
    const HostState d = desired(overlayDesign());
    const Plan p = makePlan(d, {});
    const QString diff = p.diffText();
    EXPECT_TRUE(diff.contains(QStringLiteral("overlay VSID 5001 over VXLAN to 10.77.0.2 (1 MAC)")))
        << diff.toStdString();
    EXPECT_TRUE(diff.contains(QStringLiteral("overlay VSID 5002 over NVGRE to 10.77.0.2 (1 MAC)")))
        << diff.toStdString();
    EXPECT_TRUE(diff.contains(QStringLiteral("provider address 10.77.0.1/24")))
        << diff.toStdString();
    EXPECT_TRUE(diff.contains(QStringLiteral("+ port cv-vxlan on lab"))) << diff.toStdString();
    const QStringList vsctl = p.vsctlArguments();
    EXPECT_TRUE(vsctl.contains(QStringLiteral("options:remote_ip=flow")));
    EXPECT_TRUE(vsctl.contains(QStringLiteral("options:key=flow")));
    EXPECT_TRUE(vsctl.contains(QStringLiteral("tag=4095"))) << vsctl.join(u' ').toStdString();
    EXPECT_TRUE(makePlan(d, afterApply(d)).isEmpty());

    // hv2's Blue VM leaves Blue: hv1's Blue has no other host, and no VXLAN tunnel is left.
    core::Design after = overlayDesign();
    setProperty(after, "hv2.blue2", "vmNetwork", QJsonValue::Undefined);
    const Plan change = makePlan(desired(after), afterApply(d));
    EXPECT_FALSE(change.hasDestructive()) << "the tunnel port cuts nothing";
    EXPECT_TRUE(change.diffText().contains(QStringLiteral("- port cv-vxlan from lab")))
        << change.diffText().toStdString();
    EXPECT_TRUE(change.diffText().contains(QStringLiteral("- overlay VSID 5001 over VXLAN")))
        << change.diffText().toStdString();
    // Its PA changes: only addresses and the bridge's record.
    after = overlayDesign();
    setProperty(after, "hv1", "providerAddress", QStringLiteral("10.77.0.11/24"));
    const Plan moved = makePlan(desired(after), afterApply(d));
    EXPECT_TRUE(moved.diffText().contains(QStringLiteral("10.77.0.11/24")))
        << moved.diffText().toStdString();
    for (const Operation &op : moved.ops)
        EXPECT_TRUE(op.kind == Operation::Kind::SetBridge ||
                    op.kind == Operation::Kind::SetAddresses)
            << kindName(op.kind).toStdString() << " " << op.target.toStdString();
}

TEST(Overlays, TheHostStateFormRefusesWhatCannotBeRealized)
{
    const QJsonObject good = desired(overlayDesign()).toJson();
    ASSERT_TRUE(HostState::fromJson(good));
    const auto portIndex = [&](const char *name) {
        const QJsonArray ports =
            good[QStringLiteral("bridges")][0][QStringLiteral("ports")].toArray();
        for (qsizetype i = 0; i < ports.size(); ++i)
            if (ports[i][QStringLiteral("name")].toString() == QLatin1String(name))
                return i;
        return qsizetype(-1);
    };
    const auto withPort = [&](qsizetype index, const char *key, const QJsonValue &v) {
        QJsonObject s = good;
        QJsonArray bridges = s[QStringLiteral("bridges")].toArray();
        QJsonObject b = bridges[0].toObject();
        QJsonArray ports = b[QStringLiteral("ports")].toArray();
        QJsonObject p = ports[index].toObject();
        if (v.isUndefined())
            p.remove(QLatin1String(key));
        else
            p.insert(QLatin1String(key), v);
        ports[index] = p;
        b.insert(QStringLiteral("ports"), ports);
        bridges[0] = b;
        s.insert(QStringLiteral("bridges"), bridges);
        return s;
    };
    const qsizetype blue = portIndex("blue1");
    const qsizetype vxlan = portIndex("cv-vxlan");
    ASSERT_GE(blue, 0);
    ASSERT_GE(vxlan, 0);
    const std::vector<std::pair<QJsonObject, QString>> cases{
        {withPort(vxlan, "name", QStringLiteral("tun0")),
         QStringLiteral("ports[%1].name: a vxlan tunnel port is named \"cv-vxlan\"").arg(vxlan)},
        {withPort(vxlan, "tag", 10), QStringLiteral("ports[%1]").arg(vxlan)},
        {withPort(blue, "tag", 10), QStringLiteral("ports[%1]").arg(blue)},
    };
    for (const auto &[json, where] : cases) {
        auto r = HostState::fromJson(json);
        ASSERT_FALSE(r) << where.toStdString();
        EXPECT_TRUE(r.error().message.contains(where)) << r.error().message.toStdString();
    }
}
