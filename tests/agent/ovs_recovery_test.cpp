// converged recovering from failed applies by itself (root; issue 12): a private Open vSwitch
// whose kernel has no Open vSwitch datapath, so that ovs-vswitchd cannot create datapath=system
// bridges ("br-vm is not a bridge or a socket"), exactly as on a host without the module. A deploy
// with that datapath fails cleanly and leaves the host as it was (OVSDB and flows compared), the
// agent keeps serving, and a corrected deploy succeeds; half-made bridges left by others, a
// damaged journal and a rollback that fails at start never keep the agent from starting.
#include "collectors/agent/datapath.h"
#include "collectors/channel/channel.h"
#include "collectors/channel/tlsidentity.h"
#include "core/protocol/agentsession.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "core/realize/flows.h"
#include "ovsenv.h"

#include "testapp.h"

#include <gtest/gtest.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <algorithm>
#include <map>

using namespace converge;
using namespace converge::testing;
namespace protocol = core::protocol;
using core::realize::Bridge;
using core::realize::HostState;
using core::realize::Port;

namespace {

const QString kHost = QStringLiteral("rec1");

Port vmPort(const QString &name, bool dhcpGuard = false)
{
    Port p;
    p.name = name;
    p.elementId = kHost + QLatin1Char('.') + name;
    p.vlanMode = QStringLiteral("access");
    p.tag = 10;
    p.dhcpGuard = dhcpGuard;
    return p;
}

Port mgmtPort()
{
    Port p = vmPort(QStringLiteral("mgmt0"));
    p.type = Port::Type::Internal;
    p.addresses = {QStringLiteral("10.88.0.9/24")};
    return p;
}

Bridge bridge(const QString &name, std::vector<Port> ports)
{
    Bridge b;
    b.name = name;
    b.elementId = kHost + QLatin1Char('.') + name;
    b.ports = std::move(ports);
    return b;
}

HostState hostWith(std::vector<Bridge> bridges)
{
    HostState s;
    s.host = kHost;
    s.bridges = std::move(bridges);
    s.normalize();
    return s;
}

// The first deploy: bridge lab with two VMs (one DHCP-guarded: flows that name its port) and a
// management vNIC with an address.
HostState labOnly()
{
    return hostWith({bridge(QStringLiteral("lab"), {vmPort(QStringLiteral("v1"), true),
                                                    vmPort(QStringLiteral("v2")), mgmtPort()})});
}

// The next one adds bridge br-vm for a third VM.
HostState labAndBrVm()
{
    HostState s = labOnly();
    s.bridges.push_back(bridge(QStringLiteral("br-vm"), {vmPort(QStringLiteral("v3"), true)}));
    s.normalize();
    return s;
}

QString compact(const QJsonValue &v)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact));
}

// An OVSDB value with uuids replaced by the rows' names and sets and maps sorted, so that rows
// re-created with new uuids compare equal when their content is.
QJsonValue byName(const QJsonValue &v, const QHash<QString, QString> &names)
{
    const QJsonArray a = v.toArray();
    if (!v.isArray() || a.size() != 2)
        return v;
    const QString kind = a.at(0).toString();
    if (kind == QLatin1String("uuid"))
        return names.value(a.at(1).toString(), QStringLiteral("?"));
    if (kind != QLatin1String("set") && kind != QLatin1String("map"))
        return v;
    QStringList items;
    for (const QJsonValue &item : a.at(1).toArray())
        items << compact(byName(item, names));
    items.sort();
    return kind + QLatin1Char(':') + items.join(u',');
}

struct Table
{
    const char *name;
    const char *columns; // what the agent and the admin set; nothing ovs-vswitchd reports
};

const Table kTables[] = {
    {"Open_vSwitch", "_uuid,bridges"},
    {"Bridge", "_uuid,name,datapath_type,external_ids,protocols,ports,mirrors,other_config,"
               "fail_mode"},
    {"Port", "_uuid,name,interfaces,tag,trunks,vlan_mode,protected,bond_mode,lacp,other_config,"
             "external_ids"},
    {"Interface", "_uuid,name,type,mtu_request,ingress_policing_rate,ingress_policing_burst,"
                  "options,external_ids"},
    {"Mirror", "_uuid,name,select_src_port,select_dst_port,output_port,external_ids"},
};

// A host with the agent, the console's identity pinned in its config, and VMs on veths.
class RecoveryHost
{
public:
    bool setUp(QString *why, const QStringList &vmNames)
    {
        ensureApp();
        if (!haveRootAndOvs(why))
            return false;
        const auto fail = [&](const QString &what) {
            *why = what;
            return false;
        };
        if (!host.isValid())
            return fail(QStringLiteral("namespace: ") + host.error());
        ovs = std::make_unique<OvsInstance>(host);
        if (!ovs->isValid())
            return fail(QStringLiteral("OVS: ") + ovs->error());
        int n = 0;
        for (const QString &name : vmNames) {
            ++n;
            auto vm = std::make_unique<Vm>(
                host, name, QStringLiteral("02:88:00:00:00:%1").arg(n, 2, 10, QLatin1Char('0')),
                QStringLiteral("10.88.0.%1/24").arg(n));
            if (!vm->isValid())
                return fail(QStringLiteral("VM %1: %2").arg(name, vm->error()));
            vms.emplace(name, std::move(vm));
        }
        auto identity = collectors::generateIdentity(QStringLiteral("test console"));
        if (!identity)
            return fail(identity.error().message);
        console = *identity;
        QFile pem(stateDir.filePath(QStringLiteral("console.pem")));
        if (!pem.open(QIODevice::WriteOnly) || pem.write(console.certificate.toPem()) <= 0)
            return fail(QStringLiteral("cannot write the console certificate"));
        pem.close();
        if (auto w = writeConfig(QStringLiteral("netdev")); !w)
            return fail(w.error().message);
        auto fp = host.run(
            {agentBinary(), QStringLiteral("--config"), config(), QStringLiteral("--fingerprint")});
        if (!fp)
            return fail(fp.error().message);
        agentFingerprint = QString::fromUtf8(fp->trimmed());
        scope = std::make_unique<NetnsScope>(host.name());
        return scope->isValid() || fail(scope->error());
    }

    static QString agentBinary() { return QStringLiteral(CONVERGE_BINARY_DIR "/app/converged"); }
    QString config() const { return stateDir.filePath(QStringLiteral("converged.conf")); }
    QString journalPath() const { return stateDir.filePath(QStringLiteral("state/journal.json")); }

    core::Result<void> writeConfig(const QString &datapath) const
    {
        QFile c(config());
        if (!c.open(QIODevice::WriteOnly))
            return core::invalid(QStringLiteral("cannot write ") + config());
        c.write(
            QStringLiteral("listen = 127.0.0.1:7443\nstate_dir = %1/state\novs_db = %2/db.sock\n"
                           "ovs_rundir = %2\ndatapath = %3\nhost_name = %4\n"
                           "console_certificate = %1/console.pem\n")
                .arg(stateDir.path(), ovs->dir(), datapath, kHost)
                .toUtf8());
        return {};
    }

    // Starts converged with DATAPATH (auto, system or netdev); ready when it accepts TLS.
    core::Result<void> startAgent(const QString &datapath)
    {
        stopAgent();
        if (auto w = writeConfig(datapath); !w)
            return w;
        auto p = host.spawn({agentBinary(), QStringLiteral("--config"), config()},
                            QProcessEnvironment::systemEnvironment(),
                            stateDir.filePath(QStringLiteral("agent-%1.log").arg(++m_starts)));
        if (!p)
            return std::unexpected(p.error());
        agent = *p;
        for (QDeadlineTimer deadline(15000); !deadline.hasExpired(); QThread::msleep(100)) {
            if (!agent->isRunning())
                return core::invalid(QStringLiteral("converged exited: ") + agentLog());
            if (client.connectTo(QStringLiteral("127.0.0.1"), 7443, console, agentFingerprint,
                                 2000))
                return {};
        }
        return core::invalid(QStringLiteral("converged did not start serving: ") + agentLog());
    }

    void stopAgent()
    {
        client.disconnectFromAgent();
        if (agent)
            agent->stop(5000);
    }

    QString agentLog() const
    {
        QFile f(stateDir.filePath(QStringLiteral("agent-%1.log").arg(m_starts)));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll().right(4000)) : QString();
    }

    core::Result<protocol::HelloReply> hello()
    {
        return client.call<protocol::HelloReply>(protocol::consoleHello(), 30000);
    }
    core::Result<protocol::StateReply> state()
    {
        return client.call<protocol::StateReply>(protocol::StateRequest{}, 60000);
    }
    core::Result<protocol::PlanReply> plan(const HostState &desired)
    {
        return client.call<protocol::PlanReply>(protocol::PlanRequest{desired}, 60000);
    }
    core::Result<protocol::ApplyReply> apply(const HostState &desired)
    {
        return client.call<protocol::ApplyReply>(protocol::ApplyRequest{desired, 60, {}}, 120000);
    }
    core::Result<void> applyAndConfirm(const HostState &desired)
    {
        auto applied = apply(desired);
        if (!applied)
            return std::unexpected(applied.error());
        if (!applied->changed)
            return {};
        auto confirmed = client.call<protocol::ConfirmReply>(
            protocol::ConfirmRequest{applied->transaction}, 30000);
        if (!confirmed)
            return std::unexpected(confirmed.error());
        return {};
    }

    // The host's state as the agent reports it, as JSON text (empty when it cannot).
    std::string stateJson()
    {
        auto s = state();
        return s ? QJsonDocument(s->state.toJson()).toJson().toStdString() : std::string();
    }

    // OVSDB (the managed columns of every row, by name) and every bridge's flows.
    std::string snapshot() const { return snapshotText().toStdString(); }
    QString snapshotText() const
    {
        QHash<QString, QString> names;
        std::vector<std::pair<QString, QJsonArray>> rows;
        for (const Table &t : kTables) {
            auto out = ovs->vsctl({QStringLiteral("--format=json"), QStringLiteral("--data=json"),
                                   QStringLiteral("--columns=") + QLatin1String(t.columns),
                                   QStringLiteral("list"), QLatin1String(t.name)});
            if (!out)
                return out.error().message;
            for (const QJsonValue &row : QJsonDocument::fromJson(*out)["data"].toArray()) {
                const QJsonArray r = row.toArray();
                const QString uuid = r.at(0).toArray().at(1).toString();
                names.insert(uuid, QLatin1String(t.name) + QLatin1Char(':') +
                                       (r.size() > 1 ? r.at(1).toString() : QStringLiteral(".")));
                rows.emplace_back(QLatin1String(t.name), r);
            }
        }
        QStringList lines;
        for (const auto &[table, r] : rows) {
            QStringList cells{table};
            for (qsizetype i = 1; i < r.size(); ++i)
                cells << compact(byName(r.at(i), names));
            lines << cells.join(u' ');
        }
        lines.sort();
        return lines.join(u'\n') + QLatin1Char('\n') + flows();
    }

    QString flows() const
    {
        QStringList out;
        auto bridges = ovs->vsctl({QStringLiteral("list-br")});
        for (const QByteArray &b : bridges.value_or(QByteArray()).trimmed().split('\n')) {
            if (b.isEmpty())
                continue;
            auto dump = ovs->ofctl({QStringLiteral("-O"), QStringLiteral("OpenFlow14"),
                                    QStringLiteral("--names"), QStringLiteral("--no-stats"),
                                    QStringLiteral("dump-flows"), QString::fromUtf8(b)});
            QStringList lines = dump ? QString::fromUtf8(*dump).split(u'\n', Qt::SkipEmptyParts)
                                     : QStringList{QStringLiteral("(no flows)")};
            lines.sort();
            out << QStringLiteral("flows of %1:").arg(QString::fromUtf8(b)) << lines;
        }
        return out.join(u'\n');
    }

    // VM FROM reaches TO within 15 s (the userspace datapath settles after ports come back).
    bool reaches(const QString &from, const QString &to)
    {
        for (QDeadlineTimer settle(15000); !settle.hasExpired();)
            if (vms.at(from)->ping(to, 1, 2))
                return true;
        return false;
    }

    NetNs host;
    std::unique_ptr<OvsInstance> ovs;
    std::map<QString, std::unique_ptr<Vm>> vms;
    QTemporaryDir stateDir{QStringLiteral("/tmp/cvt-recovery-XXXXXX")};
    OwnedProcess *agent = nullptr;
    collectors::TlsIdentity console;
    QString agentFingerprint;
    collectors::AgentClient client;
    std::unique_ptr<NetnsScope> scope; // last: the thread leaves the namespace first

private:
    int m_starts = 0;
};

#define SET_UP_HOST(h, ...)                                                                        \
    ensureApp(); /* before the host: its TLS members load the TLS backend */                       \
    RecoveryHost h;                                                                                \
    {                                                                                              \
        QString why;                                                                               \
        if (!h.setUp(&why, __VA_ARGS__)) {                                                         \
            if (::geteuid() != 0 || why.contains(QStringLiteral("not installed")))                 \
                GTEST_SKIP() << why.toStdString();                                                 \
            FAIL() << why.toStdString() << "\n" << (h.ovs ? h.ovs->logTail().toStdString() : "");  \
        }                                                                                          \
    }

// The tests need a kernel without the Open vSwitch datapath, like the host.
#define SKIP_WITH_KERNEL_DATAPATH()                                                                \
    if (collectors::kernelHasOvsDatapath())                                                        \
        GTEST_SKIP() << "this kernel has the Open vSwitch datapath: datapath=system bridges work";

std::string text(const core::Error &e)
{
    return (e.reason + QStringLiteral(": ") + e.message).toStdString();
}

bool mentions(const QStringList &problems, const QString &what)
{
    return std::ranges::any_of(problems, [&](const QString &p) { return p.contains(what); });
}

} // namespace

TEST(AgentRecovery, FirstDeployWithAMissingDatapathFailsCleanlyAndACorrectedOneSucceeds)
{
    SKIP_WITH_KERNEL_DATAPATH();
    SET_UP_HOST(h, {QStringLiteral("v1"), QStringLiteral("v2"), QStringLiteral("v3")});
    ASSERT_TRUE(h.startAgent(QStringLiteral("system"))) << h.agentLog().toStdString();
    auto hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_EQ(hello->datapath, QStringLiteral("system"));
    const std::string before = h.snapshot();
    const std::string stateBefore = h.stateJson();

    // ovs-vsctl commits the bridges, ovs-vswitchd cannot create them, the flows fail.
    for (int attempt = 1; attempt <= 2; ++attempt) {
        SCOPED_TRACE(attempt);
        auto applied = h.apply(labAndBrVm());
        ASSERT_FALSE(applied);
        EXPECT_EQ(applied.error().reason, QStringLiteral("apply-failed")) << text(applied.error());
        EXPECT_TRUE(applied.error().message.contains(QStringLiteral("previous state was restored")))
            << text(applied.error());
        EXPECT_TRUE(applied.error().message.contains(QStringLiteral("could not create bridge")))
            << text(applied.error());
        EXPECT_EQ(h.snapshot(), before);
        EXPECT_EQ(h.stateJson(), stateBefore);
        EXPECT_FALSE(QFile::exists(h.journalPath()));
        EXPECT_TRUE(h.agent->isRunning()) << h.agentLog().toStdString();
    }
    hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_TRUE(hello->problems.isEmpty()) << hello->problems.join(u'\n').toStdString();
    EXPECT_TRUE(hello->pendingTransaction.isEmpty());

    // The admin corrects the config: auto finds the datapath this host has.
    ASSERT_TRUE(h.startAgent(QStringLiteral("auto"))) << h.agentLog().toStdString();
    hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_EQ(hello->datapath, QStringLiteral("netdev"));
    ASSERT_TRUE(h.applyAndConfirm(labAndBrVm())) << h.agentLog().toStdString();
    auto state = h.state();
    ASSERT_TRUE(state) << text(state.error());
    ASSERT_EQ(state->state.bridges.size(), 2u);
    for (const Bridge &b : state->state.bridges)
        EXPECT_EQ(b.datapathType, QStringLiteral("netdev")) << b.name.toStdString();
    EXPECT_TRUE(state->problems.isEmpty()) << state->problems.join(u'\n').toStdString();
    EXPECT_TRUE(h.reaches(QStringLiteral("v1"), QStringLiteral("10.88.0.2")));
}

TEST(AgentRecovery, DatapathChangeThatCannotBeRealizedRestoresTheWorkingBridge)
{
    SKIP_WITH_KERNEL_DATAPATH();
    SET_UP_HOST(h, {QStringLiteral("v1"), QStringLiteral("v2"), QStringLiteral("v3")});
    ASSERT_TRUE(h.startAgent(QStringLiteral("netdev"))) << h.agentLog().toStdString();
    ASSERT_TRUE(h.applyAndConfirm(labOnly())) << h.agentLog().toStdString();
    ASSERT_TRUE(h.reaches(QStringLiteral("v1"), QStringLiteral("10.88.0.2")));
    const std::string before = h.snapshot();
    const std::string stateBefore = h.stateJson();

    ASSERT_TRUE(h.startAgent(QStringLiteral("system"))) << h.agentLog().toStdString();
    // The plan says the re-creation cuts the VMs on lab.
    auto plan = h.plan(labAndBrVm());
    ASSERT_TRUE(plan) << text(plan.error());
    EXPECT_GE(plan->plan.destructive, 1);
    EXPECT_TRUE(plan->plan.diff.contains(QStringLiteral("! re-create bridge lab\n"
                                                        "      datapath: netdev (userspace) -> "
                                                        "system (kernel)\n"
                                                        "      interrupts ports mgmt0, v1, v2\n")))
        << plan->plan.diff.toStdString();
    EXPECT_TRUE(plan->plan.notes.join(u'\n').contains(
        QStringLiteral("the VMs and management vNICs on its 3 ports lose their traffic")))
        << plan->plan.notes.join(u'\n').toStdString();

    auto applied = h.apply(labAndBrVm());
    ASSERT_FALSE(applied);
    EXPECT_EQ(applied.error().reason, QStringLiteral("apply-failed")) << text(applied.error());
    EXPECT_TRUE(applied.error().message.contains(QStringLiteral("previous state was restored")))
        << text(applied.error());
    EXPECT_EQ(h.snapshot(), before);
    EXPECT_EQ(h.stateJson(), stateBefore);
    EXPECT_FALSE(QFile::exists(h.journalPath()));
    EXPECT_TRUE(h.reaches(QStringLiteral("v1"), QStringLiteral("10.88.0.2")));

    // Still serving, and a corrected deploy succeeds.
    ASSERT_TRUE(h.startAgent(QStringLiteral("auto"))) << h.agentLog().toStdString();
    ASSERT_TRUE(h.applyAndConfirm(labAndBrVm())) << h.agentLog().toStdString();
    EXPECT_TRUE(h.reaches(QStringLiteral("v1"), QStringLiteral("10.88.0.2")));
}

TEST(AgentRecovery, StartsAndReportsWithForeignHalfMadeBridges)
{
    SKIP_WITH_KERNEL_DATAPATH();
    SET_UP_HOST(h, {QStringLiteral("v1")});
    // Left by someone else: one bridge of another tool, one marked as Converge's (an older agent,
    // or a journal removed by hand). ovs-vsctl succeeds; ovs-vswitchd cannot create either.
    for (const QStringList &args :
         {QStringList{QStringLiteral("add-br"), QStringLiteral("brx"), QStringLiteral("--"),
                      QStringLiteral("set"), QStringLiteral("Bridge"), QStringLiteral("brx"),
                      QStringLiteral("datapath_type=system")},
          QStringList{QStringLiteral("add-br"), QStringLiteral("brm"), QStringLiteral("--"),
                      QStringLiteral("set"), QStringLiteral("Bridge"), QStringLiteral("brm"),
                      QStringLiteral("datapath_type=system"),
                      QStringLiteral("external_ids:converge-managed=true"),
                      QStringLiteral("external_ids:converge-id=rec1.brm"),
                      QStringLiteral("external_ids:converge-flows=0123"),
                      QStringLiteral("external_ids:converge-flow-count=3")}})
        ASSERT_TRUE(h.ovs->vsctl(args));
    ASSERT_TRUE(h.startAgent(QStringLiteral("system"))) << h.agentLog().toStdString();
    auto hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_TRUE(mentions(hello->problems, QStringLiteral("bridge brx (datapath system, not "
                                                         "managed by Converge)")))
        << hello->problems.join(u'\n').toStdString();
    EXPECT_TRUE(mentions(hello->problems, QStringLiteral("bridge brm (datapath system) is in OVSDB "
                                                         "but ovs-vswitchd does not serve it")))
        << hello->problems.join(u'\n').toStdString();
    auto state = h.state();
    ASSERT_TRUE(state) << text(state.error());
    EXPECT_EQ(state->state.unmanagedBridges, QStringList{QStringLiteral("brx")});
    ASSERT_EQ(state->state.bridges.size(), 1u);
    EXPECT_EQ(state->state.bridges[0].name, QStringLiteral("brm"));
    EXPECT_TRUE(state->state.bridges[0].flowsDigest.isEmpty()) << "its flow table is unknown";
    EXPECT_EQ(state->problems.size(), 2) << state->problems.join(u'\n').toStdString();

    // A plan that keeps brm as it is could not install its flows: refused, nothing changed.
    const std::string before = h.snapshot();
    const HostState keepBrm =
        hostWith({bridge(QStringLiteral("brm"), {vmPort(QStringLiteral("v1"), true)})});
    auto refused = h.apply(keepBrm);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().reason, QStringLiteral("host-unsupported")) << text(refused.error());
    EXPECT_TRUE(refused.error().message.contains(QStringLiteral("ovs-vsctl del-br brm")))
        << text(refused.error());
    EXPECT_EQ(h.snapshot(), before);

    // With the datapath this host has, the plan re-creates brm; an empty design removes it. The
    // foreign bridge is left alone throughout.
    ASSERT_TRUE(h.startAgent(QStringLiteral("auto"))) << h.agentLog().toStdString();
    ASSERT_TRUE(h.applyAndConfirm(keepBrm)) << h.agentLog().toStdString();
    state = h.state();
    ASSERT_TRUE(state) << text(state.error());
    ASSERT_EQ(state->state.bridges.size(), 1u);
    EXPECT_EQ(state->state.bridges[0].datapathType, QStringLiteral("netdev"));
    EXPECT_FALSE(state->state.bridges[0].flowsDigest.isEmpty());
    EXPECT_EQ(state->problems.size(), 1) << state->problems.join(u'\n').toStdString();
    ASSERT_TRUE(h.applyAndConfirm(hostWith({}))) << h.agentLog().toStdString();
    EXPECT_FALSE(h.ovs->vsctl({QStringLiteral("br-exists"), QStringLiteral("brm")}));
    EXPECT_TRUE(h.ovs->vsctl({QStringLiteral("br-exists"), QStringLiteral("brx")}));
}

// A bridge ovs-vswitchd never served, re-created by an apply that then fails elsewhere: the
// restore puts its OVSDB rows back as they were, without flows it cannot have, and does not
// retry for ever.
TEST(AgentRecovery, AFailedApplyPutsBackABridgeOvsVswitchdNeverServed)
{
    SKIP_WITH_KERNEL_DATAPATH();
    SET_UP_HOST(h, {QStringLiteral("v1")});
    // What a failed apply of an agent without this fix left: the bridge, its flow table recorded.
    const QStringList flows = core::realize::bridgeFlows(bridge(QStringLiteral("brm"), {}));
    ASSERT_TRUE(h.ovs->vsctl(
        {QStringLiteral("add-br"), QStringLiteral("brm"), QStringLiteral("--"),
         QStringLiteral("set"), QStringLiteral("Bridge"), QStringLiteral("brm"),
         QStringLiteral("datapath_type=system"),
         QStringLiteral("protocols=OpenFlow10,OpenFlow13,OpenFlow14"),
         QStringLiteral("external_ids:converge-managed=true"),
         QStringLiteral("external_ids:converge-id=rec1.brm"),
         QStringLiteral("external_ids:converge-sriov=false"),
         QStringLiteral("external_ids:converge-flows=") + core::realize::flowsDigest(flows),
         QStringLiteral("external_ids:converge-flow-count=%1").arg(flows.size())}));
    ASSERT_TRUE(h.startAgent(QStringLiteral("auto"))) << h.agentLog().toStdString();
    const std::string before = h.snapshot();
    const std::string stateBefore = h.stateJson();

    // brm is re-created with the userspace datapath; the guard of v9, whose VM is not running,
    // cannot be installed.
    auto applied =
        h.apply(hostWith({bridge(QStringLiteral("brm"), {vmPort(QStringLiteral("v1"), true),
                                                         vmPort(QStringLiteral("v9"), true)})}));
    ASSERT_FALSE(applied);
    EXPECT_EQ(applied.error().reason, QStringLiteral("apply-failed")) << text(applied.error());
    EXPECT_TRUE(applied.error().message.contains(QStringLiteral("previous state was restored")))
        << text(applied.error()) << h.agentLog().toStdString();
    EXPECT_EQ(h.snapshot(), before);
    EXPECT_EQ(h.stateJson(), stateBefore);
    EXPECT_FALSE(QFile::exists(h.journalPath()));
    auto hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_TRUE(hello->pendingTransaction.isEmpty());
    EXPECT_TRUE(mentions(hello->problems, QStringLiteral("bridge brm (datapath system)")))
        << hello->problems.join(u'\n').toStdString();
}

TEST(AgentRecovery, ADamagedJournalIsReportedAndBlocksAppliesUntilRemoved)
{
    SET_UP_HOST(h, {QStringLiteral("v1"), QStringLiteral("v2")});
    ASSERT_TRUE(QDir().mkpath(h.stateDir.filePath(QStringLiteral("state"))));
    QFile journal(h.journalPath());
    ASSERT_TRUE(journal.open(QIODevice::WriteOnly));
    journal.write("{\"phase\": \"applying\", \"previous\": ");
    journal.close();
    ASSERT_TRUE(h.startAgent(QStringLiteral("auto"))) << h.agentLog().toStdString();
    auto hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_TRUE(mentions(hello->problems, QStringLiteral("is damaged")))
        << hello->problems.join(u'\n').toStdString();
    auto refused = h.apply(labOnly());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().reason, QStringLiteral("journal")) << text(refused.error());
    EXPECT_TRUE(refused.error().message.contains(h.journalPath())) << text(refused.error());

    ASSERT_TRUE(QFile::remove(h.journalPath()));
    ASSERT_TRUE(h.applyAndConfirm(labOnly())) << h.agentLog().toStdString();
    hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_TRUE(hello->problems.isEmpty()) << hello->problems.join(u'\n').toStdString();
}

TEST(AgentRecovery, ARollbackThatFailsAtStartIsRetriedWhileTheAgentServes)
{
    SET_UP_HOST(h, {QStringLiteral("v1"), QStringLiteral("v2")});
    ASSERT_TRUE(h.startAgent(QStringLiteral("auto"))) << h.agentLog().toStdString();
    ASSERT_TRUE(h.applyAndConfirm(labOnly())) << h.agentLog().toStdString();
    h.stopAgent();
    // The journal of an apply that was under way: the state before had a guarded port v9 whose
    // veth is gone now, so its flows cannot be restored until it is back.
    HostState previous = labOnly();
    previous.bridges[0].datapathType = QStringLiteral("netdev");
    previous.bridges[0].ports.push_back(vmPort(QStringLiteral("v9"), true));
    previous.normalize();
    QFile journal(h.journalPath());
    ASSERT_TRUE(journal.open(QIODevice::WriteOnly));
    journal.write(QJsonDocument(QJsonObject{{QStringLiteral("phase"), QStringLiteral("applying")},
                                            {QStringLiteral("transaction"),
                                             QStringLiteral("t-00000000000000aa")},
                                            {QStringLiteral("deadlineMs"), 0},
                                            {QStringLiteral("previous"), previous.toJson()},
                                            {QStringLiteral("desired"), labOnly().toJson()}})
                      .toJson());
    journal.close();

    ASSERT_TRUE(h.startAgent(QStringLiteral("auto"))) << h.agentLog().toStdString();
    auto hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_EQ(hello->pendingTransaction, QStringLiteral("t-00000000000000aa"));
    EXPECT_TRUE(mentions(hello->problems, QStringLiteral("could not be rolled back yet")))
        << hello->problems.join(u'\n').toStdString();
    auto busy = h.apply(labOnly());
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().reason, QStringLiteral("busy")) << text(busy.error());
    EXPECT_TRUE(busy.error().message.contains(QStringLiteral("could not be rolled back yet")))
        << text(busy.error());

    // The VM is back: the next retry (every 5 s) restores the state before.
    Vm v9(h.host, QStringLiteral("v9"), QStringLiteral("02:88:00:00:00:09"),
          QStringLiteral("10.88.0.99/24"));
    ASSERT_TRUE(v9.isValid()) << v9.error().toStdString();
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired() && QFile::exists(h.journalPath()))
        QThread::msleep(200);
    EXPECT_FALSE(QFile::exists(h.journalPath())) << h.agentLog().toStdString();
    hello = h.hello();
    ASSERT_TRUE(hello) << text(hello.error());
    EXPECT_TRUE(hello->pendingTransaction.isEmpty());
    EXPECT_TRUE(hello->problems.isEmpty()) << hello->problems.join(u'\n').toStdString();
    auto state = h.state();
    ASSERT_TRUE(state) << text(state.error());
    EXPECT_EQ(QJsonDocument(state->state.toJson()).toJson().toStdString(),
              QJsonDocument(core::realize::afterApply(previous).toJson()).toJson().toStdString());
}
