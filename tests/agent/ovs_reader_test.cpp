// The OVS backend's reading side: the argv runner, the OVSDB JSON-RPC client and the HostState
// reader. The unit tests run everywhere; the root tests start a private ovsdb-server and
// ovs-vswitchd (userspace datapath) in a network namespace and skip when not root.

#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/ovsreader.h"
#include "collectors/ovs/process.h"
#include "tests/agent/ovshosttest.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

namespace converge::collectors::ovs {
namespace {

using testing::haveRootAndOvs;
using testing::NetNs;
using testing::NetnsScope;
using testing::OvsInstance;
using testing::Vm;

std::string str(const QString &s)
{
    return s.toStdString();
}

std::string json(const core::realize::HostState &state)
{
    return QJsonDocument(state.toJson()).toJson(QJsonDocument::Indented).toStdString();
}

// A string value as ovs-vsctl parses it: JSON-quoted (keeps ':', '{', '"' and ',' literal).
QString quoted(const QString &text)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact).chopped(1).mid(1));
}

// ---- unit tests ----

TEST(OvsProcess, RunsArgvWithoutAShell)
{
    auto r =
        runArgv(QStringLiteral("/bin/echo"), {QStringLiteral("a b"), QStringLiteral("$HOME;")});
    ASSERT_TRUE(r.has_value()) << str(r.error().message);
    EXPECT_EQ(r->exitCode, 0);
    EXPECT_EQ(r->out.toStdString(), "a b $HOME;\n");

    auto cat = runChecked(QStringLiteral("/bin/cat"), {}, QByteArray("from stdin"));
    ASSERT_TRUE(cat.has_value()) << str(cat.error().message);
    EXPECT_EQ(cat->toStdString(), "from stdin");
}

TEST(OvsProcess, ReportsFailures)
{
    auto missing = runArgv(QStringLiteral("/nonexistent/tool"), {QStringLiteral("x")});
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(str(missing.error().message).find("/nonexistent/tool x: cannot start"),
              std::string::npos)
        << str(missing.error().message);

    auto exit3 = runChecked(QStringLiteral("/bin/sh"),
                            {QStringLiteral("-c"), QStringLiteral("echo oops >&2; exit 3")});
    ASSERT_FALSE(exit3.has_value());
    EXPECT_NE(str(exit3.error().message).find("exit code 3: oops"), std::string::npos)
        << str(exit3.error().message);

    auto slow = runArgv(QStringLiteral("/bin/sleep"), {QStringLiteral("10")}, {}, 200);
    ASSERT_FALSE(slow.has_value());
    EXPECT_NE(str(slow.error().message).find("timed out after 200 ms"), std::string::npos)
        << str(slow.error().message);

    auto crash =
        runArgv(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("kill -SEGV $$")});
    ASSERT_FALSE(crash.has_value());
    EXPECT_NE(str(crash.error().message).find("crashed"), std::string::npos)
        << str(crash.error().message);
}

TEST(OvsProcess, EnvArguments)
{
    const OvsEnv env{QStringLiteral("/tmp/x/db.sock"), QStringLiteral("/tmp/x")};
    EXPECT_EQ(vsctlArgs(env), QStringList{QStringLiteral("--db=unix:/tmp/x/db.sock")});
    EXPECT_EQ(str(processEnv(env).value(QStringLiteral("OVS_RUNDIR"))), "/tmp/x");
    EXPECT_TRUE(vsctlArgs(OvsEnv{}).isEmpty());
}

TEST(JsonStreamSplitter, SplitsAndJoinsMessages)
{
    const QByteArray stream =
        R"({"id":1,"result":["a}",{"b":"\"}{["}]}  [1,[2]]
{"method":"echo","params":[],"id":"echo"}{"s":"\\"})";
    const std::vector<std::string> expected{R"({"id":1,"result":["a}",{"b":"\"}{["}]})", "[1,[2]]",
                                            R"({"method":"echo","params":[],"id":"echo"})",
                                            R"({"s":"\\"})"};
    // All at once, and one byte at a time.
    for (int chunk : {int(stream.size()), 1, 7}) {
        JsonStreamSplitter splitter;
        std::vector<std::string> got;
        for (qsizetype at = 0; at < stream.size(); at += chunk) {
            splitter.append(stream.mid(at, chunk));
            for (;;) {
                auto next = splitter.next();
                ASSERT_TRUE(next.has_value()) << str(next.error().message);
                if (!next->has_value())
                    break;
                got.push_back((*next)->toStdString());
            }
        }
        EXPECT_EQ(got, expected) << "chunk " << chunk;
        EXPECT_EQ(splitter.pendingBytes(), 0);
    }
}

TEST(JsonStreamSplitter, RejectsGarbage)
{
    JsonStreamSplitter splitter;
    splitter.append("  nonsense{}");
    auto next = splitter.next();
    ASSERT_FALSE(next.has_value());
    EXPECT_NE(str(next.error().message).find("nonsense"), std::string::npos);
}

TEST(FlowStats, ParsesDumpFlows)
{
    const QByteArray out =
        "OFPST_FLOW reply (OF1.4) (xid=0x2):\n"
        " cookie=0x0, duration=9.944s, table=0, n_packets=24, n_bytes=1928, priority=0 "
        "actions=NORMAL\n"
        " cookie=0xc0de0001, duration=1.5s, table=1, n_packets=0, n_bytes=0, idle_age=1, "
        "priority=100,ip,in_port=2,nw_src=10.0.0.0/24 actions=drop\n"
        " cookie=0x2, duration=1.5s, table=0, n_packets=3, n_bytes=180, send_flow_rem "
        "dl_type=0x0806 actions=output:1,output:2\n";
    auto flows = parseFlowStats(out, QStringLiteral("test"));
    ASSERT_TRUE(flows.has_value()) << str(flows.error().message);
    ASSERT_EQ(flows->size(), 3);
    const FlowStat &a = flows->at(0);
    EXPECT_EQ(a.cookie, 0u);
    EXPECT_EQ(a.priority, 0);
    EXPECT_EQ(a.packets, 24u);
    EXPECT_EQ(a.bytes, 1928u);
    EXPECT_EQ(str(a.match), "");
    EXPECT_EQ(str(a.actions), "NORMAL");
    EXPECT_EQ(str(a.text()), "priority=0 actions=NORMAL");
    const FlowStat &b = flows->at(1);
    EXPECT_EQ(b.cookie, 0xc0de0001u);
    EXPECT_EQ(b.table, 1);
    EXPECT_EQ(b.priority, 100);
    EXPECT_EQ(str(b.match), "ip,in_port=2,nw_src=10.0.0.0/24");
    EXPECT_EQ(str(b.actions), "drop");
    EXPECT_EQ(str(b.text()), "table=1,priority=100,ip,in_port=2,nw_src=10.0.0.0/24 actions=drop");
    const FlowStat &c = flows->at(2);
    EXPECT_EQ(c.priority, 32768);
    EXPECT_EQ(str(c.match), "dl_type=0x0806");
    EXPECT_EQ(str(c.actions), "output:1,output:2");

    auto bad = parseFlowStats(" cookie=0xzz, table=0 actions=drop\n", QStringLiteral("br0"));
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(str(bad.error().message).find("br0: line 1: cannot parse cookie"), std::string::npos)
        << str(bad.error().message);
}

// ---- root tests ----

class OvsRootTest : public converge::testing::OvsHostTest
{
protected:
    void vsctl(const QStringList &args)
    {
        auto r = ovs->vsctl(args);
        ASSERT_TRUE(r.has_value()) << str(r.error().message);
    }
    void ipIn(const QStringList &args)
    {
        auto r = runChecked(findTool(QStringLiteral("ip")),
                            QStringList{QStringLiteral("-n"), ns->name()} + args);
        ASSERT_TRUE(r.has_value()) << str(r.error().message);
    }
    // A veth pair NAME / NAMEp in the host namespace, both up.
    void addVeth(const QString &name)
    {
        ipIn({QStringLiteral("link"), QStringLiteral("add"), name, QStringLiteral("type"),
              QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), name + u'p'});
        ipIn({QStringLiteral("link"), QStringLiteral("set"), name, QStringLiteral("up")});
        ipIn({QStringLiteral("link"), QStringLiteral("set"), name + u'p', QStringLiteral("up")});
    }
    Result<core::realize::HostState> read(const QString &host = QStringLiteral("hv1"))
    {
        OvsdbClient client;
        if (auto ok = client.connectToServer(ovs->env().dbSocket); !ok)
            return std::unexpected(ok.error());
        NetnsScope scope(ns->name()); // internal ports' addresses live in the host namespace
        if (!scope.isValid())
            return core::invalid(scope.error());
        return readHostState(ovs->env(), client, host);
    }
};

TEST_F(OvsRootTest, ReadsManagedBridgeState)
{
    for (const char *name :
         {"bnda", "bndb", "bndc", "bndd", "acc1", "trk1", "nat1", "iso1", "com1"})
        ASSERT_NO_FATAL_FAILURE(addVeth(QLatin1String(name)));
    const QString policy = QStringLiteral(R"({"mac":"02:00:00:00:00:01","dhcpGuard":true})");
    // datapath_type in the same transaction as add-br: a "system" bridge would fail first.
    ASSERT_NO_FATAL_FAILURE(vsctl({
        // clang-format off
        "add-br", "cvbr0", "--", "set", "bridge", "cvbr0", "datapath_type=netdev",
            "external_ids:converge-managed=true", "external_ids:converge-id=sw-1",
            "external_ids:converge-flows=abc123", "external_ids:converge-flow-count=1",
        "--", "add-bond", "cvbr0", "bond0", "bnda", "bndb", "bond_mode=active-backup",
            "other_config:bond-primary=bnda", "external_ids:converge-id=team-1",
        "--", "add-bond", "cvbr0", "bond1", "bndc", "bndd", "bond_mode=balance-slb", "lacp=active",
        "--", "add-port", "cvbr0", "acc1", "vlan_mode=access", "tag=10",
            "external_ids:converge-id=nic-1", "external_ids:converge-policy=" + quoted(policy),
        "--", "add-port", "cvbr0", "trk1", "vlan_mode=trunk", "trunks=30,10,20",
        "--", "add-port", "cvbr0", "nat1", "vlan_mode=native-untagged", "tag=5", "trunks=5",
        "--", "add-port", "cvbr0", "iso1", "protected=true", "vlan_mode=access", "tag=20",
        "--", "set", "interface", "iso1", "ingress_policing_rate=10000", "mtu_request=1400",
        "--", "add-port", "cvbr0", "com1", "vlan_mode=access", "tag=20",
            "external_ids:converge-policy=" + quoted(QStringLiteral(R"({"community":101})")),
        "--", "add-port", "cvbr0", "mgmt0", "external_ids:converge-id=vnic-1",
        "--", "set", "interface", "mgmt0", "type=internal",
        "--", "add-br", "plainbr", "--", "set", "bridge", "plainbr", "datapath_type=netdev",
        // clang-format on
    }));
    ASSERT_NO_FATAL_FAILURE(vsctl({
        // clang-format off
        "--", "--id=@acc", "get", "port", "acc1", "--", "--id=@trk", "get", "port", "trk1",
        "--", "--id=@iso", "get", "port", "iso1",
        "--", "--id=@m", "create", "mirror", "name=mir1", "select_src_port=@acc",
            "select_dst_port=@acc,@trk", "output_port=@iso", "external_ids:converge-id=mirror-1",
        "--", "add", "bridge", "cvbr0", "mirrors", "@m",
        // clang-format on
    }));
    // ovs-vsctl waited for ovs-vswitchd, so the internal port's tap device exists now.
    for (const char *a : {"10.77.0.5/24", "fd00:77::5/64", "10.77.0.4/24"})
        ASSERT_NO_FATAL_FAILURE(
            ipIn({QStringLiteral("addr"), QStringLiteral("add"), QLatin1String(a),
                  QStringLiteral("dev"), QStringLiteral("mgmt0")}));
    ASSERT_NO_FATAL_FAILURE(ipIn({QStringLiteral("link"), QStringLiteral("set"),
                                  QStringLiteral("mgmt0"), QStringLiteral("up")}));

    core::realize::HostState expected;
    expected.host = QStringLiteral("hv1");
    expected.unmanagedBridges = {QStringLiteral("plainbr")};
    core::realize::Bridge br;
    br.name = QStringLiteral("cvbr0");
    br.elementId = QStringLiteral("sw-1");
    br.datapathType = QStringLiteral("netdev");
    br.flowsDigest = QStringLiteral("abc123");
    core::realize::Port acc1;
    acc1.name = QStringLiteral("acc1");
    acc1.elementId = QStringLiteral("nic-1");
    acc1.vlanMode = QStringLiteral("access");
    acc1.tag = 10;
    acc1.mac = QStringLiteral("02:00:00:00:00:01");
    acc1.dhcpGuard = true;
    core::realize::Port bond0;
    bond0.name = QStringLiteral("bond0");
    bond0.type = core::realize::Port::Type::Bond;
    bond0.elementId = QStringLiteral("team-1");
    bond0.members = {QStringLiteral("bnda"), QStringLiteral("bndb")};
    bond0.bondMode = QStringLiteral("active-backup");
    bond0.bondPrimary = QStringLiteral("bnda");
    core::realize::Port bond1;
    bond1.name = QStringLiteral("bond1");
    bond1.type = core::realize::Port::Type::Bond;
    bond1.members = {QStringLiteral("bndc"), QStringLiteral("bndd")};
    bond1.bondMode = QStringLiteral("balance-slb");
    bond1.lacp = true;
    core::realize::Port com1;
    com1.name = QStringLiteral("com1");
    com1.vlanMode = QStringLiteral("access");
    com1.tag = 20;
    com1.community = 101;
    core::realize::Port iso1;
    iso1.name = QStringLiteral("iso1");
    iso1.vlanMode = QStringLiteral("access");
    iso1.tag = 20;
    iso1.isolated = true;
    iso1.maxRateKbps = 10000;
    iso1.mtu = 1400;
    core::realize::Port mgmt0;
    mgmt0.name = QStringLiteral("mgmt0");
    mgmt0.type = core::realize::Port::Type::Internal;
    mgmt0.elementId = QStringLiteral("vnic-1");
    mgmt0.addresses = {QStringLiteral("10.77.0.4/24"), QStringLiteral("10.77.0.5/24"),
                       QStringLiteral("fd00:77::5/64")};
    core::realize::Port nat1;
    nat1.name = QStringLiteral("nat1");
    nat1.vlanMode = QStringLiteral("native-untagged");
    nat1.tag = 5;
    nat1.trunks = {5};
    core::realize::Port trk1;
    trk1.name = QStringLiteral("trk1");
    trk1.vlanMode = QStringLiteral("trunk");
    trk1.trunks = {10, 20, 30};
    br.ports = {acc1, bond0, bond1, com1, iso1, mgmt0, nat1, trk1};
    expected.bridges.push_back(br);
    core::realize::Mirror mir;
    mir.name = QStringLiteral("mir1");
    mir.bridge = QStringLiteral("cvbr0");
    mir.elementId = QStringLiteral("mirror-1");
    mir.selectSrc = {QStringLiteral("acc1")};
    mir.selectDst = {QStringLiteral("acc1"), QStringLiteral("trk1")};
    mir.output = QStringLiteral("iso1");
    expected.mirrors.push_back(mir);

    auto state = read();
    ASSERT_TRUE(state.has_value()) << str(state.error().message);
    EXPECT_EQ(json(*state), json(expected));
    EXPECT_TRUE(*state == expected);

    // One more flow than the agent recorded: the digest no longer describes the table.
    auto added =
        ovs->ofctl({QStringLiteral("-O"), QStringLiteral("OpenFlow14"), QStringLiteral("add-flow"),
                    QStringLiteral("cvbr0"),
                    QStringLiteral("cookie=0x7,priority=10,ip,nw_dst=10.9.9.9,actions=drop")});
    ASSERT_TRUE(added.has_value()) << str(added.error().message);
    auto changed = read();
    ASSERT_TRUE(changed.has_value()) << str(changed.error().message);
    expected.bridges.front().flowsDigest.clear();
    EXPECT_EQ(json(*changed), json(expected));

    auto flows = readFlowStats(ovs->env(), QStringLiteral("cvbr0"));
    ASSERT_TRUE(flows.has_value()) << str(flows.error().message);
    ASSERT_EQ(flows->size(), 2);
    const auto drop = std::ranges::find(*flows, 0x7u, &FlowStat::cookie);
    ASSERT_NE(drop, flows->end());
    EXPECT_EQ(drop->priority, 10);
    EXPECT_EQ(str(drop->match), "ip,nw_dst=10.9.9.9");
    EXPECT_EQ(str(drop->actions), "drop");
    auto count = readFlowCount(ovs->env(), QStringLiteral("cvbr0"));
    ASSERT_TRUE(count.has_value()) << str(count.error().message);
    EXPECT_EQ(*count, 2);
}

// Bridges ovs-vswitchd could not create (datapath=system without the kernel module, as on this
// test machine): the read succeeds and says which, so that plans can remove or re-create them.
TEST_F(OvsRootTest, ReadsBridgesOvsVswitchdCouldNotCreate)
{
    ASSERT_NO_FATAL_FAILURE(vsctl({
        // clang-format off
        "add-br", "good", "--", "set", "bridge", "good", "datapath_type=netdev",
            "external_ids:converge-managed=true",
        "--", "add-br", "halfmade", "--", "set", "bridge", "halfmade", "datapath_type=system",
            "external_ids:converge-managed=true", "external_ids:converge-flows=abc123",
            "external_ids:converge-flow-count=1",
        "--", "add-br", "foreign", "--", "set", "bridge", "foreign", "datapath_type=system",
        // clang-format on
    }));
    if (ovs->ofctl({QStringLiteral("dump-aggregate"), QStringLiteral("halfmade")}))
        GTEST_SKIP() << "this kernel has the Open vSwitch datapath: the bridge was created";
    OvsdbClient client;
    ASSERT_TRUE(client.connectToServer(ovs->env().dbSocket));
    auto reading = readHost(ovs->env(), client, QStringLiteral("hv1"));
    ASSERT_TRUE(reading) << str(reading.error().message);
    EXPECT_TRUE(reading->datapathTypes.contains(QStringLiteral("netdev")))
        << str(reading->datapathTypes.join(u','));
    EXPECT_EQ(reading->state.unmanagedBridges, QStringList{QStringLiteral("foreign")});
    ASSERT_EQ(reading->state.bridges.size(), 2u);
    const core::realize::Bridge *halfmade = reading->state.bridge(QStringLiteral("halfmade"));
    ASSERT_NE(halfmade, nullptr);
    EXPECT_EQ(halfmade->datapathType, QStringLiteral("system"));
    EXPECT_TRUE(halfmade->flowsDigest.isEmpty()) << "its flow table is unknown";
    ASSERT_EQ(reading->unrealized.size(), 2u);
    EXPECT_EQ(reading->unrealized[0].name, QStringLiteral("foreign"));
    EXPECT_FALSE(reading->unrealized[0].managed);
    EXPECT_EQ(reading->unrealized[1].name, QStringLiteral("halfmade"));
    EXPECT_TRUE(reading->unrealized[1].managed);
    EXPECT_EQ(reading->unrealized[1].datapathType, QStringLiteral("system"));
    EXPECT_TRUE(reading->unrealized[1].reason.contains(QStringLiteral("halfmade.mgmt")))
        << str(reading->unrealized[1].reason);
    EXPECT_EQ(reading->unrealizedManaged(), QStringList{QStringLiteral("halfmade")});

    // ovs-vswitchd no longer serving a bridge it had (killed -9: its socket is left behind) is
    // told by ovs-ofctl, and read the same way.
    ASSERT_NO_FATAL_FAILURE(vsctl({QStringLiteral("del-br"), QStringLiteral("halfmade")}));
    ASSERT_NO_FATAL_FAILURE(vsctl({
        // clang-format off
        "set", "bridge", "good", "external_ids:converge-flows=abc123",
            "external_ids:converge-flow-count=1",
        // clang-format on
    }));
    OvsEnv elsewhere = ovs->env();
    QTemporaryDir fakeRun;
    elsewhere.runDir = fakeRun.path();
    QFile stale(fakeRun.filePath(QStringLiteral("good.mgmt")));
    ASSERT_TRUE(stale.open(QIODevice::WriteOnly));
    stale.close();
    reading = readHost(elsewhere, client, QStringLiteral("hv1"));
    ASSERT_TRUE(reading) << str(reading.error().message);
    EXPECT_EQ(reading->unrealizedManaged(), QStringList{QStringLiteral("good")});
    ASSERT_FALSE(reading->unrealized.empty());
    EXPECT_TRUE(reading->unrealized.back().reason.contains(QStringLiteral("ovs-ofctl")))
        << str(reading->unrealized.back().reason);
}

TEST_F(OvsRootTest, BadPolicyNamesThePort)
{
    ASSERT_NO_FATAL_FAILURE(vsctl({
        // clang-format off
        "add-br", "cvbr1", "--", "set", "bridge", "cvbr1", "datapath_type=netdev",
            "external_ids:converge-managed=true",
        "--", "add-port", "cvbr1", "goodp", "--", "set", "interface", "goodp", "type=internal",
        "--", "add-port", "cvbr1", "badp", "--", "set", "interface", "badp", "type=internal",
        "--", "set", "port", "badp", "external_ids:converge-policy=" + quoted(QStringLiteral("{oops")),
        // clang-format on
    }));
    auto state = read();
    ASSERT_FALSE(state.has_value());
    const std::string message = str(state.error().message);
    EXPECT_NE(message.find("port badp"), std::string::npos) << message;
    EXPECT_NE(message.find("converge-policy"), std::string::npos) << message;
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;

    // Valid JSON, invalid content: setPolicyJson's error, still naming the port.
    ASSERT_NO_FATAL_FAILURE(
        vsctl({QStringLiteral("set"), QStringLiteral("port"), QStringLiteral("badp"),
               QStringLiteral("external_ids:converge-policy=") +
                   quoted(QStringLiteral(R"({"community":5000})"))}));
    auto invalid = read();
    ASSERT_FALSE(invalid.has_value());
    const std::string message2 = str(invalid.error().message);
    EXPECT_NE(message2.find("port badp"), std::string::npos) << message2;
    EXPECT_NE(message2.find("community"), std::string::npos) << message2;

    // Fixed: reads again, and the unmanaged-bridge list is empty.
    ASSERT_NO_FATAL_FAILURE(
        vsctl({QStringLiteral("remove"), QStringLiteral("port"), QStringLiteral("badp"),
               QStringLiteral("external_ids"), QStringLiteral("converge-policy")}));
    auto fixed = read();
    ASSERT_TRUE(fixed.has_value()) << str(fixed.error().message);
    ASSERT_EQ(fixed->bridges.size(), 1u);
    EXPECT_EQ(fixed->bridges.front().ports.size(), 2u);
    EXPECT_EQ(str(fixed->bridges.front().datapathType), "netdev");
    EXPECT_TRUE(fixed->unmanagedBridges.isEmpty());
}

TEST_F(OvsRootTest, LargeReplySplitOverReads)
{
    // ~400 ports with long external_ids: a select reply of several hundred KB, which arrives
    // in many reads. --no-wait: the interfaces do not exist, ovs-vswitchd need not catch up.
    QStringList args{QStringLiteral("--no-wait"),
                     QStringLiteral("add-br"),
                     QStringLiteral("big"),
                     QStringLiteral("--"),
                     QStringLiteral("set"),
                     QStringLiteral("bridge"),
                     QStringLiteral("big"),
                     QStringLiteral("datapath_type=netdev"),
                     QStringLiteral("external_ids:converge-managed=true")};
    const QString padding(600, u'x');
    const int count = 400;
    for (int i = 0; i < count; ++i) {
        const QString name = QStringLiteral("p%1").arg(i, 3, 10, QLatin1Char('0'));
        args << QStringLiteral("--") << QStringLiteral("add-port") << QStringLiteral("big") << name
             << QStringLiteral("external_ids:converge-id=%1-%2").arg(name, padding);
    }
    ASSERT_NO_FATAL_FAILURE(vsctl(args));

    OvsdbClient client;
    ASSERT_TRUE(client.connectToServer(ovs->env().dbSocket).has_value());
    auto rows =
        client.transact(QStringLiteral("Open_vSwitch"),
                        QJsonArray{QJsonObject{{QStringLiteral("op"), QStringLiteral("select")},
                                               {QStringLiteral("table"), QStringLiteral("Port")},
                                               {QStringLiteral("where"), QJsonArray()}}});
    ASSERT_TRUE(rows.has_value()) << str(rows.error().message);
    EXPECT_EQ(rows->at(0).toObject().value(QStringLiteral("rows")).toArray().size(), count + 1);

    // The same connection keeps working (ids stay matched) for the reader.
    auto state = readHostState(ovs->env(), client, QStringLiteral("hv1"));
    ASSERT_TRUE(state.has_value()) << str(state.error().message);
    ASSERT_EQ(state->bridges.size(), 1u);
    ASSERT_EQ(state->bridges.front().ports.size(), std::size_t(count));
    EXPECT_EQ(str(state->bridges.front().ports[123].elementId),
              str(QStringLiteral("p123-") + padding));

    // A failing operation is reported with its index and the server's error.
    auto bad = client.transact(
        QStringLiteral("Open_vSwitch"),
        QJsonArray{QJsonObject{{QStringLiteral("op"), QStringLiteral("comment")},
                               {QStringLiteral("comment"), QStringLiteral("test")}},
                   QJsonObject{{QStringLiteral("op"), QStringLiteral("select")},
                               {QStringLiteral("table"), QStringLiteral("NoSuchTable")},
                               {QStringLiteral("where"), QJsonArray()}}});
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(str(bad.error().message).find("operation 1 (select NoSuchTable) failed"),
              std::string::npos)
        << str(bad.error().message);
    auto schema = client.getSchema(QStringLiteral("Open_vSwitch"));
    ASSERT_TRUE(schema.has_value()) << str(schema.error().message);
    EXPECT_EQ(str(schema->value(QStringLiteral("name")).toString()), "Open_vSwitch");
}

TEST_F(OvsRootTest, VmsPingThroughANetdevBridge)
{
    ASSERT_NO_FATAL_FAILURE(
        vsctl({QStringLiteral("add-br"), QStringLiteral("br0"), QStringLiteral("--"),
               QStringLiteral("set"), QStringLiteral("bridge"), QStringLiteral("br0"),
               QStringLiteral("datapath_type=netdev")}));
    Vm a(*ns, QStringLiteral("vma"), QStringLiteral("02:00:00:00:00:0a"),
         QStringLiteral("10.66.0.1/24"));
    ASSERT_TRUE(a.isValid()) << str(a.error());
    Vm b(*ns, QStringLiteral("vmb"), QStringLiteral("02:00:00:00:00:0b"),
         QStringLiteral("10.66.0.2/24"));
    ASSERT_TRUE(b.isValid()) << str(b.error());
    ASSERT_NO_FATAL_FAILURE(
        vsctl({QStringLiteral("add-port"), QStringLiteral("br0"), QStringLiteral("vma"),
               QStringLiteral("--"), QStringLiteral("add-port"), QStringLiteral("br0"),
               QStringLiteral("vmb")}));
    EXPECT_TRUE(a.ping(QStringLiteral("10.66.0.2")));
    EXPECT_TRUE(b.ping(QStringLiteral("10.66.0.1"), 1));
    EXPECT_FALSE(a.ping(QStringLiteral("10.66.0.99"), 1, 1));

    // The namespace scope: a socket opened inside sees the host namespace's interfaces.
    NetnsScope scope(ns->name());
    ASSERT_TRUE(scope.isValid()) << str(scope.error());
    auto links =
        runChecked(findTool(QStringLiteral("ip")), {QStringLiteral("-br"), QStringLiteral("link"),
                                                    QStringLiteral("show"), QStringLiteral("vma")});
    ASSERT_TRUE(links.has_value()) << str(links.error().message);
}

} // namespace
} // namespace converge::collectors::ovs
