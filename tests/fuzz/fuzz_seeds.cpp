// Writes the fuzz targets' seed corpus (corpus/<target>/, checked in) from the protocol structs:
// a host state with one of each kind of thing the form holds, every request and reply built
// with its toJson(), framed as the channel frames them. usage: fuzz_seeds CORPUS_DIR
#include "captureframes.h"
#include "fuzzchecks.h"

#include "core/protocol/capture.h"

#include "core/metering/sample.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "core/realize/planner.h"

#include <QDir>
#include <QFile>

using namespace converge;
using namespace converge::core::protocol;
using core::realize::HostState;

namespace {

// Bond, internal port with an address, a VM port with MAC, guards and ACLs, PVLAN isolated and
// community ports, an overlay port and its tunnel, a native-untagged trunk, a mirror.
const char *const kDesired = R"({
  "host": "lab1", "notes": ["SR-IOV is not enforced"],
  "bridges": [{"name": "lab", "datapathType": "netdev", "providerAddress": "10.77.0.1/24",
    "ports": [
      {"name": "team0", "type": "bond", "members": ["up1", "up2"], "bondMode": "balance-tcp",
       "lacp": true, "uplink": true, "vlanMode": "trunk", "trunks": [10, 99, 200, 201, 202]},
      {"name": "mgmt0", "type": "internal", "vlanMode": "access", "tag": 99, "mtu": 9000,
       "addresses": ["10.77.99.1/24", "fd00::1/64"]},
      {"name": "vm1", "type": "system", "vlanMode": "access", "tag": 10, "maxRateKbps": 100000,
       "policy": {"mac": "02:cf:00:00:00:01", "macSpoofing": false, "dhcpGuard": true,
         "routerGuard": true, "acls": [
           {"direction": "out", "action": "deny", "remotePrefix": "10.0.0.0/8"},
           {"direction": "in", "action": "allow", "protocol": "tcp", "localPorts": [22, 443],
            "remotePrefix": "192.168.1.0/24"},
           {"direction": "out", "action": "meter", "weight": 10, "localMac": "02:cf:00:00:00:01",
            "remoteMac": "02-CF-00-00-00-02"}]}},
      {"name": "vm2", "type": "system", "vlanMode": "access", "tag": 201, "isolated": true,
       "policy": {"pvlanPrimary": 200}},
      {"name": "vm3", "type": "system", "vlanMode": "access", "tag": 202,
       "policy": {"community": 202, "pvlanPrimary": 200}},
      {"name": "vm4", "type": "system",
       "policy": {"mac": "02:cf:00:00:00:04", "vsid": 5001, "encapsulation": "vxlan"}},
      {"name": "cv-vxlan", "type": "vxlan"},
      {"name": "vm5", "type": "system", "vlanMode": "native-untagged", "tag": 10,
       "trunks": [20, 30]},
      {"name": "mon", "type": "system"}],
    "pvlans": [{"primary": 200, "isolated": [201], "communities": [202]}],
    "overlays": [{"vsid": 5001, "encapsulation": "vxlan",
      "remotes": [{"address": "10.77.0.2", "macs": ["02:cf:00:00:01:04"]}]}]},
   {"name": "lab2", "datapathType": "system", "sriov": true,
    "ports": [{"name": "eth1", "type": "system", "uplink": true}]}],
  "mirrors": [{"name": "m", "bridge": "lab", "selectSrc": ["vm1"], "selectDst": ["vm1", "vm2"],
               "output": "mon"}]
})";

HostState small(const HostState &state)
{
    HostState s;
    s.host = QStringLiteral("lab2");
    s.bridges.push_back(state.bridges.back());
    return s;
}

HostState desired()
{
    const auto state = HostState::fromJson(QJsonDocument::fromJson(QByteArray(kDesired)).object());
    fuzz::require(state.has_value(), "the seed state is valid",
                  state ? QString() : state.error().message);
    return *state;
}

// One round of the metering stream: a gauge and a rate of two series.
QJsonObject meteringBatch()
{
    core::metering::SampleBatch b;
    b.series.push_back({{QStringLiteral("hv1"), QString(), QStringLiteral("memory_used_bytes")},
                        {{1'765'000'000'000, 4.2e9, 0}}});
    b.series.push_back({{QStringLiteral("hv1"), QStringLiteral("vnic/hv1.web.lan"),
                         QStringLiteral("net_receive_bytes_per_second")},
                        {{1'765'000'000'000, 125000.5, 1000}, {1'765'000'001'000, 0, 1000}}});
    return b.toJson();
}

QByteArray payload(const QString &type, qint64 id, const QJsonObject &body)
{
    return encodeFrame({type, id, body}).mid(4);
}

struct Seed
{
    QString target;
    QString name;
    QByteArray bytes;
};

void write(const QString &dir, const Seed &seed)
{
    QDir().mkpath(dir + QLatin1Char('/') + seed.target);
    QFile f(dir + QLatin1Char('/') + seed.target + QLatin1Char('/') + seed.name);
    fuzz::require(f.open(QIODevice::WriteOnly) && f.write(seed.bytes) == seed.bytes.size(),
                  "the seed is written", f.fileName());
}

// A ring capture of a vNIC through a temporary mirror, with every filter field.
CaptureStartRequest captureStart()
{
    CaptureStartRequest r;
    r.target.port = QStringLiteral("vnet3");
    r.target.viaMirror = true;
    r.filter = {{QStringLiteral("hosts"),
                 QJsonArray{QStringLiteral("10.0.0.5"), QStringLiteral("10.1.0.0/16")}},
                {QStringLiteral("ports"), QJsonArray{53, 443}},
                {QStringLiteral("protocol"), QStringLiteral("udp")},
                {QStringLiteral("mac"), QStringLiteral("02:00:00:00:00:01")},
                {QStringLiteral("expression"), QStringLiteral("not port 22")}};
    r.snapLength = 1500;
    r.comment = QStringLiteral("host h1, web/eth0 (port vnet3)");
    r.names = {{QStringLiteral("10.0.0.5"), QStringLiteral("h1")}};
    r.ring = CaptureRing{QStringLiteral("r1"), 1048576, 3, 60, 600};
    return r;
}

std::vector<Seed> requestSeeds(const HostState &state)
{
    const QString t = QStringLiteral("fuzz_request");
    const QString tx = QStringLiteral("tx-20261207-0001");
    return {
        {t, QStringLiteral("hello"),
         payload(QStringLiteral("hello"), 1, HelloRequest{QStringLiteral("0.1.0")}.toJson())},
        {t, QStringLiteral("state"), payload(QStringLiteral("state"), 2, StateRequest{}.toJson())},
        {t, QStringLiteral("plan"),
         payload(QStringLiteral("plan"), 3, PlanRequest{state}.toJson())},
        {t, QStringLiteral("apply"),
         payload(QStringLiteral("apply"), 4, ApplyRequest{state, 120, QString(64, u'a')}.toJson())},
        {t, QStringLiteral("confirm"),
         payload(QStringLiteral("confirm"), 5, ConfirmRequest{tx}.toJson())},
        {t, QStringLiteral("rollback"),
         payload(QStringLiteral("rollback"), 6, RollbackRequest{tx}.toJson())},
        {t, QStringLiteral("enroll"),
         payload(QStringLiteral("enroll"), 7, EnrollRequest{QString(64, u'f')}.toJson())},
        {t, QStringLiteral("subscribe"),
         payload(
             QStringLiteral("subscribe"), 8,
             SubscribeRequest{QStringLiteral("meters"), 41, {{QStringLiteral("intervalMs"), 1000}}}
                 .toJson())},
        {t, QStringLiteral("unsubscribe"),
         payload(QStringLiteral("unsubscribe"), 9, UnsubscribeRequest{8}.toJson())},
        {t, QStringLiteral("capture-start"),
         payload(QStringLiteral("capture-start"), 10, captureStart().toJson())},
        {t, QStringLiteral("capture-fetch"),
         payload(QStringLiteral("capture-fetch"), 11,
                 CaptureFetchRequest{QStringLiteral("r1"), QStringLiteral("r1_00001.pcapng"), 4096,
                                     65536}
                     .toJson())},
        {t, QStringLiteral("capture-stop"),
         payload(QStringLiteral("capture-stop"), 12,
                 CaptureStopRequest{0, QStringLiteral("r1")}.toJson())},
    };
}

std::vector<Seed> replySeeds(const HostState &state)
{
    const QString t = QStringLiteral("fuzz_reply");
    // The small state's plan: the big one's flow tables would make a seed of 17 KB.
    const PlanReport plan = PlanReport::of(core::realize::makePlan(small(state), HostState{}));
    const QString tx = QStringLiteral("tx-20261207-0001");
    const QString deadline = QStringLiteral("2026-12-07T14:00:00Z");
    HelloReply hello{QStringLiteral("converged"),
                     QStringLiteral("0.1.0"),
                     1,
                     QStringLiteral("lab1"),
                     QStringLiteral("netdev"),
                     {QStringLiteral("plan"), QStringLiteral("apply")},
                     tx,
                     {QStringLiteral("ovs-vswitchd is not running")}};
    StateReply stateReply{
        state, {{QStringLiteral("lab"), QStringLiteral("vm1"), 2, 1234, 567890}}, tx, deadline, {}};
    return {
        {t, QStringLiteral("hello"), payload(QStringLiteral("hello"), 1, hello.toJson())},
        {t, QStringLiteral("state"), payload(QStringLiteral("state"), 2, stateReply.toJson())},
        {t, QStringLiteral("plan"), payload(QStringLiteral("plan"), 3, PlanReply{plan}.toJson())},
        {t, QStringLiteral("apply"),
         payload(QStringLiteral("apply"), 4, ApplyReply{tx, true, deadline, 60, plan}.toJson())},
        {t, QStringLiteral("confirm"),
         payload(QStringLiteral("confirm"), 5, ConfirmReply{tx}.toJson())},
        {t, QStringLiteral("rollback"),
         payload(QStringLiteral("rollback"), 6, RollbackReply{tx}.toJson())},
        {t, QStringLiteral("enroll"),
         payload(QStringLiteral("enroll"), 7,
                 EnrollReply{QString(64, u'b'), QString(64, u'c')}.toJson())},
        {t, QStringLiteral("subscribe"),
         payload(QStringLiteral("subscribe"), 8, SubscribeReply{8, 42}.toJson())},
        {t, QStringLiteral("event"),
         payload(QStringLiteral("event"), 8,
                 StreamEvent{8, 42, {{QStringLiteral("packets"), 10}}}.toJson())},
        {t, QStringLiteral("event-metering"),
         payload(QStringLiteral("event"), 9, StreamEvent{9, 7, meteringBatch()}.toJson())},
        {t, QStringLiteral("error"),
         payload(QStringLiteral("error"), 0,
                 errorReply(0, QStringLiteral("bad-frame"), QStringLiteral("frame: not valid JSON"))
                     .body)},
    };
}

// The state after a redesign: a VLAN, a bond's members and mode, a mirror and SR-IOV changed.
HostState changed(HostState s)
{
    for (core::realize::Port &p : s.bridges.front().ports) {
        if (p.name == QLatin1String("vm1"))
            p.tag = 20;
        if (p.name == QLatin1String("team0")) {
            p.members = {QStringLiteral("up1"), QStringLiteral("up3")};
            p.bondMode = QStringLiteral("active-backup");
            p.lacp = false;
            p.bondPrimary = QStringLiteral("up3");
        }
    }
    s.mirrors.clear();
    s.bridges.back().sriov = false;
    return s;
}

std::vector<Seed> stateSeeds(const HostState &state)
{
    const QString t = QStringLiteral("fuzz_hoststate");
    const auto compact = [](const QJsonValue &v) {
        return v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                           : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    };
    const QJsonArray pair{changed(state).toJson(), state.toJson()};
    return {{t, QStringLiteral("lab1"), compact(state.toJson())},
            {t, QStringLiteral("lab2"), compact(small(state).toJson())},
            {t, QStringLiteral("lab1-changed"), compact(pair)}};
}

// A frame seed: its chunk sizes (fuzz_frame.cpp), then the stream.
Seed frameSeed(const QString &name, const QByteArray &chunks, const QByteArray &stream)
{
    return {QStringLiteral("fuzz_frame"), name, char(chunks.size()) + chunks + stream};
}

std::vector<Seed> frameSeeds(const HostState &state)
{
    const QByteArray hello =
        encodeFrame({QStringLiteral("hello"), 1, HelloRequest{QStringLiteral("0.1.0")}.toJson()});
    const QByteArray plan = encodeFrame({QStringLiteral("plan"), 2, PlanRequest{state}.toJson()});
    const QByteArray error =
        encodeFrame(errorReply(0, QStringLiteral("bad-frame"), QStringLiteral("frame of 0 bytes")));
    const QByteArray zero(4, '\0');
    return {frameSeed(QStringLiteral("hello-plan"), QByteArray("\x03\x11\x40", 3), hello + plan),
            frameSeed(QStringLiteral("hello-error-result"), {},
                      hello + error + encodeFrame(reply(3, {}))),
            frameSeed(QStringLiteral("broken"), QByteArray("\x01", 1), hello + zero + hello),
            frameSeed(QStringLiteral("partial"), QByteArray("\x07\x02", 2), hello + hello.left(9))};
}

// The capture targets' seeds (issue 16): each dissector fixture as a frame; pcap in both byte
// orders and stamp resolutions and pcapng with simple packet blocks, of a few fixtures each; and
// display filters using every kind of field, operator and error.
std::vector<Seed> captureSeeds()
{
    std::vector<Seed> seeds;
    std::vector<QByteArray> frames;
    for (const capturetest::Fixture &f : capturetest::fixtures()) {
        seeds.push_back({QStringLiteral("fuzz_dissect"), QLatin1String(f.name), f.frame});
        frames.push_back(f.frame);
    }
    const std::vector<QByteArray> few(frames.begin(), frames.begin() + 4);
    const QString pcap = QStringLiteral("fuzz_pcapfile");
    seeds.push_back(
        {pcap, QStringLiteral("le-usec.pcap"), capturetest::CaptureWriter(false).pcap(few, false)});
    seeds.push_back(
        {pcap, QStringLiteral("be-nsec.pcap"), capturetest::CaptureWriter(true).pcap(few, true)});
    seeds.push_back(
        {pcap, QStringLiteral("le.pcapng"), capturetest::CaptureWriter(false).pcapng(few, true)});
    seeds.push_back(
        {pcap, QStringLiteral("be.pcapng"), capturetest::CaptureWriter(true).pcapng(few)});
    const char *const filters[] = {
        "ip.addr == 10.0.0.0/8 and not arp",
        "ipv6.dst == ff02::/16 || icmpv6.type == 135",
        "eth.src == 02:00:00:00:00:42 or eth.dst == ff-ff-ff-ff-ff-ff",
        "tcp.port >= 3000 && tcp.flags.syn == 1 && !(tcp.flags.ack eq 1)",
        "udp.port == 4789 or vxlan.vni == 5001 or nvgre.vsid ne 7000 or gre.key > 1",
        "(vlan.id == 100 or ieee8021ad.id == 200) and frame.len lt 100",
        "dns.qry.name contains \"example\" or dns.qry.name == \"www.example.org\"",
        "dhcp.option.dhcp == 1 or arp.opcode == 2 or icmp.type == 8 or iscsi.opcode == 0",
        "_ws.malformed or malformed or lldp or data or dhcp or dns or gre or ip",
        "ip.addr == 10.0.0.300",
        "(tcp or udp",
        "ip.sorce == 1",
    };
    for (size_t i = 0; i < std::size(filters); ++i)
        seeds.push_back({QStringLiteral("fuzz_displayfilter"), QStringLiteral("filter-%1").arg(i),
                         QByteArray(filters[i])});
    return seeds;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR\n");
        return 2;
    }
    const QString dir = QString::fromLocal8Bit(argv[1]);
    const HostState state = desired();
    for (const auto &seeds : {requestSeeds(state), replySeeds(state), stateSeeds(state),
                              frameSeeds(state), captureSeeds()})
        for (const Seed &seed : seeds)
            write(dir, seed);
    return 0;
}
