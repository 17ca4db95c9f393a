// bench-wire: how fast VM traffic crosses between two hosts on each way Converge realizes it,
// and on the other way an overlay could be realized, side by side in one run (issue 12: "decide
// by measurement"). Two namespace hosts with real agents deploy
// bench/wire/two-hosts-wire.converge.json (tests/wire/data's overlay and PVLAN designs on the
// same hosts); iperf3 (bulk TCP, host 2 -> host 1 or 1 -> 2) then measures, round after round so
// the machine's noise falls on all alike:
//   physical       phy1 -> phy2, no tunnel, no PVLAN (the baseline: same bridges and uplinks)
//   PVLAN isolated isob -> prom, an isolated port to the promiscuous one on the other host
//                  (secondary VLAN 301 on the wire, explicit outputs by MAC on arrival)
//   PVLAN community comb -> coma, one community on both hosts (VLAN 302 on the wire, NORMAL)
//   ovs-vxlan      blue1 -> blue2, VSID 5001 in OVS's own userspace VXLAN (what Converge deploys)
//   ovs-nvgre      red1 -> red2, VSID 5002 in OVS's own userspace GRE, key VSID << 8 (ditto)
//   kernel-vxlan   kv1 -> kv2 through a kernel VXLAN device added to each host's bridge (the
//                  other option for overlays: the kernel encapsulates, OVS moves frames to it)
// Needs root and iperf3.
//   usage: bench-wire [RUNS] [SECONDS] [--switch-mtu N] [--hold S]   (defaults 5 4 1600 0)
#include "testapp.h"
#include "wirelab.h"

#include "core/io/designdocument.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <map>

using namespace converge;
using namespace converge::testing;

namespace {

struct Options
{
    int runs = 5;
    int seconds = 4;
    int switchMtu = 1600;
    int holdSec = 0; // keep the lab up this long after measuring (to look at it by hand)
};

Options parseOptions(int argc, char *argv[])
{
    Options o;
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        if (a == QLatin1String("--hold") && i + 1 < argc)
            o.holdSec = std::clamp(QString::fromLocal8Bit(argv[++i]).toInt(), 0, 3600);
        else if (a == QLatin1String("--switch-mtu") && i + 1 < argc)
            o.switchMtu = std::clamp(QString::fromLocal8Bit(argv[++i]).toInt(), 1280, 9000);
        else if (positional++ == 0)
            o.runs = std::clamp(a.toInt(), 1, 50);
        else
            o.seconds = std::clamp(a.toInt(), 1, 60);
    }
    return o;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::ranges::sort(v);
    return v[v.size() / 2];
}

QStringList cmd(std::initializer_list<const char *> words)
{
    QStringList out;
    for (const char *w : words)
        out << QLatin1String(w);
    return out;
}

// The kernel option: a VXLAN device (VNI 6001, port 4790) in each host, on its bridge, and a VM
// whose frames OVS hands to it and back (flows ahead of the agent's, in table 0). Both ports are
// access ports of an otherwise unused VLAN, so no other VM's floods reach them.
bool addKernelVxlan(WireLab &lab, QString *why)
{
    for (int i = 0; i < 2; ++i) {
        FleetLab::Host &h = lab.fleet().hosts()[std::size_t(i)];
        const QString local = QStringLiteral("10.77.0.%1").arg(i + 1);
        const QString vm = QStringLiteral("kv%1").arg(i + 1);
        if (!lab.addVm(i, vm, QStringLiteral("02:50:00:00:03:0%1").arg(i + 1),
                       QStringLiteral("10.51.0.%1/24").arg(i + 1), why))
            return false;
        const QStringList device{
            QStringLiteral("ip"),      QStringLiteral("link"),  QStringLiteral("add"),
            QStringLiteral("kvx"),     QStringLiteral("mtu"),   QStringLiteral("1500"),
            QStringLiteral("type"),    QStringLiteral("vxlan"), QStringLiteral("id"),
            QStringLiteral("6001"),    QStringLiteral("local"), local,
            QStringLiteral("dstport"), QStringLiteral("4790"),  QStringLiteral("nolearning")};
        const QString remote = QStringLiteral("10.77.0.%1").arg(2 - i);
        // The kernel routes the encapsulated frames out of the bridge's own interface, where
        // the PA is: give it the room the uplink has, so the kernel need not fragment them.
        for (const QStringList &argv :
             {QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("lab"), QStringLiteral("mtu"), QStringLiteral("1600")},
              device,
              QStringList{QStringLiteral("bridge"), QStringLiteral("fdb"), QStringLiteral("append"),
                          QStringLiteral("00:00:00:00:00:00"), QStringLiteral("dev"),
                          QStringLiteral("kvx"), QStringLiteral("dst"), remote},
              cmd({"ethtool", "-K", "kvx", "tx", "off"}), cmd({"ip", "link", "set", "kvx", "up"})})
            if (auto r = h.ns->run(argv); !r)
                return (*why = r.error().message, false);
        for (const QStringList &argv :
             {QStringList{QStringLiteral("add-port"), QStringLiteral("lab"), QStringLiteral("kvx"),
                          QStringLiteral("tag=4000")},
              QStringList{QStringLiteral("add-port"), QStringLiteral("lab"), vm,
                          QStringLiteral("tag=4000")}})
            if (auto r = h.ovs->vsctl(argv); !r)
                return (*why = r.error().message, false);
        for (const QString &flow :
             {QStringLiteral("table=0,priority=1000,in_port=%1,actions=output:kvx").arg(vm),
              QStringLiteral("table=0,priority=1000,in_port=kvx,actions=output:%1").arg(vm)})
            if (auto r = h.ovs->ofctl({QStringLiteral("add-flow"), QStringLiteral("lab"), flow});
                !r)
                return (*why = r.error().message, false);
    }
    return true;
}

// Bulk TCP from `from` to `address` for `seconds`: Mbit/s received, or -1 (why in *error).
double iperf(WireLab &lab, const QString &from, const QString &to, const QString &address,
             int seconds, QString *error)
{
    auto server = lab.vm(to).ns().spawn(cmd({"iperf3", "-s", "-1", "-p", "5301"}));
    if (!server)
        return (*error = server.error().message, -1);
    for (int attempt = 0; attempt < 50; ++attempt) {
        auto r =
            lab.vm(from).exec({QStringLiteral("iperf3"), QStringLiteral("-c"), address,
                               QStringLiteral("-p"), QStringLiteral("5301"), QStringLiteral("-t"),
                               QString::number(seconds), QStringLiteral("-J")},
                              (seconds + 20) * 1000);
        if (!r)
            return (*error = r.error().message, -1);
        const QJsonObject end =
            QJsonDocument::fromJson(r->out).object().value(QStringLiteral("end")).toObject();
        if (r->exitCode == 0 && !end.isEmpty()) {
            (*server)->stop();
            return end.value(QStringLiteral("sum_received"))
                       .toObject()
                       .value(QStringLiteral("bits_per_second"))
                       .toDouble() /
                   1e6;
        }
        *error = QString::fromUtf8(r->out.left(300) + r->err.left(300));
        if (!r->out.contains("Connection refused") && !r->err.contains("Connection refused") &&
            !r->out.contains("unable to connect"))
            break;
        QThread::msleep(100);
    }
    (*server)->stop();
    return -1;
}

struct Path
{
    const char *name;
    const char *from;
    const char *to;
    const char *address;
};

} // namespace

int main(int argc, char *argv[])
{
    ensureApp();
    QLoggingCategory::setFilterRules(QStringLiteral("converge.*.info=false"));
    QTextStream out(stdout);
    const Options o = parseOptions(argc, argv);
    auto loaded = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/bench/wire/two-hosts-wire.converge.json"));
    if (!loaded) {
        out << loaded.error().message << '\n';
        return 1;
    }
    const core::Design design = std::move(*loaded);
    WireLab lab;
    QString why;
    if (const WireLab::Ready ready = lab.deployed(design, &why, o.switchMtu);
        ready != WireLab::Ready::Yes) {
        out << (ready == WireLab::Ready::Skip ? "bench-wire skipped: " : "") << why << '\n';
        return ready == WireLab::Ready::Skip ? 0 : 1;
    }
    if (!addKernelVxlan(lab, &why)) {
        out << why << '\n';
        return 1;
    }
    const std::vector<Path> paths{{"physical (no tunnel)", "phy1", "phy2", "10.50.0.4"},
                                  {"PVLAN isolated -> promiscuous", "isob", "prom", "10.66.0.1"},
                                  {"PVLAN community, across hosts", "comb", "coma", "10.66.0.3"},
                                  {"OVS userspace VXLAN (deployed)", "blue1", "blue2", "10.50.0.2"},
                                  {"OVS userspace NVGRE (deployed)", "red1", "red2", "10.50.0.1"},
                                  {"kernel VXLAN device on the bridge", "kv1", "kv2", "10.51.0.2"}};
    out << "bench-wire: iperf3 bulk TCP between VMs on two namespace hosts (OVS userspace "
           "datapath), "
        << o.runs << " rounds x " << o.seconds << " s, physical switch MTU " << o.switchMtu << "\n";
    out.flush();
    std::map<const char *, std::vector<double>> mbps;
    for (int round = 0; round < o.runs; ++round)
        for (const Path &p : paths) {
            QString error;
            const double m = iperf(lab, QLatin1String(p.from), QLatin1String(p.to),
                                   QLatin1String(p.address), o.seconds, &error);
            if (m < 0)
                out << "  " << p.name << ": " << error.simplified() << '\n';
            mbps[p.name].push_back(std::max(m, 0.0));
        }
    const double base = median(mbps[paths[0].name]);
    out << QStringLiteral("%1 %2 %3\n")
               .arg(QStringLiteral("path"), -36)
               .arg(QStringLiteral("median Mbit/s"), 14)
               .arg(QStringLiteral("vs physical"), 12);
    for (const Path &p : paths) {
        const double m = median(mbps[p.name]);
        out << QStringLiteral("%1 %2 %3\n")
                   .arg(QLatin1String(p.name), -36)
                   .arg(m, 14, 'f', 1)
                   .arg(base > 0 ? QStringLiteral("%1x").arg(m / base, 0, 'f', 2)
                                 : QStringLiteral("-"),
                        12);
    }
    if (o.holdSec > 0) {
        out << "holding the lab for " << o.holdSec << " s: hosts "
            << lab.fleet().hosts()[0].ns->name() << " and " << lab.fleet().hosts()[1].ns->name()
            << ", switch " << lab.fleet().console().name() << '\n';
        out.flush();
        QThread::sleep(o.holdSec);
    }
    return 0;
}
