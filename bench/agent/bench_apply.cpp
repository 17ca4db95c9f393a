// bench-agent-apply: applying the plan for a host with 40 vNICs (VLANs, QoS, ACLs, guards) as ONE
// ovs-vsctl transaction, as converged does, against one ovs-vsctl call per change; and reading
// the host's state through one OVSDB JSON-RPC transaction against `ovs-vsctl list` calls (the
// measurement behind the agent's choice). Runs a private ovsdb-server/ovs-vswitchd (userspace
// datapath) in a network namespace: needs root.
//   usage: bench-agent-apply [RUNS]
#include "bench/benchstats.h"
#include "ovsenv.h"

#include "collectors/ovs/ovsapplier.h"
#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/ovsreader.h"
#include "core/io/designdocument.h"
#include "core/realize/desiredstate.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTextStream>

#include <algorithm>
#include <optional>
#include <tuple>

using namespace converge;
using namespace converge::testing;
namespace ovs = converge::collectors::ovs;

namespace {

constexpr int kVnics = 40;

using converge::bench::median;

double ms(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

// vNIC `i`: a VLAN, a maximum rate, guards and two ACLs.
QJsonObject benchVnic(int i)
{
    return QJsonObject{
        {QStringLiteral("id"), QStringLiteral("b.n%1").arg(i)},
        {core::key::name, QStringLiteral("n%1").arg(i)},
        {core::key::hostInterface, QStringLiteral("bv%1").arg(i)},
        {core::key::switch_, QStringLiteral("b.vs")},
        {core::key::mac, QStringLiteral("02:be:00:00:00:%1").arg(i + 1, 2, 16, QLatin1Char('0'))},
        {core::key::vlanMode, core::value::access},
        {core::key::accessVlan, 100 + i % 8},
        {core::key::maximumBandwidth, 1e9},
        {core::key::macSpoofing, false},
        {core::key::dhcpGuard, true},
        {core::key::routerGuard, true},
        {core::key::acls,
         QJsonArray{QJsonObject{{core::key::direction, core::value::outbound},
                                {core::key::action, core::value::deny},
                                {core::key::remoteAddress, QStringLiteral("10.%1.0.0/16").arg(i)}},
                    QJsonObject{{core::key::direction, core::value::both},
                                {core::key::action, core::value::meter},
                                {core::key::remoteAddress, QStringLiteral("0.0.0.0/0")}}}},
    };
}

// One linux-ovs host: an external switch on eth1, 20 management-OS vNICs (internal ports with
// addresses) and 20 VM vNICs, each with a VLAN, a maximum rate, guards and two ACLs.
QByteArray benchDesign()
{
    QJsonArray hostVnics, vms;
    for (int i = 0; i < kVnics; ++i) {
        QJsonObject nic = benchVnic(i);
        if (i < kVnics / 2) {
            nic.insert(core::key::addresses, QJsonArray{QStringLiteral("10.88.%1.1/24").arg(i)});
            hostVnics.append(nic);
        } else {
            vms.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("b.vm%1").arg(i)},
                                   {core::key::name, QStringLiteral("vm%1").arg(i)},
                                   {QStringLiteral("vnics"), QJsonArray{nic}}});
        }
    }
    const QJsonObject host{
        {QStringLiteral("id"), core::key::b},
        {core::key::name, QStringLiteral("bench1")},
        {core::key::platform, core::value::linuxOvs},
        {QStringLiteral("nics"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("b.eth1")},
                                {core::key::name, QStringLiteral("eth1")},
                                {core::key::interfaceName, QStringLiteral("eth1")}}}},
        {QStringLiteral("switches"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("b.vs")},
                                {core::key::name, QStringLiteral("bench")},
                                {core::key::type, core::value::external},
                                {core::key::uplink, QStringLiteral("b.eth1")},
                                {core::key::allowManagementOs, true}}}},
        {QStringLiteral("vnics"), hostVnics},
        {QStringLiteral("vms"), vms},
    };
    return QJsonDocument(QJsonObject{{QStringLiteral("schemaVersion"), 1},
                                     {core::key::name, QStringLiteral("bench")},
                                     {QStringLiteral("hosts"), QJsonArray{host}}})
        .toJson();
}

// Keeps only the OVSDB part of a plan (no flow tables, no addresses).
core::realize::Plan ovsdbOnly(core::realize::Plan p)
{
    for (core::realize::Operation &op : p.ops) {
        op.flows.clear();
        op.ip.clear();
    }
    std::erase_if(p.ops, [](const core::realize::Operation &op) { return op.vsctl.isEmpty(); });
    return p;
}

int commandCount(const core::realize::Plan &p)
{
    int n = 0;
    for (const core::realize::Operation &op : p.ops)
        for (const QStringList &c : op.vsctl)
            n += c.value(0).startsWith(QStringLiteral("--id=")) ? 0 : 1;
    return n;
}

int flowCount(const core::realize::Plan &p)
{
    int n = 0;
    for (const core::realize::Operation &op : p.ops)
        n += static_cast<int>(op.flows.size());
    return n;
}

struct Timings
{
    std::vector<double> oneTxn, perCmd, oneTxnFull, perCmdFull; // applies
    std::vector<double> rpcRead, vsctlRead, vsctl5Read, hostRead;
};

// A veth for eth1 and for each VM vNIC (their taps), in the host's namespace.
bool addDevices(NetNs &host, QTextStream &out)
{
    QStringList devices{QStringLiteral("eth1")};
    for (int i = kVnics / 2; i < kVnics; ++i)
        devices << QStringLiteral("bv%1").arg(i);
    for (const QString &dev : devices)
        for (const QStringList &cmd :
             {QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"), dev,
                          QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                          QStringLiteral("name"), dev + QStringLiteral("p")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), dev,
                          QStringLiteral("up")}})
            if (auto r = host.run(cmd); !r) {
                out << r.error().message << '\n';
                return false;
            }
    return true;
}

// The bench host's desired state, on the userspace datapath.
std::optional<core::realize::HostState> desiredHost(QTextStream &out)
{
    auto design = core::designdocument::load(benchDesign());
    if (!design) {
        out << design.error().message << '\n';
        return std::nullopt;
    }
    auto desired = core::realize::desiredState(*design, QStringLiteral("b"));
    if (!desired) {
        out << desired.error().message << '\n';
        return std::nullopt;
    }
    for (core::realize::Bridge &b : desired->bridges)
        b.datapathType = QStringLiteral("netdev");
    return *desired;
}

const QStringList tables{QStringLiteral("Bridge"), QStringLiteral("Port"),
                         QStringLiteral("Interface"), QStringLiteral("Mirror"),
                         QStringLiteral("Open_vSwitch")};

// Applies and reads the bench host `runs` times, each way, and prints the medians.
class ApplyBench
{
public:
    ApplyBench(const OvsInstance &instance, ovs::OvsdbClient &client,
               core::realize::HostState desired, QTextStream &out)
        : m_instance(instance)
        , m_env(instance.env())
        , m_client(client)
        , m_desired(std::move(desired))
        , m_out(out)
        , m_full(core::realize::makePlan(m_desired, *read()))
        , m_dbOnly(ovsdbOnly(m_full))
    {
    }

    bool run(int runs)
    {
        m_out << "bench-agent-apply: host with " << kVnics << " vNICs (" << kVnics / 2
              << " management-OS, " << kVnics / 2 << " VM; VLANs, max rate, guards, 2 ACLs each), "
              << m_full.ops.size() << " plan operations, " << commandCount(m_full)
              << " ovs-vsctl commands, " << flowCount(m_full) << " flows; " << runs
              << " runs, userspace datapath\n";
        for (int r = 0; r < runs; ++r) {
            // Each apply starts from no bridge; the state is in place after: read it both ways.
            if (!applyEachWay() || !readHostState() || !readOvsdb())
                return false;
        }
        reset();
        return true;
    }

    void print(int runs) const
    {
        m_out << QStringLiteral("  %1 %2      %3\n")
                     .arg(QStringLiteral("median of %1 runs").arg(runs), -44)
                     .arg(QStringLiteral("one txn"), 9)
                     .arg(QStringLiteral("per change"), 9);
        row("OVSDB changes (bridge, ports, columns)", median(m_t.oneTxn), median(m_t.perCmd));
        row("whole apply (+ flow table, addresses)", median(m_t.oneTxnFull),
            median(m_t.perCmdFull));
        row("read OVSDB: JSON-RPC vs one ovs-vsctl call", median(m_t.rpcRead),
            median(m_t.vsctlRead));
        row("read OVSDB: JSON-RPC vs ovs-vsctl per table", median(m_t.rpcRead),
            median(m_t.vsctl5Read));
        m_out << QStringLiteral("  %1 %2 ms   (OVSDB + flow counts + addresses)\n")
                     .arg(QStringLiteral("read the whole host state (readHostState)"), -44)
                     .arg(median(m_t.hostRead), 9, 'f', 1);
    }

private:
    core::Result<core::realize::HostState> read()
    {
        return ovs::readHostState(m_env, m_client, QStringLiteral("bench1"));
    }

    bool reset() const
    {
        return bool(m_instance.vsctl(
            {QStringLiteral("--if-exists"), QStringLiteral("del-br"), QStringLiteral("bench")}));
    }

    void row(const char *what, double a, double b) const
    {
        m_out << QStringLiteral("  %1 %2 ms   %3 ms   %4x\n")
                     .arg(QLatin1String(what), -44)
                     .arg(a, 9, 'f', 1)
                     .arg(b, 9, 'f', 1)
                     .arg(b / a, 5, 'f', 1);
    }

    // The OVSDB-only and the whole plan, each as one transaction and one call per change.
    bool applyEachWay()
    {
        for (auto [plan, perCommand, sink] :
             {std::tuple{&m_dbOnly, false, &m_t.oneTxn}, std::tuple{&m_dbOnly, true, &m_t.perCmd},
              std::tuple{&m_full, false, &m_t.oneTxnFull},
              std::tuple{&m_full, true, &m_t.perCmdFull}}) {
            if (!reset()) {
                m_out << "cannot reset the bridge\n";
                return false;
            }
            QElapsedTimer t;
            t.start();
            auto done =
                perCommand ? ovs::applyPlanPerCommand(m_env, *plan) : ovs::applyPlan(m_env, *plan);
            const double elapsed = ms(t);
            if (!done) {
                m_out << "apply failed: " << done.error().message << '\n';
                return false;
            }
            sink->push_back(elapsed);
        }
        return true;
    }

    bool readHostState()
    {
        QElapsedTimer t;
        t.start();
        auto s = read();
        m_t.hostRead.push_back(ms(t));
        if (!s || !core::realize::makePlan(m_desired, *s).isEmpty()) {
            m_out << "the host does not match after the apply\n";
            return false;
        }
        return true;
    }

    // The OVSDB tables through one JSON-RPC transaction, one ovs-vsctl call and one per table.
    bool readOvsdb()
    {
        QJsonArray selects;
        for (const QString &table : tables)
            selects.append(QJsonObject{{QStringLiteral("op"), QStringLiteral("select")},
                                       {QStringLiteral("table"), table},
                                       {QStringLiteral("where"), QJsonArray{}}});
        QElapsedTimer t;
        t.start();
        if (auto rows = m_client.transact(QStringLiteral("Open_vSwitch"), selects); !rows) {
            m_out << rows.error().message << '\n';
            return false;
        }
        m_t.rpcRead.push_back(ms(t));
        t.start();
        QStringList oneCall{QStringLiteral("--format=json")};
        for (const QString &table : tables)
            oneCall << QStringLiteral("--") << QStringLiteral("list") << table;
        (void)m_instance.vsctl(oneCall);
        m_t.vsctlRead.push_back(ms(t));
        t.start();
        for (const QString &table : tables)
            (void)m_instance.vsctl(
                {QStringLiteral("--format=json"), QStringLiteral("list"), table});
        m_t.vsctl5Read.push_back(ms(t));
        return true;
    }

    const OvsInstance &m_instance;
    const ovs::OvsEnv m_env;
    ovs::OvsdbClient &m_client;
    const core::realize::HostState m_desired;
    QTextStream &m_out;
    const core::realize::Plan m_full;
    const core::realize::Plan m_dbOnly;
    Timings m_t;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("converge.*.info=false"));
    QTextStream out(stdout);
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 5;
    QString why;
    if (!haveRootAndOvs(&why)) {
        out << "bench-agent-apply skipped: " << why << '\n';
        return 0;
    }
    NetNs host;
    OvsInstance instance(host);
    if (!instance.isValid()) {
        out << "cannot start Open vSwitch: " << instance.error() << '\n';
        return 1;
    }
    if (!addDevices(host, out))
        return 1;
    NetnsScope scope(host.name()); // `ip addr` and the reader's `ip -j addr` run in the host
    auto desired = desiredHost(out);
    if (!desired)
        return 1;
    ovs::OvsdbClient client;
    if (auto c = client.connectToServer(instance.env().dbSocket); !c) {
        out << c.error().message << '\n';
        return 1;
    }
    ApplyBench bench(instance, client, std::move(*desired), out);
    if (!bench.run(runs))
        return 1;
    bench.print(runs);
    return 0;
}
