// ACL port lists on the wire (root): an inbound ACL whose local and remote ports are both ranges
// is installed as masked matches joined by a conjunctive match (core/realize/flows.cpp) on a
// private Open vSwitch, and real TCP connections show it: a port inside the masked ranges gets
// through, one outside either range is dropped. The meter ACL's counters, read by its cookie,
// count the connection, and the table reads back as the one recorded (a second plan is empty).
#include "collectors/ovs/flowstats.h"
#include "collectors/ovs/ovsapplier.h"
#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/ovsreader.h"
#include "core/realize/flows.h"
#include "core/realize/planner.h"
#include "ovsenv.h"
#include "ovshosttest.h"

#include <gtest/gtest.h>

#include <QDeadlineTimer>
#include <QThread>

using namespace converge;
using namespace converge::testing;
using core::realize::Acl;
using core::realize::Bridge;
using core::realize::HostState;
using core::realize::Port;

namespace {

const QString kBridge = QStringLiteral("aclbr");
const QString kServerMac = QStringLiteral("02:ac:00:00:00:02");

QList<int> range(int first, int last)
{
    QList<int> out;
    for (int p = first; p <= last; ++p)
        out << p;
    return out;
}

// Inbound TCP to the server: local (its) ports 1024-2047 and 22, remote (the client's source)
// ports 40000-40999. ACTION "allow" or "meter".
Acl serverAcl(const QString &action)
{
    Acl a;
    a.direction = QStringLiteral("in");
    a.action = action;
    a.protocol = QStringLiteral("tcp");
    a.localPorts = range(1024, 2047) << 22;
    a.remotePorts = range(40000, 40999);
    return a;
}

HostState desiredState()
{
    Port client;
    client.name = QStringLiteral("aclc");
    client.vlanMode = QStringLiteral("access");
    client.tag = 10;
    Port server = client;
    server.name = QStringLiteral("acls");
    server.mac = kServerMac;
    Acl denyRest;
    denyRest.direction = QStringLiteral("in");
    denyRest.action = QStringLiteral("deny");
    denyRest.protocol = QStringLiteral("tcp");
    server.acls = {serverAcl(QStringLiteral("meter")), serverAcl(QStringLiteral("allow")),
                   denyRest};
    HostState s;
    s.host = QStringLiteral("acl1");
    Bridge b;
    b.name = kBridge;
    b.datapathType = QStringLiteral("netdev");
    b.ports = {client, server};
    s.bridges.push_back(b);
    s.normalize();
    return s;
}

// Listens on every port given in argv and accepts (and closes) connections, until killed.
const char *kListener = R"(
import select, socket, sys
socks = []
for port in sys.argv[1:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(port)))
    s.listen(16)
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        s.accept()[0].close()
)";

// Connects from source port argv[2] to argv[1]:argv[3] within a second: exit 0 if it did.
const char *kConnect = R"(
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[2])))
s.settimeout(1)
try:
    s.connect((sys.argv[1], int(sys.argv[3])))
except OSError:
    sys.exit(1)
)";

class OvsAclMasksRoot : public OvsHostTest
{
protected:
    Result<HostState> read()
    {
        collectors::ovs::OvsdbClient db;
        if (auto ok = db.connectToServer(ovs->env().dbSocket); !ok)
            return std::unexpected(ok.error());
        return collectors::ovs::readHostState(ovs->env(), db, QStringLiteral("acl1"));
    }

    bool connects(Vm &client, int sourcePort, int port)
    {
        auto r = client.exec({QStringLiteral("python3"), QStringLiteral("-c"),
                              QLatin1String(kConnect), QStringLiteral("10.9.0.2"),
                              QString::number(sourcePort), QString::number(port)});
        return r && r->exitCode == 0;
    }

    quint64 meterPackets()
    {
        auto flows = collectors::ovs::readFlowStats(ovs->env(), kBridge);
        EXPECT_TRUE(flows) << flows.error().message.toStdString();
        quint64 n = 0;
        for (const collectors::ovs::FlowStat &f :
             flows ? *flows : QList<collectors::ovs::FlowStat>{})
            if (f.cookie == core::realize::aclCookie(QStringLiteral("acls"), 0))
                n += f.packets;
        return n;
    }
};

} // namespace

TEST_F(OvsAclMasksRoot, MaskedRangesAndConjunctionsPassAllowedPortsAndDropOthers)
{
    Vm client(*ns, QStringLiteral("aclc"), QStringLiteral("02:ac:00:00:00:01"),
              QStringLiteral("10.9.0.1/24"));
    Vm server(*ns, QStringLiteral("acls"), kServerMac, QStringLiteral("10.9.0.2/24"));
    ASSERT_TRUE(client.isValid()) << client.error().toStdString();
    ASSERT_TRUE(server.isValid()) << server.error().toStdString();
    const HostState desired = desiredState();
    auto current = read();
    ASSERT_TRUE(current) << current.error().message.toStdString();
    const core::realize::Plan plan = core::realize::makePlan(desired, *current);
    auto applied = collectors::ovs::applyPlan(ovs->env(), plan);
    ASSERT_TRUE(applied) << applied.error().message.toStdString();

    // What the bridge holds: masks and conjunctions, not 1,025 x 1,000 flows; and it is the
    // table the agent recorded, so nothing is left to change.
    auto dump = ovs->ofctl({QStringLiteral("-O"), QStringLiteral("OpenFlow14"),
                            QStringLiteral("dump-flows"), kBridge});
    ASSERT_TRUE(dump);
    EXPECT_TRUE(dump->contains("tp_dst=0x400/0xfc00")) << dump->constData();
    EXPECT_TRUE(dump->contains("conjunction(")) << dump->constData();
    EXPECT_TRUE(dump->contains("conj_id=")) << dump->constData();
    auto count = collectors::ovs::readFlowCount(ovs->env(), kBridge);
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, core::realize::bridgeFlows(desired.bridges.front()).size());
    EXPECT_LT(*count, 60);
    auto after = read();
    ASSERT_TRUE(after);
    const core::realize::Plan again = core::realize::makePlan(desired, *after);
    EXPECT_TRUE(again.isEmpty()) << again.diffText().toStdString();

    auto listener = server.ns().spawn(
        {QStringLiteral("python3"), QStringLiteral("-c"), QLatin1String(kListener),
         QStringLiteral("1500"), QStringLiteral("22"), QStringLiteral("1024"),
         QStringLiteral("2047"), QStringLiteral("2048"), QStringLiteral("1023")});
    ASSERT_TRUE(listener) << listener.error().message.toStdString();
    // Allowed: a destination port inside the masked range (or the single one) from a source
    // port inside the remote range; retried while the listener starts.
    bool allowed = false;
    for (QDeadlineTimer until(10000); !allowed && !until.hasExpired();)
        if (!(allowed = connects(client, 40123, 1500)))
            QThread::msleep(200);
    EXPECT_TRUE(allowed);
    EXPECT_TRUE(connects(client, 40999, 22));
    EXPECT_TRUE(connects(client, 40000, 1024));
    EXPECT_TRUE(connects(client, 40500, 2047));
    // Dropped: just outside the local range on either side, or a source port outside the
    // remote range.
    EXPECT_FALSE(connects(client, 40124, 2048));
    EXPECT_FALSE(connects(client, 40125, 1023));
    EXPECT_FALSE(connects(client, 41000, 1500));
    EXPECT_FALSE(connects(client, 39999, 22));
    // The meter ACL (a conjunction too) counted the allowed connections on its conj_id flow.
    EXPECT_GT(meterPackets(), 0u);
}
