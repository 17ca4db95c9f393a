// The lines a reviewer reads in a plan (core/realize/planlines.h): bonds, PVLAN roles and
// domains, guards, ACL rules, maximum rates and the flow table's make-up, each added, changed and
// removed; and how an operation lays its lines out in the diff.
#include "printers.h"

#include "core/realize/flows.h"
#include "core/realize/planlines.h"
#include "core/realize/planner.h"
#include "core/realize/ratelimits.h"

#include <gtest/gtest.h>

using namespace converge::core::realize;
namespace lines = converge::core::realize::planlines;

namespace {

using K = Operation::Kind;

Port vnic(const char *name, int vlan)
{
    Port p;
    p.name = QString::fromLatin1(name);
    p.elementId = QStringLiteral("e.") + p.name;
    p.vlanMode = QStringLiteral("access");
    p.tag = vlan;
    p.mac = QStringLiteral("02:00:00:00:00:01");
    return p;
}

Port bond(const char *mode)
{
    Port p;
    p.name = QStringLiteral("team0");
    p.type = Port::Type::Bond;
    p.uplink = true;
    p.members = {QStringLiteral("up1"), QStringLiteral("up2")};
    p.bondMode = QString::fromLatin1(mode);
    p.lacp = p.bondMode == QLatin1String("balance-tcp");
    if (p.bondMode == QLatin1String("active-backup"))
        p.bondPrimary = QStringLiteral("up1");
    return p;
}

Bridge bridge(std::vector<Port> ports, const char *datapath = "system")
{
    Bridge b;
    b.name = QStringLiteral("lab");
    b.elementId = QStringLiteral("e.lab");
    b.datapathType = QString::fromLatin1(datapath);
    b.ports = std::move(ports);
    return b;
}

Acl acl(const char *action, const char *direction, const char *remote, int localPort = 0)
{
    Acl a;
    a.action = QString::fromLatin1(action);
    a.direction = QString::fromLatin1(direction);
    a.remotePrefix = QString::fromLatin1(remote);
    if (localPort) {
        a.protocol = QStringLiteral("tcp");
        a.localPorts = {localPort};
    }
    return a;
}

// The changes of one port between two bridges holding it.
QStringList changes(const Bridge &c, const Bridge &d)
{
    return lines::portChanges(c, c.ports.front(), d, d.ports.front());
}

QStringList changes(const Port &c, const Port &d)
{
    return changes(bridge({c}), bridge({d}));
}

PvlanDomain domain300()
{
    return PvlanDomain{300, {301}, {302, 304}};
}

Port pvlanPort(const char *name, int secondary, bool isolated)
{
    Port p = vnic(name, secondary);
    p.pvlanPrimary = 300;
    p.isolated = isolated;
    if (!isolated)
        p.community = secondary;
    return p;
}

} // namespace

TEST(PlanLines, ANewBondSaysItsModeInBothVocabulariesItsMembersAndLacp)
{
    const Bridge b = bridge({bond("balance-tcp")});
    EXPECT_EQ(lines::newPort(b, b.ports[0]),
              (QStringList{QStringLiteral("type: bond"), QStringLiteral("uplink: yes"),
                           QStringLiteral("bond mode: balance-tcp (team mode LACP)"),
                           QStringLiteral("members: up1, up2"), QStringLiteral("LACP: active"),
                           QStringLiteral("VLAN: all VLANs (no tag)")}));
    const Bridge ab = bridge({bond("active-backup")});
    const QStringList backup = lines::newPort(ab, ab.ports[0]);
    EXPECT_TRUE(backup.contains(QStringLiteral("bond mode: active-backup (team mode "
                                               "SwitchIndependent or Static, with a standby "
                                               "member)")))
        << backup.join(u'\n').toStdString();
    EXPECT_TRUE(backup.contains(QStringLiteral("primary member: up1 (standby up2)")));
    EXPECT_FALSE(backup.contains(QStringLiteral("LACP: off"))) << "a default is left out";
}

TEST(PlanLines, ABondModeChangeSaysOldAndNewAndWhatWasRemoved)
{
    EXPECT_EQ(changes(bond("balance-tcp"), bond("balance-slb")),
              (QStringList{QStringLiteral("bond mode: balance-tcp (team mode LACP) -> balance-slb "
                                          "(team mode SwitchIndependent or Static, no standby "
                                          "member)"),
                           QStringLiteral("LACP: active -> off")}));
    EXPECT_EQ(changes(bond("balance-slb"), bond("active-backup")),
              (QStringList{QStringLiteral("bond mode: balance-slb (team mode SwitchIndependent or "
                                          "Static, no standby member) -> active-backup (team mode "
                                          "SwitchIndependent or Static, with a standby member)"),
                           QStringLiteral("primary member: none -> up1 (standby up2)")}));
    Port three = bond("active-backup");
    three.members << QStringLiteral("up3");
    EXPECT_EQ(changes(bond("active-backup"), three),
              (QStringList{QStringLiteral("members: up1, up2 -> up1, up2, up3"),
                           QStringLiteral("primary member: up1 (standby up2) -> up1 (standby up2, "
                                          "up3)")}));
}

TEST(PlanLines, PvlanPortsSayTheirRoleInTheirDomain)
{
    Bridge b = bridge({pvlanPort("iso", 301, true), pvlanPort("com", 302, false), vnic("prom", 300),
                       vnic("plain", 10)});
    b.pvlans = {domain300()};
    EXPECT_EQ(lines::vlanText(b, b.ports[0]),
              QStringLiteral("isolated in PVLAN 300 (secondary 301)"));
    EXPECT_EQ(lines::vlanText(b, b.ports[1]), QStringLiteral("community 302 in PVLAN 300"));
    EXPECT_EQ(lines::vlanText(b, b.ports[2]), QStringLiteral("promiscuous in PVLAN 300"));
    EXPECT_EQ(lines::vlanText(b, b.ports[3]), QStringLiteral("access 10"));
    EXPECT_TRUE(lines::newPort(b, b.ports[0])
                    .contains(QStringLiteral("VLAN: isolated in PVLAN 300 (secondary 301)")));
    // Without the domain on its bridge an access port of VLAN 300 is just that.
    EXPECT_EQ(lines::vlanText(bridge({}), b.ports[2]), QStringLiteral("access 300"));

    Port trunk = vnic("t", -1);
    trunk.vlanMode = QStringLiteral("native-untagged");
    trunk.tag = 5;
    trunk.trunks = {10, 11, 12, 20};
    EXPECT_EQ(lines::vlanText(b, trunk), QStringLiteral("trunk 10-12, 20, native 5 untagged"));
}

TEST(PlanLines, APvlanRoleChangeIsOneLineFromTheOldRoleToTheNew)
{
    Bridge c = bridge({pvlanPort("p", 301, true)});
    Bridge d = bridge({pvlanPort("p", 302, false)});
    c.pvlans = d.pvlans = {domain300()};
    EXPECT_EQ(changes(c, d), QStringList{QStringLiteral(
                                 "VLAN: isolated in PVLAN 300 (secondary 301) -> community 302 in "
                                 "PVLAN 300")});
    Bridge plain = bridge({vnic("p", 10)});
    EXPECT_EQ(changes(c, plain),
              QStringList{QStringLiteral("VLAN: isolated in PVLAN 300 (secondary 301) -> access "
                                         "10")});
}

TEST(PlanLines, ABridgesPvlanDomainsAreAddedChangedAndRemovedOneByOne)
{
    Bridge b = bridge({});
    b.pvlans = {domain300(), PvlanDomain{400, {401}, {}}};
    EXPECT_EQ(lines::newBridge(b),
              (QStringList{QStringLiteral("datapath: system (kernel)"),
                           QStringLiteral("PVLAN 300 (isolated 301; communities 302, 304)"),
                           QStringLiteral("PVLAN 400 (isolated 401)")}));
    Bridge d = b;
    d.pvlans = {PvlanDomain{300, {301}, {302}}, PvlanDomain{500, {}, {502}}};
    EXPECT_EQ(lines::bridgeChanges(b, d),
              (QStringList{QStringLiteral("- PVLAN 300 (isolated 301; communities 302, 304)"),
                           QStringLiteral("- PVLAN 400 (isolated 401)"),
                           QStringLiteral("+ PVLAN 300 (isolated 301; community 302)"),
                           QStringLiteral("+ PVLAN 500 (community 502)")}));
}

TEST(PlanLines, GuardsOnANewPortAndTurnedOnAndOffSayWhatTheyDrop)
{
    Port guarded = vnic("g", 10);
    guarded.macSpoofing = false;
    guarded.dhcpGuard = true;
    guarded.routerGuard = true;
    const Bridge b = bridge({guarded});
    const QString mac = QStringLiteral("MAC spoofing: blocked (the port may send from "
                                       "02:00:00:00:00:01 only)");
    const QString dhcp =
        QStringLiteral("DHCP guard: on (drops DHCP server messages from the port)");
    const QString router = QStringLiteral("router guard: on (drops IPv6 router advertisements "
                                          "and redirects from the port)");
    const QStringList added = lines::newPort(b, guarded);
    for (const QString &line : {mac, dhcp, router})
        EXPECT_TRUE(added.contains(line)) << line.toStdString() << "\n"
                                          << added.join(u'\n').toStdString();
    const QStringList plain = lines::newPort(b, vnic("p", 10));
    EXPECT_EQ(plain.filter(QStringLiteral("guard")), QStringList()) << "guards that are off";
    EXPECT_EQ(plain.filter(QStringLiteral("spoofing")), QStringList());

    EXPECT_EQ(changes(vnic("g", 10), guarded),
              (QStringList{QStringLiteral("MAC spoofing: allowed -> blocked (the port may send "
                                          "from 02:00:00:00:00:01 only)"),
                           QStringLiteral("DHCP guard: off -> on (drops DHCP server messages "
                                          "from the port)"),
                           QStringLiteral("router guard: off -> on (drops IPv6 router "
                                          "advertisements and redirects from the port)")}));
    EXPECT_EQ(changes(guarded, vnic("g", 10)),
              (QStringList{QStringLiteral("MAC spoofing: blocked -> allowed"),
                           QStringLiteral("DHCP guard: on -> off"),
                           QStringLiteral("router guard: on -> off")}));

    // The flows admit the port's own MAC: a port without one is not guarded, and the plan says so.
    Port noMac = guarded;
    noMac.mac.clear();
    EXPECT_TRUE(lines::newPort(bridge({noMac}), noMac)
                    .contains(QStringLiteral("MAC spoofing: blocked (not enforced: the port has "
                                             "no MAC)")));
}

TEST(PlanLines, AnAclReadsAsAnAdminWritesIt)
{
    Acl a = acl("deny", "in", "10.0.0.0/24", 443);
    a.weight = 10;
    EXPECT_EQ(lines::aclText(a),
              QStringLiteral("deny in tcp from 10.0.0.0/24 to any port 443, weight 10"));
    Acl out = acl("allow", "out", "");
    out.localMac = QStringLiteral("02:00:00:00:00:01");
    out.protocol = QStringLiteral("udp");
    out.remotePorts = {53, 853};
    EXPECT_EQ(lines::aclText(out),
              QStringLiteral("allow out udp from MAC 02:00:00:00:00:01 to any ports 53, 853"));
    EXPECT_EQ(lines::aclText(acl("meter", "out", "0.0.0.0/0")),
              QStringLiteral("meter out from any to 0.0.0.0/0"));
}

TEST(PlanLines, AclsAreAddedAndRemovedOneRuleAtATime)
{
    Port p = vnic("a", 10);
    p.acls = {acl("deny", "in", "10.0.0.0/24", 22), acl("allow", "out", "10.1.0.0/16"),
              acl("meter", "out", "0.0.0.0/0")};
    const Bridge b = bridge({p});
    EXPECT_EQ(lines::newPort(b, p).filter(QStringLiteral("ACL ")),
              (QStringList{QStringLiteral("ACL deny in tcp from 10.0.0.0/24 to any port 22"),
                           QStringLiteral("ACL allow out from any to 10.1.0.0/16"),
                           QStringLiteral("ACL meter out from any to 0.0.0.0/0")}));

    // One rule of three changed: that rule goes and its new form comes, the others are not named.
    Port changed = p;
    changed.acls[1].remotePrefix = QStringLiteral("10.2.0.0/16");
    EXPECT_EQ(changes(p, changed),
              (QStringList{QStringLiteral("- ACL allow out from any to 10.1.0.0/16"),
                           QStringLiteral("+ ACL allow out from any to 10.2.0.0/16")}));
    Port fewer = p;
    fewer.acls.removeAt(0);
    EXPECT_EQ(changes(p, fewer),
              QStringList{QStringLiteral("- ACL deny in tcp from 10.0.0.0/24 to any port 22")});
    EXPECT_EQ(changes(fewer, p),
              QStringList{QStringLiteral("+ ACL deny in tcp from 10.0.0.0/24 to any port 22")});
    Port reordered = p;
    reordered.acls.move(0, 2);
    EXPECT_EQ(changes(p, reordered),
              QStringList{QStringLiteral("ACLs: the same 3 in a new order")});
}

TEST(PlanLines, AMaximumRateSaysHowEachDatapathEnforcesIt)
{
    Port limited = vnic("r", 10);
    limited.maxRateKbps = 10000;
    const QString line = QStringLiteral("maximum rate from the vNIC: 10 Mb/s (%1)");
    EXPECT_TRUE(lines::newPort(bridge({limited}), limited)
                    .contains(line.arg(QStringLiteral("ingress policing on the kernel datapath"))));
    const Bridge userspace = bridge({limited}, "netdev");
    const QString meter = QStringLiteral("OpenFlow meter %1 on the userspace datapath")
                              .arg(bridgeMeters(userspace).front().id);
    EXPECT_TRUE(lines::newPort(userspace, limited).contains(line.arg(meter)))
        << lines::newPort(userspace, limited).join(u'\n').toStdString();
    // A desired state made without the agent's datapath (a bundle) names both mechanisms.
    EXPECT_TRUE(lines::newPort(bridge({limited}, ""), limited)
                    .contains(line.arg(QStringLiteral("ingress policing on the kernel datapath, "
                                                      "an OpenFlow meter on the userspace one"))));

    Port faster = limited;
    faster.maxRateKbps = 2500000;
    EXPECT_EQ(changes(limited, faster),
              QStringList{QStringLiteral("maximum rate from the vNIC: 10 Mb/s -> 2.5 Gb/s (ingress "
                                         "policing on the kernel datapath)")});
    EXPECT_EQ(changes(vnic("r", 10), limited),
              QStringList{QStringLiteral("maximum rate from the vNIC: none -> 10 Mb/s (ingress "
                                         "policing on the kernel datapath)")});
    EXPECT_EQ(changes(limited, vnic("r", 10)),
              QStringList{QStringLiteral("maximum rate from the vNIC: 10 Mb/s -> none")});
}

TEST(PlanLines, EveryFieldOfAPortThatChangesHasALine)
{
    const Port base = vnic("p", 10);
    const std::vector<std::pair<const char *, std::function<void(Port &)>>> edits{
        {"type",
         [](Port &p) {
             p.type = Port::Type::Internal;
         }},
        {"element",
         [](Port &p) {
             p.elementId = QStringLiteral("other");
         }},
        {"members",
         [](Port &p) {
             p.members = {QStringLiteral("x")};
         }},
        {"bond mode",
         [](Port &p) {
             p.bondMode = QStringLiteral("balance-slb");
         }},
        {"LACP",
         [](Port &p) {
             p.lacp = true;
         }},
        {"bond primary",
         [](Port &p) {
             p.bondPrimary = QStringLiteral("x");
         }},
        {"vlan mode",
         [](Port &p) {
             p.vlanMode = QStringLiteral("trunk");
         }},
        {"tag",
         [](Port &p) {
             p.tag = 11;
         }},
        {"trunks",
         [](Port &p) {
             p.trunks = {20};
         }},
        {"isolated",
         [](Port &p) {
             p.isolated = true;
         }},
        {"community",
         [](Port &p) {
             p.community = 10;
         }},
        {"PVLAN primary",
         [](Port &p) {
             p.pvlanPrimary = 5;
         }},
        {"uplink",
         [](Port &p) {
             p.uplink = true;
         }},
        {"maximum rate",
         [](Port &p) {
             p.maxRateKbps = 1000;
         }},
        {"MTU",
         [](Port &p) {
             p.mtu = 9000;
         }},
        {"MAC",
         [](Port &p) {
             p.mac = QStringLiteral("02:00:00:00:00:02");
         }},
        {"MAC spoofing",
         [](Port &p) {
             p.macSpoofing = false;
         }},
        {"DHCP guard",
         [](Port &p) {
             p.dhcpGuard = true;
         }},
        {"router guard",
         [](Port &p) {
             p.routerGuard = true;
         }},
        {"ACLs",
         [](Port &p) {
             p.acls = {acl("deny", "out", "")};
         }},
    };
    for (const auto &[field, edit] : edits) {
        Port changed = base;
        edit(changed);
        ASSERT_NE(changed, base) << field;
        EXPECT_FALSE(changes(base, changed).isEmpty()) << field;
    }
}

TEST(PlanLines, TheFlowTableSaysWhatItIsMadeOf)
{
    Port guarded = vnic("g", 10);
    guarded.macSpoofing = false;
    guarded.dhcpGuard = true;
    guarded.acls = {acl("deny", "out", "10.0.0.0/8")};
    Bridge b = bridge({guarded, pvlanPort("iso", 301, true), vnic("prom", 300)});
    b.pvlans = {domain300()};
    // Spoofing 2, DHCP guard 2; one ACL; the isolated and promiscuous ports' crossings; one
    // priority-0 flow per table.
    EXPECT_EQ(lines::flowTable(b),
              QStringLiteral("%1 flows: 4 guard, 1 ACL, %2 PVLAN, 5 forwarding")
                  .arg(bridgeFlows(b).size())
                  .arg(bridgeFlows(b).size() - 10));
    EXPECT_GT(bridgeFlows(b).size(), 10);
    EXPECT_EQ(lines::flowTable(bridge({vnic("p", 10)})), QStringLiteral("5 flows: 5 forwarding"));
    // Flows, not rules, are counted: one rule for two ports is two flows.
    Port two = vnic("t", 10);
    two.acls = {acl("allow", "in", "10.0.0.0/8", 22)};
    two.acls[0].localPorts << 443;
    EXPECT_EQ(lines::flowTable(bridge({two})), QStringLiteral("7 flows: 2 ACL, 5 forwarding"));

    // Each purpose is the flows of its tables (flows.h), in the order bridgeFlows has them.
    const std::vector<PurposedFlow> purposed = purposedFlows(b);
    ASSERT_EQ(purposed.size(), std::size_t(bridgeFlows(b).size()));
    for (std::size_t i = 0; i < purposed.size(); ++i) {
        const QString &f = purposed[i].flow;
        EXPECT_EQ(f, bridgeFlows(b)[qsizetype(i)]);
        const bool lowest = f.contains(QLatin1String("priority=0,"));
        switch (purposed[i].purpose) {
        case FlowPurpose::RateLimit:
            EXPECT_TRUE(f.contains(QLatin1String("table=0,")) &&
                        f.contains(QLatin1String("meter:")))
                << f.toStdString();
            break;
        case FlowPurpose::Guard:
            EXPECT_TRUE(f.contains(QLatin1String("table=0,")) ||
                        f.contains(QLatin1String("table=1,")))
                << f.toStdString();
            break;
        case FlowPurpose::Acl:
            EXPECT_TRUE(f.contains(QLatin1String("table=2,")) ||
                        f.contains(QLatin1String("table=3,")))
                << f.toStdString();
            break;
        case FlowPurpose::Overlay:
        case FlowPurpose::Pvlan:
            EXPECT_TRUE(f.contains(QLatin1String("table=4,")) ||
                        f.contains(QLatin1String("table=0,priority=400,dl_vlan=4095")))
                << f.toStdString();
            break;
        case FlowPurpose::Default:
            EXPECT_TRUE(lowest) << f.toStdString();
            continue;
        }
        EXPECT_FALSE(lowest) << f.toStdString();
    }
}

TEST(PlanLines, AnOperationWithOneChangeIsOneLineAndWithMoreItsChangesGoBelow)
{
    Operation one;
    one.kind = K::SetPort;
    one.bridge = QStringLiteral("lab");
    one.target = QStringLiteral("a1");
    one.changes = {QStringLiteral("VLAN: access 10 -> access 20")};
    EXPECT_EQ(one.diffLines(),
              QStringList{QStringLiteral("  ~ port a1 on lab: VLAN: access 10 -> access 20")});
    Operation item = one;
    item.changes = {QStringLiteral("+ ACL deny out from any to any")};
    item.destructive = true;
    EXPECT_EQ(item.diffLines(),
              (QStringList{QStringLiteral("! ~ port a1 on lab"),
                           QStringLiteral("      + ACL deny out from any to any")}));
    EXPECT_EQ(item.summary(), QStringLiteral("~ port a1 on lab: + ACL deny out from any to any"));
}

TEST(PlanLines, APlanShowsThemInItsDiff)
{
    HostState current;
    Port p = vnic("a1", 10);
    p.acls = {acl("deny", "in", "10.0.0.0/24", 22), acl("allow", "out", "10.1.0.0/16"),
              acl("meter", "out", "0.0.0.0/0")};
    current.bridges = {bridge({p})};
    HostState desired = current;
    Port &d = desired.bridges[0].ports[0];
    d.acls[1].remotePrefix = QStringLiteral("10.2.0.0/16");
    d.dhcpGuard = true;
    const Plan plan = makePlan(desired, afterApply(current));
    EXPECT_EQ(plan.diffText(),
              QStringLiteral("  ~ port a1 on lab\n"
                             "      DHCP guard: off -> on (drops DHCP server messages from the "
                             "port)\n"
                             "      - ACL allow out from any to 10.1.0.0/16\n"
                             "      + ACL allow out from any to 10.2.0.0/16\n"
                             "  ~ flow table of lab: 10 flows: 2 guard, 3 ACL, 5 forwarding\n"));
}
