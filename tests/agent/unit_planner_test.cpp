// The planner (core/realize): design -> desired host state -> plan. Every kind of host element
// added, changed and removed; idempotence; destructive marking; the commands it emits.
#include "unitdesigns.h"

#include "core/realize/flows.h"
#include "core/realize/planner.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

using namespace converge;
using core::realize::Operation;
using K = core::realize::Operation::Kind;

namespace {

core::Design labDesign()
{
    return converge::testing::sourceDesign("tests/agent/data/ovs-lab.converge.json");
}

core::realize::HostState desired(const core::Design &d)
{
    return converge::testing::desiredOn(d, QStringLiteral("lab1"), QStringLiteral("netdev"));
}

void set(core::Design &d, const char *id, const char *key, const QJsonValue &v)
{
    converge::testing::setProperty(d, id, key, v);
}

std::vector<const Operation *> opsOf(const core::realize::Plan &p, K kind)
{
    std::vector<const Operation *> out;
    for (const Operation &o : p.ops)
        if (o.kind == kind)
            out.push_back(&o);
    return out;
}

// The plan from the applied `before` state to the design `after`: what an edit costs.
core::realize::Plan planFor(const core::Design &before, const core::Design &after)
{
    return core::realize::makePlan(desired(after), core::realize::afterApply(desired(before)));
}

QString kinds(const core::realize::Plan &p)
{
    QStringList k;
    for (const Operation &o : p.ops)
        k << core::realize::kindName(o.kind) + QLatin1Char(' ') + o.target;
    return k.join(u", ");
}

} // namespace

TEST(DesiredState, RealizesTheLabHostAsOneBridgeWithItsPorts)
{
    const core::realize::HostState s = desired(labDesign());
    ASSERT_EQ(s.bridges.size(), 1u);
    const core::realize::Bridge &b = s.bridges[0];
    EXPECT_EQ(b.name, QStringLiteral("lab"));
    EXPECT_EQ(b.ports.size(), 17u); // team, management vNIC, 15 VMs

    const core::realize::Port *team = b.port(QStringLiteral("team0"));
    ASSERT_TRUE(team);
    EXPECT_EQ(team->type, core::realize::Port::Type::Bond);
    EXPECT_EQ(team->members, (QStringList{QStringLiteral("up1"), QStringLiteral("up2")}));
    EXPECT_EQ(team->bondMode, QStringLiteral("active-backup"));
    EXPECT_EQ(team->bondPrimary, QStringLiteral("up1")); // up2 is the standby member

    const core::realize::Port *mgmt = b.port(QStringLiteral("mgmt0"));
    ASSERT_TRUE(mgmt);
    EXPECT_EQ(mgmt->type, core::realize::Port::Type::Internal);
    EXPECT_EQ(mgmt->tag, 99);
    EXPECT_EQ(mgmt->addresses, QStringList{QStringLiteral("10.77.99.1/24")});

    EXPECT_TRUE(b.port(QStringLiteral("iso1"))->isolated);
    EXPECT_FALSE(b.port(QStringLiteral("prom"))->isolated);
    EXPECT_EQ(b.port(QStringLiteral("prom"))->tag, 30);
    EXPECT_FALSE(b.port(QStringLiteral("s1"))->macSpoofing);
    EXPECT_EQ(b.port(QStringLiteral("s1"))->mac, QStringLiteral("02:cf:00:00:00:0c"));
    EXPECT_TRUE(b.port(QStringLiteral("g1"))->dhcpGuard);
    EXPECT_EQ(b.port(QStringLiteral("t1"))->maxRateKbps, 100000);
    ASSERT_EQ(b.port(QStringLiteral("acl1"))->acls.size(), 2);
    EXPECT_EQ(b.port(QStringLiteral("acl1"))->acls[0].remotePrefix,
              QStringLiteral("10.77.40.3/32"));

    ASSERT_EQ(s.mirrors.size(), 1u);
    EXPECT_EQ(s.mirrors[0].output, QStringLiteral("mon"));
    EXPECT_EQ(s.mirrors[0].selectSrc, (QStringList{QStringLiteral("a1"), QStringLiteral("a2")}));
}

TEST(DesiredState, RefusesHyperVHostsAndUnknownHosts)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/smb-basic.converge.json"));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    auto d = core::designdocument::load(f.readAll());
    ASSERT_TRUE(d);
    const core::Element *host = d->elements(core::ElementKind::Host).front();
    auto s = core::realize::desiredState(*d, host->id);
    ASSERT_FALSE(s);
    EXPECT_TRUE(s.error().message.contains(QStringLiteral("not a linux-ovs host")));
    auto missing = core::realize::desiredState(*d, QStringLiteral("nope"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, core::Error::Code::NotFound);
}

TEST(DesiredState, RoundTripsThroughJsonUnchanged)
{
    const core::realize::HostState s = desired(labDesign());
    auto back = core::realize::HostState::fromJson(s.toJson());
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(*back, s);
}

TEST(Planner, FromAnEmptyHostAddsEverythingAndNothingIsDestructive)
{
    const core::realize::Plan p = core::realize::makePlan(desired(labDesign()), {});
    EXPECT_EQ(opsOf(p, K::AddBridge).size(), 1u);
    EXPECT_EQ(opsOf(p, K::AddPort).size(), 17u);
    EXPECT_EQ(opsOf(p, K::AddMirror).size(), 1u);
    EXPECT_EQ(opsOf(p, K::SetFlows).size(), 1u);
    EXPECT_EQ(opsOf(p, K::SetAddresses).size(), 1u);
    EXPECT_FALSE(p.hasDestructive());
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("+ bridge lab")));
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("+ port mgmt0 on lab")));
    // The bridge comes before its ports, the ports before the mirror that names them.
    EXPECT_EQ(p.ops.front().kind, K::AddBridge);
    EXPECT_LT(&*opsOf(p, K::AddPort).back(), &*opsOf(p, K::AddMirror).front());
}

TEST(Planner, PlanningAgainAfterApplyIsEmpty)
{
    const core::realize::HostState d = desired(labDesign());
    const core::realize::Plan again = core::realize::makePlan(d, core::realize::afterApply(d));
    EXPECT_TRUE(again.isEmpty()) << again.diffText().toStdString();
    EXPECT_EQ(again.diffText(), QStringLiteral("  no changes\n"));
}

TEST(Planner, VnicAddedChangedAndRemoved)
{
    const core::Design before = labDesign();
    core::Design after = before;
    set(after, "lab1.a1.nic", "accessVlan", 11);
    core::realize::Plan p = planFor(before, after);
    ASSERT_EQ(opsOf(p, K::SetPort).size(), 1u) << kinds(p).toStdString();
    EXPECT_EQ(opsOf(p, K::SetPort)[0]->changes,
              QStringList{QStringLiteral("VLAN: access 10 -> access 11")});
    EXPECT_FALSE(p.hasDestructive());

    core::Design removed = before;
    auto rm = core::commands::removeElements(removed, {QStringLiteral("lab1.b1")});
    ASSERT_TRUE(rm);
    ASSERT_TRUE(removed.apply(*rm));
    p = planFor(before, removed);
    ASSERT_EQ(opsOf(p, K::RemovePort).size(), 1u) << kinds(p).toStdString();
    EXPECT_EQ(opsOf(p, K::RemovePort)[0]->target, QStringLiteral("b1"));
    EXPECT_TRUE(opsOf(p, K::RemovePort)[0]->destructive);
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("! - port b1 from lab")));

    p = planFor(removed, before);
    ASSERT_EQ(opsOf(p, K::AddPort).size(), 1u) << kinds(p).toStdString();
    EXPECT_EQ(opsOf(p, K::AddPort)[0]->target, QStringLiteral("b1"));
}

TEST(Planner, TrunkAndPvlanChanges)
{
    const core::Design before = labDesign();
    core::Design after = before;
    set(after, "lab1.b1.nic", "vlanMode", QStringLiteral("Trunk"));
    set(after, "lab1.b1.nic", "trunkVlans", QJsonArray{20, 21});
    // iso2 joins community 32 of the same primary VLAN 30.
    set(after, "lab1.iso2.nic", "pvlanMode", QStringLiteral("Community"));
    set(after, "lab1.iso2.nic", "pvlanSecondary", 32);
    const core::realize::Plan p = planFor(before, after);
    const auto sets = opsOf(p, K::SetPort);
    ASSERT_EQ(sets.size(), 2u) << kinds(p).toStdString();
    const QString all = p.diffText();
    EXPECT_TRUE(all.contains(QStringLiteral("~ port b1 on lab: VLAN: access 20 -> trunk 20-21")))
        << all.toStdString();
    // A PVLAN port carries its secondary VLAN, on the wire too.
    EXPECT_TRUE(all.contains(QStringLiteral("~ port iso2 on lab: VLAN: isolated in PVLAN 30 "
                                            "(secondary 31) -> community 32 in PVLAN 30")))
        << all.toStdString();
    // The bridge learns the new community VLAN of its domain, and its flows cross to it.
    EXPECT_TRUE(all.contains(QStringLiteral("  ~ bridge lab\n"
                                            "      - PVLAN 30 (isolated 31)\n"
                                            "      + PVLAN 30 (isolated 31; community 32)\n")))
        << all.toStdString();
    EXPECT_EQ(opsOf(p, K::SetFlows).size(), 1u);
}

TEST(Planner, TeamChangesAndMembershipRecreatesTheBond)
{
    const core::Design before = labDesign();
    core::Design after = before;
    set(after, "lab1.team", "mode", QStringLiteral("LACP"));
    core::realize::Plan p = planFor(before, after);
    ASSERT_EQ(opsOf(p, K::SetPort).size(), 1u) << kinds(p).toStdString();
    EXPECT_TRUE(p.diffText().contains(
        QStringLiteral("bond mode: active-backup (team mode SwitchIndependent or Static, with a "
                       "standby member) -> balance-tcp (team mode LACP)")))
        << p.diffText().toStdString();
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("LACP: off -> active")));

    auto nic =
        core::commands::addElement(after, core::ElementKind::PhysicalNic, QStringLiteral("lab1"),
                                   {{QStringLiteral("name"), QStringLiteral("up3")},
                                    {QStringLiteral("interfaceName"), QStringLiteral("up3")}},
                                   QStringLiteral("lab1.up3"));
    ASSERT_TRUE(nic);
    ASSERT_TRUE(after.apply(*nic));
    set(after, "lab1.team", "members",
        QJsonArray{QStringLiteral("lab1.up1"), QStringLiteral("lab1.up2"),
                   QStringLiteral("lab1.up3")});
    p = planFor(before, after);
    ASSERT_EQ(opsOf(p, K::RecreatePort).size(), 1u) << kinds(p).toStdString();
    EXPECT_TRUE(opsOf(p, K::RecreatePort)[0]->destructive);
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("members: up1, up2 -> up1, up2, up3")));
}

TEST(Planner, SwitchAddedRemovedAndSriovChangeRecreatesIt)
{
    const core::Design before = labDesign();
    core::Design after = before;
    auto sw =
        core::commands::addElement(after, core::ElementKind::VirtualSwitch, QStringLiteral("lab1"),
                                   {{QStringLiteral("name"), QStringLiteral("priv")},
                                    {QStringLiteral("type"), QStringLiteral("Private")}},
                                   QStringLiteral("lab1.priv"));
    ASSERT_TRUE(sw);
    ASSERT_TRUE(after.apply(*sw));
    core::realize::Plan p = planFor(before, after);
    ASSERT_EQ(opsOf(p, K::AddBridge).size(), 1u) << kinds(p).toStdString();
    EXPECT_EQ(opsOf(p, K::AddBridge)[0]->target, QStringLiteral("priv"));
    EXPECT_FALSE(p.hasDestructive());

    p = planFor(after, before);
    ASSERT_EQ(opsOf(p, K::RemoveBridge).size(), 1u) << kinds(p).toStdString();
    EXPECT_TRUE(p.hasDestructive());

    core::Design sriov = before;
    set(sriov, "lab1.vs", "sriov", true);
    p = planFor(before, sriov);
    ASSERT_EQ(opsOf(p, K::RecreateBridge).size(), 1u) << kinds(p).toStdString();
    EXPECT_TRUE(opsOf(p, K::RecreateBridge)[0]->destructive);
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("! re-create bridge lab")));
    // Its ports and the mirror are put back on the new bridge in the same transaction.
    EXPECT_EQ(opsOf(p, K::AddPort).size(), 17u);
    EXPECT_EQ(opsOf(p, K::AddMirror).size(), 1u);
    EXPECT_TRUE(core::realize::makePlan(desired(sriov), core::realize::afterApply(desired(sriov)))
                    .isEmpty());
}

TEST(Planner, DatapathChangeRecreatesTheBridge)
{
    const core::realize::HostState d = desired(labDesign());
    core::realize::HostState current = core::realize::afterApply(d);
    current.bridges[0].datapathType = QStringLiteral("system");
    const core::realize::Plan p = core::realize::makePlan(d, current);
    ASSERT_EQ(opsOf(p, K::RecreateBridge).size(), 1u);
    EXPECT_TRUE(
        p.diffText().contains(QStringLiteral("datapath: system (kernel) -> netdev (userspace)")))
        << p.diffText().toStdString();
}

// A datapath change cuts every VM on the bridge: destructive, and the plan says whom it cuts.
TEST(Planner, DatapathChangeSaysWhatItInterrupts)
{
    const core::realize::HostState d = desired(labDesign());
    core::realize::HostState current = core::realize::afterApply(d);
    current.bridges[0].datapathType = QStringLiteral("system");
    const core::realize::Plan p = core::realize::makePlan(d, current);
    ASSERT_EQ(opsOf(p, K::RecreateBridge).size(), 1u);
    const Operation &op = *opsOf(p, K::RecreateBridge)[0];
    EXPECT_TRUE(op.destructive);
    EXPECT_TRUE(p.hasDestructive());
    // 17 ports: the first eight by name, then how many more.
    EXPECT_TRUE(op.summary().contains(QStringLiteral("interrupts a1, a2, acl1, acl2, acl3, b1, g1, "
                                                     "g2 and 9 more ports")))
        << op.summary().toStdString();
    ASSERT_FALSE(p.notes.isEmpty());
    EXPECT_TRUE(p.notes.last().contains(
        QStringLiteral("bridge lab is re-created (datapath: system (kernel) -> netdev "
                       "(userspace)): the VMs and management vNICs on its 17 ports lose their "
                       "traffic")))
        << p.notes.join(u'\n').toStdString();
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("  note: bridge lab is re-created")));

    // A bridge with two ports names both; nothing is re-created, nothing is noted, when only
    // the datapath recorded in the desired state is empty.
    core::realize::HostState small = d;
    small.bridges[0].ports.resize(2);
    core::realize::HostState smallCurrent = core::realize::afterApply(small);
    smallCurrent.bridges[0].datapathType = QStringLiteral("system");
    const core::realize::Plan q = core::realize::makePlan(small, smallCurrent);
    ASSERT_EQ(opsOf(q, K::RecreateBridge).size(), 1u);
    EXPECT_TRUE(opsOf(q, K::RecreateBridge)[0]->summary().endsWith(
        QStringLiteral("interrupts ports ") + small.bridges[0].ports[0].name +
        QStringLiteral(", ") + small.bridges[0].ports[1].name));
    small.bridges[0].datapathType.clear();
    EXPECT_TRUE(core::realize::makePlan(small, smallCurrent).notes == small.notes);
}

TEST(Planner, MirrorAddedChangedAndRemoved)
{
    const core::Design before = labDesign();
    core::Design changed = before;
    set(changed, "lab1.mirror", "sources", QJsonArray{QStringLiteral("lab1.a1.nic")});
    core::realize::Plan p = planFor(before, changed);
    ASSERT_EQ(opsOf(p, K::SetMirror).size(), 1u) << kinds(p).toStdString();
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("sources: a1, a2 -> a1")));

    core::Design removed = before;
    auto rm = core::commands::removeElements(removed, {QStringLiteral("lab1.mirror")});
    ASSERT_TRUE(rm);
    ASSERT_TRUE(removed.apply(*rm));
    p = planFor(before, removed);
    ASSERT_EQ(opsOf(p, K::RemoveMirror).size(), 1u) << kinds(p).toStdString();
    EXPECT_EQ(p.ops.size(), 1u);
    p = planFor(removed, before);
    ASSERT_EQ(opsOf(p, K::AddMirror).size(), 1u) << kinds(p).toStdString();
}

// Mirrors are changed and removed by their row's UUID, never by name (issue 13): ovs-vsctl takes
// a name that is another row's UUID for that row, and a name starting with '-' for an option.
TEST(Planner, MirrorsAreChangedAndRemovedByTheirRowUuidNeverByName)
{
    const core::Design before = labDesign();
    core::realize::HostState current = core::realize::afterApply(desired(before));
    ASSERT_EQ(current.mirrors.size(), 1u);
    const QString uuid = QStringLiteral("0a1b2c3d-0000-4000-8000-000000000001");
    current.mirrors[0].uuid.value = uuid;
    // The UUID is the reader's: it neither makes states differ nor reaches the form.
    EXPECT_TRUE(core::realize::makePlan(desired(before), current).isEmpty());
    EXPECT_FALSE(QJsonDocument(current.toJson()).toJson().contains(uuid.toUtf8()));

    core::Design changed = before;
    set(changed, "lab1.mirror", "sources", QJsonArray{QStringLiteral("lab1.a1.nic")});
    core::Design removed = before;
    auto rm = core::commands::removeElements(removed, {QStringLiteral("lab1.mirror")});
    ASSERT_TRUE(rm);
    ASSERT_TRUE(removed.apply(*rm));
    for (const core::Design *after : {&changed, &removed}) {
        const core::realize::Plan p = core::realize::makePlan(desired(*after), current);
        const QStringList args = p.vsctlArguments();
        const QStringList removal{QStringLiteral("remove"), QStringLiteral("Bridge"),
                                  QStringLiteral("lab"), QStringLiteral("mirrors"), uuid};
        EXPECT_NE(args.join(u' ').indexOf(removal.join(u' ')), -1) << args.join(u' ').toStdString();
        EXPECT_FALSE(args.contains(QStringLiteral("watch-a"))) << args.join(u' ').toStdString();
        EXPECT_EQ(args.join(u' ').indexOf(QStringLiteral("get Mirror")), -1)
            << "no mirror is looked up by name: " << args.join(u' ').toStdString();
    }
}

// A session name Open vSwitch cannot take safely as a mirror's name gives way to the session's id.
TEST(DesiredState, AMirrorSessionNamedLikeAnOptionIsNamedByItsId)
{
    // A right-to-left override (U+202E) would show the name backwards.
    for (const QString &name :
         {QStringLiteral("--"), QStringLiteral("-x"), QStringLiteral(" watch"),
          QStringLiteral("watch "), QStringLiteral("\u202Ehctaw")}) {
        core::Design d = labDesign();
        set(d, "lab1.mirror", "name", name);
        const core::realize::HostState s = desired(d);
        ASSERT_EQ(s.mirrors.size(), 1u) << name.toStdString();
        EXPECT_EQ(s.mirrors[0].name.toStdString(), "lab1.mirror") << name.toStdString();
    }
    core::Design d = labDesign();
    set(d, "lab1.mirror", "name", QStringLiteral("watch a (Überwachung)"));
    EXPECT_EQ(desired(d).mirrors.at(0).name.toStdString(), "watch a (Überwachung)");
}

TEST(Planner, AclAndGuardChangesRewriteTheFlowTable)
{
    const core::Design before = labDesign();
    core::Design after = before;
    set(after, "lab1.a2.nic", "dhcpGuard", true);
    core::realize::Plan p = planFor(before, after);
    ASSERT_EQ(opsOf(p, K::SetFlows).size(), 1u) << kinds(p).toStdString();
    EXPECT_TRUE(opsOf(p, K::SetFlows)[0]->flows.contains(
        QStringLiteral("table=1,priority=200,udp,in_port=\"a2\",tp_src=67,actions=drop")));
    EXPECT_TRUE(p.diffText().contains(QStringLiteral("DHCP guard: off -> on")));

    core::Design acl = before;
    set(acl, "lab1.acl1.nic", "acls",
        QJsonArray{QJsonObject{{QStringLiteral("direction"), QStringLiteral("Inbound")},
                               {QStringLiteral("action"), QStringLiteral("Deny")},
                               {QStringLiteral("remoteAddress"), QStringLiteral("10.77.40.0/24")},
                               {QStringLiteral("protocol"), QStringLiteral("TCP")},
                               {QStringLiteral("localPorts"), QJsonArray{22}}}});
    p = planFor(before, acl);
    ASSERT_EQ(opsOf(p, K::SetFlows).size(), 1u);
    const QStringList flows = opsOf(p, K::SetFlows)[0]->flows;
    const QString cookie = QStringLiteral("cookie=0x%1,")
                               .arg(core::realize::aclCookie(QStringLiteral("acl1"), 0), 0, 16);
    EXPECT_TRUE(
        flows.contains(cookie + QStringLiteral("table=3,priority=153,tcp,dl_dst=02:cf:00:00:00:07,"
                                               "nw_src=10.77.40.0/24,tp_dst=22,actions=drop")))
        << flows.join(u'\n').toStdString();
}

TEST(Planner, ManagementAddressChangeOnlyTouchesAddresses)
{
    const core::Design before = labDesign();
    core::Design after = before;
    set(after, "lab1.mgmt", "addresses", QJsonArray{QStringLiteral("10.77.99.2/24")});
    const core::realize::Plan p = planFor(before, after);
    ASSERT_EQ(p.ops.size(), 1u) << kinds(p).toStdString();
    const Operation &op = p.ops[0];
    EXPECT_EQ(op.kind, K::SetAddresses);
    EXPECT_TRUE(op.vsctl.isEmpty());
    EXPECT_EQ(op.changes,
              (QStringList{QStringLiteral("- 10.77.99.1/24"), QStringLiteral("+ 10.77.99.2/24")}));
    EXPECT_TRUE(op.ip.contains(QStringList{QStringLiteral("addr"), QStringLiteral("del"),
                                           QStringLiteral("10.77.99.1/24"), QStringLiteral("dev"),
                                           QStringLiteral("mgmt0")}));
}

TEST(Planner, CommandsAreOneVsctlTransactionWithQuotedValues)
{
    const core::realize::Plan p = core::realize::makePlan(desired(labDesign()), {});
    const QStringList args = p.vsctlArguments();
    ASSERT_FALSE(args.isEmpty());
    EXPECT_EQ(args.front(), QStringLiteral("--"));
    EXPECT_TRUE(args.contains(QStringLiteral("add-br")));
    EXPECT_TRUE(args.contains(QStringLiteral("datapath_type=netdev")));
    EXPECT_TRUE(args.contains(QStringLiteral("external_ids:converge-id=\"lab1.a1.nic\"")));
    // The policy is JSON inside an OVSDB string atom: quoted, so no character is special.
    bool quotedPolicy = false;
    for (const QString &a : args)
        if (a.startsWith(QStringLiteral("external_ids:converge-policy=\"{\\\"mac\\\"")))
            quotedPolicy = true;
    EXPECT_TRUE(quotedPolicy);
}

TEST(Planner, UnmanagedBridgesAreNeverTouched)
{
    core::realize::HostState current;
    current.unmanagedBridges << QStringLiteral("br-ex");
    const core::realize::Plan p = core::realize::makePlan(desired(labDesign()), current);
    for (const QString &a : p.vsctlArguments())
        EXPECT_NE(a, QStringLiteral("br-ex"));
}

TEST(Flows, SpoofingGuardsAndPvlanFlows)
{
    const core::realize::HostState s = desired(labDesign());
    const QStringList flows = core::realize::bridgeFlows(s.bridges[0]);
    EXPECT_TRUE(flows.contains(QStringLiteral(
        "table=0,priority=200,in_port=\"s1\",dl_src=02:cf:00:00:00:0c,actions=resubmit(,1)")));
    EXPECT_TRUE(flows.contains(QStringLiteral("table=0,priority=190,in_port=\"s1\",actions=drop")));
    EXPECT_TRUE(flows.contains(
        QStringLiteral("table=1,priority=200,icmp6,in_port=\"g1\",icmp_type=134,actions=drop")));
    EXPECT_EQ(flows.back(), QStringLiteral("table=4,priority=0,actions=NORMAL"));
    // PVLAN domain 30 (isolated VLAN 31): an isolated port reaches the promiscuous one by its
    // MAC; the promiscuous one reaches it back; over the team's members frames of the isolated
    // VLAN reach the promiscuous port only, never NORMAL.
    EXPECT_TRUE(flows.contains(QStringLiteral(
        "table=4,priority=120,in_port=\"iso1\",dl_dst=02:cf:00:00:00:06,actions=output:\"prom\"")));
    EXPECT_TRUE(flows.contains(QStringLiteral(
        "table=4,priority=120,in_port=\"prom\",dl_dst=02:cf:00:00:00:04,actions=output:\"iso1\"")));
    for (const char *member : {"up1", "up2"}) {
        EXPECT_TRUE(flows.contains(QStringLiteral("table=4,priority=100,in_port=\"%1\",dl_vlan=31,"
                                                  "actions=drop")
                                       .arg(QLatin1String(member))))
            << member;
        EXPECT_TRUE(flows.contains(
            QStringLiteral(
                "table=4,priority=120,in_port=\"%1\",dl_vlan=30,dl_dst=02:cf:00:00:00:05,"
                "actions=strip_vlan,output:\"iso2\"")
                .arg(QLatin1String(member))))
            << member;
    }
    ASSERT_EQ(s.bridges[0].pvlans.size(), 1u);
    EXPECT_EQ(s.bridges[0].pvlans[0].isolated, QList<int>{31});
    EXPECT_EQ(core::realize::flowsDigest(flows).size(), 64);
    EXPECT_NE(core::realize::aclCookie(QStringLiteral("acl1"), 0),
              core::realize::aclCookie(QStringLiteral("acl1"), 1));
}
