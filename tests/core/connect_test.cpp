#include "printers.h"

#include "core/io/designdocument.h"
#include "core/model/connect.h"

#include <gtest/gtest.h>

#include <QJsonArray>

using namespace converge::core;

namespace {

// Two hosts and two physical switches with something to connect and something already
// connected: HV01's eth1+eth2 are the team LAN under switch LAN, eth4 is vsSAN's uplink, eth3
// is free; Int is an internal switch; eth1 is cabled to tor1 Te1/0/1.
const char *document = R"({
  "schemaVersion": 1,
  "hosts": [{
    "id": "h1", "name": "HV01", "platform": "hyperv",
    "nics": [
      {"id": "h1.eth1", "name": "eth1", "interfaceName": "eth1"},
      {"id": "h1.eth2", "name": "eth2", "interfaceName": "eth2"},
      {"id": "h1.eth3", "name": "eth3", "interfaceName": "eth3"},
      {"id": "h1.eth4", "name": "eth4", "interfaceName": "eth4"}
    ],
    "teams": [
      {"id": "h1.team", "name": "LAN", "members": ["h1.eth1", "h1.eth2"], "standbyMember": "h1.eth2"},
      {"id": "h1.spare", "name": "Spare"}
    ],
    "switches": [
      {"id": "h1.lan", "name": "LAN", "type": "External", "uplink": "h1.team"},
      {"id": "h1.int", "name": "Int", "type": "Internal"},
      {"id": "h1.san", "name": "vsSAN", "type": "External", "uplink": "h1.eth4"}
    ],
    "vnics": [
      {"id": "h1.mgmt", "name": "Mgmt", "switch": "h1.lan"},
      {"id": "h1.free", "name": "Free"}
    ],
    "vms": [{"id": "h1.vm1", "name": "vm1", "vnics": [{"id": "h1.vm1.lan", "name": "LAN", "switch": "h1.lan"}]}]
  }, {
    "id": "h2", "name": "HV02", "platform": "hyperv",
    "nics": [{"id": "h2.eth1", "name": "eth1", "interfaceName": "eth1"}],
    "switches": [{"id": "h2.int", "name": "Int2", "type": "Internal"}],
    "vnics": [{"id": "h2.mgmt", "name": "Mgmt2"}]
  }],
  "physicalSwitches": [
    {"id": "tor1", "name": "tor1", "ports": [
      {"id": "tor1.p1", "name": "Te1/0/1"}, {"id": "tor1.p2", "name": "Te1/0/2"},
      {"id": "tor1.p3", "name": "Te1/0/3"}]},
    {"id": "tor2", "name": "tor2", "ports": [{"id": "tor2.p48", "name": "Te1/0/48"}]}
  ],
  "links": [{"id": "l1", "name": "cable 1", "a": "h1.eth1", "b": "tor1.p1"}],
  "vlans": [{"id": "v10", "name": "LAN", "vlanId": 10}]
})";

Design load()
{
    auto d = designdocument::load(document);
    EXPECT_TRUE(d) << (d ? "" : d.error().message.toStdString());
    return d ? std::move(*d) : Design();
}

QString errorOf(const Result<Edit> &r)
{
    return r ? QString() : r.error().message;
}

QString conn(const Design &d, const char *from, const char *to)
{
    return errorOf(commands::connect(d, QLatin1String(from), QLatin1String(to)));
}

QString disconn(const Design &d, const char *from, const char *to)
{
    return errorOf(commands::disconnect(d, QLatin1String(from), QLatin1String(to)));
}

QJsonValue propertyOf(const Design &d, const char *id, const char *key)
{
    return d.find(QLatin1String(id))->value(QLatin1String(key));
}

// Connects in both orders (the same edit), applies, and checks that undo restores the design.
Edit connectBothWays(Design &d, const char *from, const char *to)
{
    auto forward = commands::connect(d, QLatin1String(from), QLatin1String(to));
    auto backward = commands::connect(d, QLatin1String(to), QLatin1String(from));
    EXPECT_TRUE(forward && backward) << errorOf(forward).toStdString();
    if (!forward || !backward)
        return {};
    EXPECT_EQ(forward->description, backward->description);
    EXPECT_EQ(forward->ops.size(), backward->ops.size());
    const QByteArray before = designdocument::save(d);
    EXPECT_TRUE(d.apply(*forward));
    const QByteArray after = designdocument::save(d);
    EXPECT_TRUE(d.apply(forward->inverted()));
    EXPECT_EQ(designdocument::save(d), before);
    EXPECT_TRUE(d.apply(*forward));
    EXPECT_EQ(designdocument::save(d), after);
    return *forward;
}

} // namespace

TEST(Connect, AVnicJoinsASwitchOfItsHost)
{
    Design d = load();
    EXPECT_EQ(connectBothWays(d, "h1.free", "h1.int").description,
              QStringLiteral("Connect Free to switch Int"));
    EXPECT_EQ(propertyOf(d, "h1.free", "switch"), QStringLiteral("h1.int"));
    // A VM's vNIC moves to another switch of the VM's host.
    EXPECT_EQ(connectBothWays(d, "h1.vm1.lan", "h1.int").description,
              QStringLiteral("Connect LAN to switch Int"));
    EXPECT_EQ(propertyOf(d, "h1.vm1.lan", "switch"), QStringLiteral("h1.int"));

    EXPECT_EQ(conn(d, "h1.mgmt", "h1.lan"),
              QStringLiteral("Mgmt is already connected to switch LAN"));
    EXPECT_EQ(conn(d, "h2.mgmt", "h1.int"),
              QStringLiteral("vNIC 'Mgmt2' is on host 'HV02' and virtual switch 'Int' on host "
                             "'HV01'; they connect only on the same host"));
    EXPECT_EQ(conn(d, "h1.int", "h1.vm1.lan"),
              QStringLiteral("LAN is already connected to switch Int"));
}

TEST(Connect, ANicJoinsOneTeamOfItsHost)
{
    Design d = load();
    EXPECT_EQ(connectBothWays(d, "h1.eth3", "h1.spare").description,
              QStringLiteral("Connect eth3 to team Spare"));
    EXPECT_EQ(propertyOf(d, "h1.spare", "members"), QJsonArray{"h1.eth3"});

    EXPECT_EQ(conn(d, "h1.eth1", "h1.team"),
              QStringLiteral("eth1 is already a member of team LAN"));
    EXPECT_EQ(
        commands::connect(d, QStringLiteral("h1.eth1"), QStringLiteral("h1.team")).error().code,
        Error::Code::Conflict);
    EXPECT_EQ(conn(d, "h1.spare", "h1.eth2"),
              QStringLiteral("eth2 is already a member of team LAN; a NIC is a member of one team "
                             "only"));
    EXPECT_EQ(conn(d, "h1.eth4", "h1.spare"),
              QStringLiteral("eth4 is the uplink of switch vsSAN; a team member is not also used "
                             "alone, so connect the team to the switch instead"));
    EXPECT_EQ(conn(d, "h2.eth1", "h1.spare"),
              QStringLiteral("physical NIC 'eth1' is on host 'HV02' and team 'Spare' on host "
                             "'HV01'; they connect only on the same host"));
}

TEST(Connect, ANicOrTeamBecomesASwitchUplinkAndTheSwitchTurnsExternal)
{
    Design d = load();
    const Edit nic = connectBothWays(d, "h1.int", "h1.eth3");
    EXPECT_EQ(nic.description, QStringLiteral("Connect eth3 to switch Int"));
    EXPECT_EQ(nic.ops.size(), 2u);
    EXPECT_EQ(propertyOf(d, "h1.int", "uplink"), QStringLiteral("h1.eth3"));
    EXPECT_EQ(propertyOf(d, "h1.int", "type"), QStringLiteral("External"));
    // A switch that is external already only changes its uplink.
    Design other = load();
    const Edit replace = connectBothWays(other, "h1.eth3", "h1.san");
    EXPECT_EQ(replace.ops.size(), 1u);
    EXPECT_EQ(propertyOf(other, "h1.san", "uplink"), QStringLiteral("h1.eth3"));
    const Edit team = connectBothWays(other, "h1.spare", "h1.int");
    EXPECT_EQ(team.description, QStringLiteral("Connect team Spare to switch Int"));
    EXPECT_EQ(propertyOf(other, "h1.int", "uplink"), QStringLiteral("h1.spare"));

    Design fresh = load();
    EXPECT_EQ(conn(fresh, "h1.eth4", "h1.san"),
              QStringLiteral("eth4 is already the uplink of switch vsSAN"));
    EXPECT_EQ(conn(fresh, "h1.team", "h1.int"),
              QStringLiteral("team LAN is already the uplink of switch LAN; a NIC or team is the "
                             "uplink of one switch only (VSW-008)"));
    EXPECT_EQ(conn(fresh, "h1.eth1", "h1.int"),
              QStringLiteral("eth1 is a member of team LAN; connect the team to the switch "
                             "instead"));
    EXPECT_EQ(conn(fresh, "h2.int", "h1.eth3"),
              QStringLiteral("physical NIC 'eth3' is on host 'HV01' and virtual switch 'Int2' on "
                             "host 'HV02'; they connect only on the same host"));
}

TEST(Connect, ANicOrPortIsCabledToAPortOnce)
{
    Design d = load();
    const Edit nic = connectBothWays(d, "tor1.p2", "h1.eth3");
    EXPECT_EQ(nic.description, QStringLiteral("Connect eth3 to port Te1/0/2 of tor1"));
    ASSERT_EQ(d.count(ElementKind::Link), 2u);
    const Element *link = d.elements(ElementKind::Link).back();
    EXPECT_EQ(link->name(), QStringLiteral("HV01 eth3 - tor1 Te1/0/2"));
    EXPECT_EQ(link->value(QStringLiteral("a")), QStringLiteral("h1.eth3"));
    EXPECT_EQ(link->value(QStringLiteral("b")), QStringLiteral("tor1.p2"));
    const Edit ports = connectBothWays(d, "tor1.p3", "tor2.p48");
    EXPECT_EQ(ports.description,
              QStringLiteral("Connect port Te1/0/3 of tor1 to port Te1/0/48 of tor2"));
    EXPECT_EQ(d.elements(ElementKind::Link).back()->name(),
              QStringLiteral("tor1 Te1/0/3 - tor2 Te1/0/48"));

    EXPECT_EQ(conn(d, "h1.eth1", "tor1.p2"),
              QStringLiteral("eth1 already has a cable (link 'cable 1'); disconnect it first"));
    EXPECT_EQ(conn(d, "h1.eth2", "tor1.p1"),
              QStringLiteral("port Te1/0/1 of tor1 already has a cable (link 'cable 1'); "
                             "disconnect it first"));
}

TEST(Connect, AnythingElseIsRefusedWithTheKinds)
{
    Design d = load();
    const auto refused = commands::connect(d, QStringLiteral("h1"), QStringLiteral("v10"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Error::Code::InvalidInput);
    EXPECT_EQ(refused.error().message, QStringLiteral("cannot connect a host to a VLAN"));
    EXPECT_EQ(conn(d, "h1.mgmt", "h1.eth3"),
              QStringLiteral("cannot connect a vNIC to a physical NIC; a vNIC connects to a "
                             "virtual switch"));
    EXPECT_EQ(conn(d, "h1.team", "tor1.p2"),
              QStringLiteral("cannot connect a team to a switch port; a team connects to a "
                             "physical NIC or a virtual switch"));
    EXPECT_EQ(conn(d, "h1.vm1", "h1.lan"),
              QStringLiteral("cannot connect a VM to a virtual switch; a virtual switch connects "
                             "to a vNIC, a physical NIC or a team"));
    EXPECT_EQ(conn(d, "tor1.p2", "tor1.p2"),
              QStringLiteral("cannot connect switch port 'Te1/0/2' to itself"));
    EXPECT_EQ(conn(d, "h1", "nope"), QStringLiteral("no element with id 'nope'"));
    EXPECT_EQ(commands::connect(d, QStringLiteral("nope"), QStringLiteral("h1")).error().code,
              Error::Code::NotFound);
}

TEST(Connect, DisconnectUndoesEachConnection)
{
    Design d = load();
    const QByteArray original = designdocument::save(d);
    const auto apply = [&d](const char *from, const char *to, const char *description) {
        auto edit = commands::disconnect(d, QLatin1String(from), QLatin1String(to));
        ASSERT_TRUE(edit) << errorOf(edit).toStdString();
        EXPECT_EQ(edit->description, QLatin1String(description));
        ASSERT_TRUE(d.apply(*edit));
    };
    apply("h1.lan", "h1.mgmt", "Disconnect Mgmt from switch LAN");
    EXPECT_TRUE(propertyOf(d, "h1.mgmt", "switch").isUndefined());
    apply("h1.eth2", "h1.team", "Disconnect eth2 from team LAN");
    EXPECT_EQ(propertyOf(d, "h1.team", "members"), QJsonArray{"h1.eth1"});
    EXPECT_TRUE(propertyOf(d, "h1.team", "standbyMember").isUndefined()) << "the standby goes too";
    apply("h1.san", "h1.eth4", "Disconnect eth4 from switch vsSAN");
    EXPECT_TRUE(propertyOf(d, "h1.san", "uplink").isUndefined());
    EXPECT_EQ(propertyOf(d, "h1.san", "type"), QStringLiteral("External"));
    apply("tor1.p1", "h1.eth1", "Disconnect eth1 from port Te1/0/1 of tor1");
    EXPECT_EQ(d.count(ElementKind::Link), 0u);

    Design fresh = load();
    EXPECT_EQ(disconn(fresh, "h1.free", "h1.int"),
              QStringLiteral("Free is not connected to switch Int"));
    EXPECT_EQ(disconn(fresh, "h1.eth3", "h1.team"),
              QStringLiteral("eth3 is not connected to team LAN"));
    EXPECT_EQ(disconn(fresh, "h1.team", "h1.san"),
              QStringLiteral("team LAN is not connected to switch vsSAN"));
    EXPECT_EQ(disconn(fresh, "h1.eth3", "tor1.p2"),
              QStringLiteral("there is no cable between eth3 and port Te1/0/2 of tor1"));
    EXPECT_EQ(disconn(fresh, "h1", "v10"), QStringLiteral("cannot disconnect a host from a VLAN"));
    // Undoing each disconnect in turn restores the design.
    for (const auto &[from, to] : {std::pair{"h1.lan", "h1.mgmt"}, {"h1.eth2", "h1.team"}}) {
        auto edit = commands::disconnect(fresh, QLatin1String(from), QLatin1String(to));
        ASSERT_TRUE(edit && fresh.apply(*edit) && fresh.apply(edit->inverted()));
    }
    EXPECT_EQ(designdocument::save(fresh), original);
}
