// Review findings on the planner and the desired-state validation: each test failed before its fix.
#include "core/realize/flows.h"
#include "core/realize/hoststate.h"
#include "core/realize/planner.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace converge;
using K = core::realize::Operation::Kind;

namespace {

QJsonObject parse(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

std::string error(const core::Result<core::realize::HostState> &r)
{
    return r ? std::string() : r.error().message.toStdString();
}

} // namespace

// "-V" is a valid Linux interface name, but `ovs-ofctl ... replace-flows -V -` prints the version
// and exits 0 (and `ip` would take it for an option too).
TEST(Review, InterfaceNamesStartingWithADashAreRefused)
{
    EXPECT_FALSE(core::realize::isValidInterfaceName(QStringLiteral("-V")));
    EXPECT_FALSE(core::realize::isValidInterfaceName(QStringLiteral("--help")));
    EXPECT_TRUE(core::realize::isValidInterfaceName(QStringLiteral("a-b")));
    auto r = core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"-V","ports":[]}]})"));
    ASSERT_FALSE(r);
    EXPECT_NE(error(r).find("bridges[0].name"), std::string::npos) << error(r);
    auto port = core::realize::HostState::fromJson(
        parse(R"({"bridges":[{"name":"br","ports":[{"name":"-O","type":"system"}]}]})"));
    EXPECT_FALSE(port);
}

// `in_port=2` is OpenFlow port number 2, whichever port that is, not the port named "2": the
// guards of a port named "2" landed on another port. Names must be quoted in matches.
TEST(Review, FlowsNamePortsNotPortNumbers)
{
    auto s = core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"br","ports":[
        {"name":"2","type":"system","policy":{"mac":"02:00:00:00:00:02","macSpoofing":false,
         "dhcpGuard":true}},
        {"name":"local","type":"system","policy":{"dhcpGuard":true}}]}]})"));
    ASSERT_TRUE(s) << error(s);
    const QStringList flows = core::realize::bridgeFlows(s->bridges[0]);
    for (const QString &f : flows) {
        EXPECT_FALSE(f.contains(QLatin1String("in_port=2,"))) << f.toStdString();
        EXPECT_FALSE(f.contains(QLatin1String("in_port=local,"))) << f.toStdString();
    }
    EXPECT_TRUE(flows.contains(QStringLiteral("table=0,priority=190,in_port=\"2\",actions=drop")))
        << flows.join(u'\n').toStdString();
}

// OVSDB and the kernel hold sets: a value listed twice was stored once, so the host never matched
// the desired state (a plan after every apply, or "apply-incomplete" and a rollback), and a
// duplicate address made `ip addr add` fail.
TEST(Review, DuplicateSetValuesAreStoredOnce)
{
    auto s = core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"br","ports":[
        {"name":"t1","type":"system","vlanMode":"trunk","trunks":[20,10,20]},
        {"name":"m1","type":"internal","addresses":["10.0.0.1/24","10.0.0.1/24"]},
        {"name":"o1","type":"system"}]}],
        "mirrors":[{"name":"m","bridge":"br","selectSrc":["t1","t1"],"selectDst":["t1","t1"],
                    "output":"o1"}]})"));
    ASSERT_TRUE(s) << error(s);
    const core::realize::Bridge &b = s->bridges[0];
    EXPECT_EQ(b.port(QStringLiteral("t1"))->trunks, (QList<int>{10, 20}));
    EXPECT_EQ(b.port(QStringLiteral("m1"))->addresses, QStringList{QStringLiteral("10.0.0.1/24")});
    EXPECT_EQ(s->mirrors[0].selectSrc, QStringList{QStringLiteral("t1")});
    EXPECT_EQ(s->mirrors[0].selectDst, QStringList{QStringLiteral("t1")});
    const core::realize::Plan p = core::realize::makePlan(*s, {});
    int adds = 0;
    for (const core::realize::Operation &op : p.ops)
        for (const QStringList &c : op.ip)
            adds += c.value(1) == QLatin1String("add") ? 1 : 0;
    EXPECT_EQ(adds, 1);
}

// Open vSwitch keeps one flow per table, priority and match. Two equal ACLs (or two ports with
// one MAC) gave two such flows: the bridge then held fewer flows than its recorded count, its
// digest was never recognized and every plan replaced the flow table again.
TEST(Review, FlowTableHasOneFlowPerMatch)
{
    auto s = core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"br","ports":[
        {"name":"a","type":"system","policy":{"mac":"02:00:00:00:00:01","acls":[
          {"direction":"out","action":"deny","protocol":"tcp","remotePorts":[22]},
          {"direction":"out","action":"deny","protocol":"tcp","remotePorts":[22]},
          {"direction":"out","action":"allow","remotePrefix":"0.0.0.0/0"},
          {"direction":"out","action":"allow","localPrefix":"0.0.0.0/0"}]}}]}]})"));
    ASSERT_TRUE(s) << error(s);
    const QStringList flows = core::realize::bridgeFlows(s->bridges[0]);
    QSet<QString> keys;
    for (const QString &f : flows) {
        QString key = f.startsWith(QLatin1String("cookie=")) ? f.section(u',', 1) : f;
        key.truncate(key.lastIndexOf(QLatin1String(",actions=")));
        // Open vSwitch drops a /0 prefix from a match: it is the same match as none.
        key.remove(QStringLiteral(",nw_src=0.0.0.0/0")).remove(QStringLiteral(",nw_dst=0.0.0.0/0"));
        EXPECT_FALSE(keys.contains(key)) << "twice: " << key.toStdString();
        keys.insert(key);
    }
}

// Without tcp or udp, ovs-ofctl silently drops tp_src/tp_dst from a match: "deny TCP port 22"
// without a protocol became "deny everything" from that port.
TEST(Review, AclPortsNeedTcpOrUdp)
{
    for (const char *protocol : {"", R"("protocol":"icmp",)"}) {
        const QByteArray text =
            QByteArray(R"({"bridges":[{"name":"br","ports":[{"name":"a","type":"system",
            "policy":{"acls":[{"direction":"out","action":"deny",)") +
            protocol + R"("localPorts":[22]}]}}]}]})";
        auto r = core::realize::HostState::fromJson(QJsonDocument::fromJson(text).object());
        ASSERT_FALSE(r) << text.toStdString();
        EXPECT_NE(error(r).find("localPorts"), std::string::npos) << error(r);
    }
    auto ok =
        core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"br","ports":[{"name":"a",
        "type":"system","policy":{"acls":[{"direction":"out","action":"deny","protocol":"udp",
        "remotePorts":[53]}]}}]}]})"));
    EXPECT_TRUE(ok) << error(ok);
}

// A bond's rate and policy were accepted but never realized (flows cannot match a bond by name,
// policing is per interface): every such apply failed its check and rolled back.
TEST(Review, BondsCarryNoRateOrPolicy)
{
    auto rate = core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"br","ports":[
        {"name":"bond0","type":"bond","members":["e1","e2"],"bondMode":"balance-slb",
         "maxRateKbps":1000}]}]})"));
    ASSERT_FALSE(rate);
    EXPECT_NE(error(rate).find("maxRateKbps"), std::string::npos) << error(rate);
    auto policy = core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"br","ports":[
        {"name":"bond0","type":"bond","members":["e1","e2"],"bondMode":"balance-slb",
         "policy":{"dhcpGuard":true}}]}]})"));
    ASSERT_FALSE(policy);
    EXPECT_NE(error(policy).find("policy"), std::string::npos) << error(policy);
}

// Re-creating a port makes a new Port row; a mirror keeps only weak references to ports, so it
// lost its output or sources and the apply failed its check. The mirror must be re-created too.
TEST(Review, MirrorFollowsARecreatedPort)
{
    auto current = core::realize::HostState::fromJson(parse(R"({"bridges":[{"name":"br","ports":[
        {"name":"a","type":"system"},{"name":"mon","type":"system"}]}],
        "mirrors":[{"name":"m","bridge":"br","selectSrc":["a"],"selectDst":["a"],
                    "output":"mon"}]})"));
    ASSERT_TRUE(current) << error(current);
    core::realize::HostState desired = *current;
    desired.bridges[0].ports[1].type = core::realize::Port::Type::Internal; // "mon" is re-created
    const core::realize::Plan p =
        core::realize::makePlan(desired, core::realize::afterApply(*current));
    bool recreated = false, mirrored = false;
    for (const core::realize::Operation &op : p.ops) {
        recreated = recreated || (op.kind == K::RecreatePort && op.target == u"mon");
        mirrored =
            mirrored || ((op.kind == K::SetMirror || op.kind == K::AddMirror) && op.target == u"m");
    }
    EXPECT_TRUE(recreated) << p.diffText().toStdString();
    EXPECT_TRUE(mirrored) << p.diffText().toStdString();
}
