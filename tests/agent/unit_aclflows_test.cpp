// ACL port lists as Open vSwitch flows (core/realize/portmasks.h, flows.cpp): masked matches per
// range, a conjunctive match when both lists need several, never their cross product; and the
// caps on list length and flows per bridge the host-state form enforces (issue 13 item 3).
#include "core/model/limits.h"
#include "core/model/schema.h"
#include "core/protocol/requests.h"
#include "core/realize/flows.h"
#include "core/realize/planlines.h"
#include "core/realize/portmasks.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

using namespace converge::core::realize;
using converge::core::maxAclPorts;
using converge::core::maxBridgeFlows;

namespace {

QStringList texts(const QList<int> &ports)
{
    QStringList out;
    for (const PortMask &m : portMasks(ports))
        out << maskText(m);
    return out;
}

// Every port the masks match, by brute force over 0-65535.
QSet<int> covered(const std::vector<PortMask> &masks)
{
    QSet<int> out;
    for (int port = 0; port <= 0xffff; ++port)
        for (const PortMask &m : masks)
            if ((port & m.mask) == m.value)
                out.insert(port);
    return out;
}

QList<int> range(int first, int last, int step = 1)
{
    QList<int> out;
    for (int p = first; p <= last; p += step)
        out << p;
    return out;
}

Acl tcpAcl(const QString &direction, const QString &action, QList<int> local, QList<int> remote)
{
    Acl a;
    a.direction = direction;
    a.action = action;
    a.protocol = QStringLiteral("tcp");
    a.localPorts = std::move(local);
    a.remotePorts = std::move(remote);
    return a;
}

Bridge bridgeWith(QList<Acl> acls)
{
    Bridge b;
    b.name = QStringLiteral("lab");
    Port p;
    p.name = QStringLiteral("vm1");
    p.mac = QStringLiteral("02:cf:00:00:00:01");
    p.acls = std::move(acls);
    b.ports.push_back(p);
    return b;
}

QStringList aclFlowsOf(const Bridge &b)
{
    QStringList out;
    for (const PurposedFlow &f : purposedFlows(b))
        if (f.purpose == FlowPurpose::Acl)
            out << f.flow;
    return out;
}

QString cookieOf(const QString &port, int index)
{
    return QStringLiteral("cookie=0x%1,").arg(aclCookie(port, index), 0, 16);
}

} // namespace

TEST(PortMasks, SinglePortsAndTheEdgesOfTheRange)
{
    EXPECT_EQ(texts({1}), QStringList{QStringLiteral("1")});
    EXPECT_EQ(texts({65535}), QStringList{QStringLiteral("65535")});
    EXPECT_EQ(texts({80, 443}), (QStringList{QStringLiteral("80"), QStringLiteral("443")}));
    // 1-65535: every block from 1 up to 0x8000/0x8000, sixteen in all, and never port 0.
    const std::vector<PortMask> all = portMasks(range(1, 65535));
    EXPECT_EQ(all.size(), 16u);
    EXPECT_EQ(maskText(all.front()), QStringLiteral("1"));
    EXPECT_EQ(maskText(all.back()), QStringLiteral("0x8000/0x8000"));
    const QSet<int> ports = covered(all);
    EXPECT_EQ(ports.size(), 65535);
    EXPECT_FALSE(ports.contains(0));
    EXPECT_EQ(texts({65534, 65535}), QStringList{QStringLiteral("0xfffe/0xfffe")});
}

TEST(PortMasks, AlignedRangesAreOneMaskAndAdjacentRangesMerge)
{
    EXPECT_EQ(texts(range(1024, 2047)), QStringList{QStringLiteral("0x400/0xfc00")});
    // 80-89 and 90-99 given apart and out of order are one range, 80-99: 80-95 and 96-99.
    EXPECT_EQ(texts(range(90, 99) + range(80, 89)),
              (QStringList{QStringLiteral("0x50/0xfff0"), QStringLiteral("0x60/0xfffc")}));
    // Duplicates change nothing.
    EXPECT_EQ(texts({81, 80, 80, 81}), QStringList{QStringLiteral("0x50/0xfffe")});
    EXPECT_TRUE(portMasks({}).empty());
}

TEST(PortMasks, MatchExactlyTheListedPorts)
{
    const QList<QList<int>> lists = {range(1, 1000, 3),
                                     range(1000, 2999) + QList<int>{5, 65535},
                                     range(30000, 30001) + range(30003, 40000),
                                     {1, 2, 3, 65535}};
    for (const QList<int> &list : lists) {
        const QSet<int> want(list.begin(), list.end());
        EXPECT_EQ(covered(portMasks(list)), want) << list.size() << " ports from " << list.first();
    }
    // A range of 2,000 ports is a handful of masks.
    EXPECT_LE(portMasks(range(10000, 11999)).size(), 12u);
}

TEST(AclFlows, TwoThousandByTwoThousandPortsIsAHandfulOfFlowsNotFourMillion)
{
    const QList<int> local = range(10000, 11999), remote = range(20000, 21999);
    const Bridge b =
        bridgeWith({tcpAcl(QStringLiteral("in"), QStringLiteral("allow"), local, remote)});
    const QStringList flows = aclFlowsOf(b);
    const qsizetype expected = qsizetype(portMasks(local).size() + portMasks(remote).size() + 1);
    EXPECT_EQ(flows.size(), expected) << flows.join(u'\n').toStdString();
    EXPECT_LE(flows.size(), 25);
    EXPECT_EQ(aclFlowCount(local, remote), expected);
    // The plan line says the same.
    EXPECT_TRUE(planlines::flowTable(b).contains(QStringLiteral("%1 ACL").arg(expected)))
        << planlines::flowTable(b).toStdString();

    // Scattered ports (every other one) cannot be masked together: one flow per port and side,
    // still their sum and not their product.
    const QList<int> evenLocal = range(10000, 13998, 2), evenRemote = range(20000, 23998, 2);
    const Bridge scattered =
        bridgeWith({tcpAcl(QStringLiteral("in"), QStringLiteral("allow"), evenLocal, evenRemote)});
    EXPECT_EQ(aclFlowsOf(scattered).size(), 2000 + 2000 + 1);
}

TEST(AclFlows, BothListsWithSeveralMatchesAreAConjunctiveMatch)
{
    const Bridge b = bridgeWith({tcpAcl(QStringLiteral("in"), QStringLiteral("deny"),
                                        range(1024, 2047) + QList<int>{22}, {80, 443})});
    const QStringList flows = aclFlowsOf(b);
    const QString at = QStringLiteral("table=3,priority=107,");
    EXPECT_EQ(
        flows,
        (QStringList{
            cookieOf(QStringLiteral("vm1"), 0) + at + QStringLiteral("conj_id=1,actions=drop"),
            at +
                QStringLiteral("tcp,dl_dst=02:cf:00:00:00:01,tp_dst=22,actions=conjunction(1,1/2)"),
            at + QStringLiteral(
                     "tcp,dl_dst=02:cf:00:00:00:01,tp_dst=0x400/0xfc00,actions=conjunction(1,1/2)"),
            at +
                QStringLiteral("tcp,dl_dst=02:cf:00:00:00:01,tp_src=80,actions=conjunction(1,2/2)"),
            at + QStringLiteral(
                     "tcp,dl_dst=02:cf:00:00:00:01,tp_src=443,actions=conjunction(1,2/2)"),
        }));
}

TEST(AclFlows, OneSingleMatchSideKeepsPlainFlowsWithTheCookie)
{
    // Outbound: the local port is the source. One local port, a range of remote ones: one flow
    // per remote mask, each with the action and the ACL's cookie.
    const Bridge b = bridgeWith(
        {tcpAcl(QStringLiteral("out"), QStringLiteral("meter"), {22}, range(1024, 3071))});
    const QString prefix = cookieOf(QStringLiteral("vm1"), 0) +
                           QStringLiteral("table=2,priority=206,tcp,in_port=\"vm1\",tp_src=22,");
    EXPECT_EQ(aclFlowsOf(b),
              (QStringList{prefix + QStringLiteral("tp_dst=0x400/0xfc00,actions=resubmit(,3)"),
                           prefix + QStringLiteral("tp_dst=0x800/0xfc00,actions=resubmit(,3)")}));
}

TEST(AclFlows, ConjunctionIdsAreUniqueInTheBridgeAndSharedClausesMerge)
{
    // Two equal ACLs on each of two ports: four conjunctions. A port's two have the same clauses
    // (one table, priority and match), which Open vSwitch would keep only once: they become one
    // flow carrying both conjunction actions.
    const Acl a = tcpAcl(QStringLiteral("in"), QStringLiteral("allow"), {80, 443}, {1000, 2000});
    Bridge b = bridgeWith({a, a});
    Port other = b.ports.front();
    other.name = QStringLiteral("vm2");
    other.mac = QStringLiteral("02:cf:00:00:00:02");
    b.ports.push_back(other);
    const QStringList flows = aclFlowsOf(b);
    QSet<QString> conjIds, matches;
    for (const QString &f : flows) {
        if (f.contains(QLatin1String("conj_id=")))
            conjIds.insert(f.section(QLatin1String("conj_id="), 1).section(QLatin1Char(','), 0, 0));
        matches.insert(
            f.section(QLatin1String(",actions="), 0, 0).section(QLatin1String("cookie="), -1));
    }
    EXPECT_EQ(conjIds, (QSet<QString>{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"),
                                      QStringLiteral("4")}));
    EXPECT_EQ(matches.size(), flows.size()) << "no two flows with one match";
    EXPECT_EQ(flows.size(), 4 + 4 + 4); // conj_id flows, vm1's merged clauses, vm2's
    EXPECT_TRUE(
        flows.contains(QStringLiteral("table=3,priority=106,tcp,dl_dst=02:cf:00:00:00:01,tp_dst=80,"
                                      "actions=conjunction(1,1/2),conjunction(2,1/2)")))
        << flows.join(u'\n').toStdString();
    // The recorded count is what the bridge will hold.
    EXPECT_EQ(bridgeFlows(b).size(), flows.size() + 5);
}

TEST(AclFlows, AFlowWithActionsReplacesAClauseWithItsMatch)
{
    // Weighted ACLs share a priority. At one priority a packet matching a plain flow never
    // reaches a conjunction, so a clause with the same match is left out, whichever comes first
    // (else Open vSwitch would keep one of the two, and the count would be off).
    Acl conj = tcpAcl(QStringLiteral("in"), QStringLiteral("allow"), {80, 443}, {1000, 2000});
    Acl plain = tcpAcl(QStringLiteral("in"), QStringLiteral("allow"), {80}, {});
    conj.weight = plain.weight = 5;
    const QString match =
        QStringLiteral("table=3,priority=2005,tcp,dl_dst=02:cf:00:00:00:01,tp_dst=80,actions=");
    for (const QList<Acl> &acls : {QList<Acl>{conj, plain}, QList<Acl>{plain, conj}}) {
        const QStringList flows = aclFlowsOf(bridgeWith(acls));
        const int plainIndex = acls.front() == plain ? 0 : 1;
        EXPECT_EQ(flows.filter(match), (QStringList{cookieOf(QStringLiteral("vm1"), plainIndex) +
                                                    match + QStringLiteral("resubmit(,4)")}))
            << flows.join(u'\n').toStdString();
        EXPECT_EQ(flows.size(), 1 + 4);
    }
}

namespace {

QJsonArray jsonPorts(const QList<int> &ports)
{
    QJsonArray out;
    for (int p : ports)
        out.append(p);
    return out;
}

QJsonObject aclPort(const QString &name, int mac, const QJsonArray &local,
                    const QJsonArray &remote = {})
{
    QJsonObject acl{{QStringLiteral("direction"), QStringLiteral("in")},
                    {QStringLiteral("action"), QStringLiteral("allow")},
                    {QStringLiteral("protocol"), QStringLiteral("tcp")},
                    {QStringLiteral("localPorts"), local}};
    if (!remote.isEmpty())
        acl.insert(QStringLiteral("remotePorts"), remote);
    return {{QStringLiteral("name"), name},
            {QStringLiteral("type"), QStringLiteral("system")},
            {QStringLiteral("policy"),
             QJsonObject{{QStringLiteral("mac"),
                          QStringLiteral("02:cf:00:00:00:%1").arg(mac, 2, 16, QLatin1Char('0'))},
                         {QStringLiteral("acls"), QJsonArray{acl}}}}};
}

QJsonObject hostWith(const QJsonArray &ports)
{
    return {{QStringLiteral("host"), QStringLiteral("lab1")},
            {QStringLiteral("bridges"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("lab")},
                                    {QStringLiteral("ports"), ports}}}}};
}

} // namespace

TEST(AclLimits, TheTwoThousandPortRequestIsAcceptedAndPlannedSmall)
{
    const auto s = HostState::fromJson(
        hostWith({aclPort(QStringLiteral("vm1"), 1, jsonPorts(range(10000, 11999)),
                          jsonPorts(range(20000, 21999)))}));
    ASSERT_TRUE(s) << s.error().message.toStdString();
    EXPECT_LE(bridgeFlows(s->bridges[0]).size(), 30);
}

TEST(AclLimits, APortListLongerThanTheCapIsRefusedWithItsPath)
{
    const QJsonArray atCap = jsonPorts(range(1, 2 * maxAclPorts - 1, 2));
    ASSERT_EQ(atCap.size(), maxAclPorts);
    EXPECT_TRUE(HostState::fromJson(hostWith({aclPort(QStringLiteral("vm1"), 1, atCap)})));
    const QJsonArray over = jsonPorts(range(1, 2 * maxAclPorts + 1, 2));
    for (const bool local : {true, false}) {
        const auto s = HostState::fromJson(
            hostWith({aclPort(QStringLiteral("vm1"), 1, local ? over : QJsonArray{80},
                              local ? QJsonArray{} : over)}));
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error().message,
                  QStringLiteral("bridges[0].ports[0].policy.acls[0].%1: 4097 entries, more than "
                                 "the 4096 allowed")
                      .arg(local ? QStringLiteral("localPorts") : QStringLiteral("remotePorts")));
    }
}

TEST(AclLimits, ThePlanRequestOverACapIsABadRequestNamingThePath)
{
    const QJsonArray over = jsonPorts(range(1, maxAclPorts + 1));
    const auto plan = converge::core::protocol::parseRequest(
        QStringLiteral("plan"),
        {{QStringLiteral("desired"), hostWith({aclPort(QStringLiteral("vm1"), 1, over)})}});
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().code, converge::core::Error::Code::InvalidInput);
    EXPECT_TRUE(plan.error().message.endsWith(
        QStringLiteral("bridges[0].ports[0].policy.acls[0].localPorts: 4097 entries, more than "
                       "the 4096 allowed")))
        << plan.error().message.toStdString();
}

TEST(AclLimits, ABridgeWhoseTableWouldPassTheCapIsRefused)
{
    // Every other port: no two can share a mask, so each ACL makes 4,096 flows. Twelve ports
    // (49,152 ACL flows and the rest) fit; thirteen do not.
    const QJsonArray scattered = jsonPorts(range(1, 2 * maxAclPorts - 1, 2));
    QJsonArray ports;
    for (int i = 0; i < 12; ++i)
        ports.append(aclPort(QStringLiteral("vm%1").arg(i), i + 1, scattered));
    const auto fits = HostState::fromJson(hostWith(ports));
    ASSERT_TRUE(fits) << fits.error().message.toStdString();
    EXPECT_LE(bridgeFlows(fits->bridges[0]).size(), maxBridgeFlows);
    EXPECT_GT(bridgeFlows(fits->bridges[0]).size(), 49152);

    ports.append(aclPort(QStringLiteral("big"), 13, jsonPorts(range(1, 8191, 2)),
                         jsonPorts(range(1, 8191, 2))));
    const auto over = HostState::fromJson(hostWith(ports));
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().message,
              QStringLiteral("bridges[0].ports[12].policy.acls: the flow table of bridge lab "
                             "would hold 57345 flows, more than the 50000 a bridge may hold "
                             "(these ACLs make 8193)"));
}

TEST(AclLimits, TheDesignSchemaCapsPortLists)
{
    const converge::core::PropertySpec *acls = converge::core::findProperty(
        converge::core::ElementKind::VirtualNic, QStringLiteral("acls"));
    ASSERT_TRUE(acls);
    const auto check = [&](const QString &key, const QJsonArray &ports) {
        const QJsonObject acl{{QStringLiteral("direction"), QStringLiteral("Inbound")},
                              {QStringLiteral("action"), QStringLiteral("Allow")},
                              {QStringLiteral("protocol"), QStringLiteral("TCP")},
                              {key, ports}};
        return converge::core::checkValue(*acls, QJsonArray{acl}).value_or(QString()).toStdString();
    };
    const QJsonArray atCap = jsonPorts(range(1, maxAclPorts));
    const QJsonArray over = jsonPorts(range(1, maxAclPorts + 1));
    for (const QString &key : {QStringLiteral("localPorts"), QStringLiteral("remotePorts")}) {
        EXPECT_EQ(check(key, atCap), "");
        EXPECT_EQ(check(key, over),
                  QStringLiteral("[0].%1: 4097 entries, more than the 4096 allowed")
                      .arg(key)
                      .toStdString());
    }
}
