// converged on the wire (root): a private Open vSwitch with the userspace datapath in a host
// namespace, VMs in namespaces of their own, the agent enrolled over TLS, the lab design applied
// through the protocol, and then behaviour checked with real traffic: VLANs, PVLAN, ACLs, guards,
// spoofing, team failover, mirroring, commit-confirmed rollback and kill -9 recovery.
#include "collectors/channel/channel.h"
#include "collectors/channel/enrollment.h"
#include "collectors/channel/tlsidentity.h"
#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/model/design.h"
#include "core/realize/desiredstate.h"
#include "ovsenv.h"

#include "testapp.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <csignal>

using namespace converge;
using namespace converge::testing;

namespace {

struct VmSpec
{
    const char *name;
    const char *ip;
};

// The lab design's VMs (tests/agent/data/ovs-lab.converge.json) and their addresses.
const VmSpec kVms[] = {
    {"a1", "10.77.10.1/24"},   {"a2", "10.77.10.2/24"},   {"b1", "10.77.10.3/24"},
    {"iso1", "10.77.30.1/24"}, {"iso2", "10.77.30.2/24"}, {"prom", "10.77.30.3/24"},
    {"acl1", "10.77.40.1/24"}, {"acl2", "10.77.40.2/24"}, {"acl3", "10.77.40.3/24"},
    {"g1", "10.77.50.1/24"},   {"g2", "10.77.50.2/24"},   {"s1", "10.77.60.1/24"},
    {"s2", "10.77.60.2/24"},   {"mon", "10.77.10.9/24"},  {"t1", "10.77.70.1/24"},
};

QString ip(const char *vm)
{
    for (const VmSpec &v : kVms)
        if (qstrcmp(v.name, vm) == 0)
            return QString::fromLatin1(v.ip).section(u'/', 0, 0);
    return {};
}

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

// One lab host: OVS, 15 VMs, a physical switch (a Linux bridge in its own namespace) behind the
// two team members with a far end, and converged enrolled with a test console.
class Lab
{
public:
    bool setUp(QString *why, int faultPauseMs = 0)
    {
        ensureApp();
        if (!haveRootAndOvs(why))
            return false;
        const auto fail = [&](const QString &what) {
            *why = what;
            return false;
        };
        if (!host.isValid() || !phys.isValid())
            return fail(QStringLiteral("namespaces: ") + host.error() + phys.error());
        ovs = std::make_unique<OvsInstance>(host);
        if (!ovs->isValid())
            return fail(QStringLiteral("OVS: ") + ovs->error());
        if (auto r = host.run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                               QStringLiteral("lo"), QStringLiteral("up")});
            !r)
            return fail(r.error().message);

        QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"));
        if (!f.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the lab design"));
        auto d = core::designdocument::load(f.readAll());
        if (!d)
            return fail(d.error().message);
        design = std::move(*d);

        for (const VmSpec &spec : kVms) {
            const core::Element *nic =
                design.find(QStringLiteral("lab1.%1.nic").arg(QLatin1String(spec.name)));
            if (!nic)
                return fail(QStringLiteral("no vNIC for %1").arg(QLatin1String(spec.name)));
            const QString mac =
                core::realize::canonicalMac(nic->value(QLatin1String("mac")).toString());
            auto vm =
                std::make_unique<Vm>(host, QLatin1String(spec.name), mac, QLatin1String(spec.ip));
            if (!vm->isValid())
                return fail(QStringLiteral("VM %1: %2").arg(QLatin1String(spec.name), vm->error()));
            vms.emplace(QLatin1String(spec.name), std::move(vm));
        }
        // The physical switch: a Linux bridge with both team members and the far end.
        for (const char *pair : {"1", "2"}) {
            const QString up = QStringLiteral("up") + QLatin1String(pair);
            const QString p = QStringLiteral("p") + QLatin1String(pair);
            for (const QStringList &argv :
                 {QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"),
                              up, QStringLiteral("type"), QStringLiteral("veth"),
                              QStringLiteral("peer"), QStringLiteral("name"), p,
                              QStringLiteral("netns"), phys.name()},
                  QStringList{QStringLiteral("ethtool"), QStringLiteral("-K"), up,
                              QStringLiteral("tx"), QStringLiteral("off")},
                  QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                              up, QStringLiteral("up")}})
                if (auto r = host.run(argv); !r)
                    return fail(r.error().message);
        }
        far =
            std::make_unique<Vm>(phys, QStringLiteral("pfar"), QStringLiteral("02:cf:00:00:02:01"),
                                 QStringLiteral("10.77.70.2/24"));
        if (!far->isValid())
            return fail(QStringLiteral("far end: ") + far->error());
        for (const QStringList &argv :
             {QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"),
                          QStringLiteral("br0"), QStringLiteral("type"), QStringLiteral("bridge")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("p1"), QStringLiteral("master"), QStringLiteral("br0"),
                          QStringLiteral("up")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("p2"), QStringLiteral("master"), QStringLiteral("br0"),
                          QStringLiteral("up")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("pfar"), QStringLiteral("master"), QStringLiteral("br0")},
              QStringList{QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("br0"), QStringLiteral("up")}})
            if (auto r = phys.run(argv); !r)
                return fail(r.error().message);

        // converged: config, a one-time token, start, enroll.
        config = stateDir.filePath(QStringLiteral("converged.conf"));
        QFile c(config);
        if (!c.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write ") + config);
        c.write(QStringLiteral("# test agent\nlisten = 127.0.0.1:7443\nstate_dir = %1/state\n"
                               "ovs_db = %2/db.sock\novs_rundir = %2\ndatapath = netdev\n"
                               "host_name = lab1\n")
                    .arg(stateDir.path(), ovs->dir())
                    .toUtf8());
        c.close();
        auto token = host.run(
            {agentBinary(), QStringLiteral("--config"), config, QStringLiteral("--issue-token")});
        if (!token)
            return fail(token.error().message);
        if (auto r = startAgent(faultPauseMs); !r)
            return fail(r.error().message);
        auto identity = collectors::generateIdentity(QStringLiteral("test console"));
        if (!identity)
            return fail(identity.error().message);
        console = *identity;
        scope = std::make_unique<NetnsScope>(host.name());
        if (!scope->isValid())
            return fail(scope->error());
        auto fp = collectors::enrollWithToken(QStringLiteral("127.0.0.1"), 7443, console,
                                              QString::fromUtf8(token->trimmed()), 10000);
        if (!fp)
            return fail(QStringLiteral("enrollment: ") + fp.error().message);
        agentFingerprint = *fp;
        return true;
    }

    static QString agentBinary() { return QStringLiteral(CONVERGE_BINARY_DIR "/app/converged"); }

    core::Result<void> startAgent(int faultPauseMs = 0)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (faultPauseMs > 0)
            env.insert(QStringLiteral("CONVERGED_FAULT_PAUSE_MS"), QString::number(faultPauseMs));
        else
            env.remove(QStringLiteral("CONVERGED_FAULT_PAUSE_MS"));
        auto p = host.spawn({agentBinary(), QStringLiteral("--config"), config}, env,
                            stateDir.filePath(QStringLiteral("agent-%1.log").arg(++m_starts)));
        if (!p)
            return std::unexpected(p.error());
        agent = *p;
        // Ready when it accepts TCP connections (it reads its journal before listening).
        QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired()) {
            auto r = host.exec({QStringLiteral("bash"), QStringLiteral("-c"),
                                QStringLiteral("exec 3<>/dev/tcp/127.0.0.1/7443")},
                               2000);
            if (r && r->exitCode == 0)
                return {};
            if (!agent->isRunning())
                return core::invalid(QStringLiteral("converged exited: ") + agentLog());
            QThread::msleep(100);
        }
        return core::invalid(QStringLiteral("converged did not start listening: ") + agentLog());
    }

    QString agentLog() const
    {
        QFile f(stateDir.filePath(QStringLiteral("agent-%1.log").arg(m_starts)));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll().right(3000)) : QString();
    }

    core::Result<core::protocol::Message> request(const QString &type, const QJsonObject &body = {},
                                                  int timeoutMs = 60000)
    {
        if (!client.isConnected()) {
            if (auto c = client.connectTo(QStringLiteral("127.0.0.1"), 7443, console,
                                          agentFingerprint, 10000);
                !c)
                return std::unexpected(c.error());
        }
        return client.request(type, body, timeoutMs);
    }

    QJsonObject desiredJson(const core::Design &d) const
    {
        auto s = core::realize::desiredState(d, QStringLiteral("lab1"));
        EXPECT_TRUE(s) << (s ? "" : s.error().message.toStdString());
        return s ? s->toJson() : QJsonObject();
    }

    // Applies the design and confirms it.
    core::Result<QJsonObject> applyAndConfirm(const core::Design &d)
    {
        auto applied =
            request(QStringLiteral("apply"), {{QStringLiteral("desired"), desiredJson(d)}});
        if (!applied)
            return std::unexpected(applied.error());
        const QString txn = applied->body.value(QLatin1String("transaction")).toString();
        if (!txn.isEmpty())
            if (auto c = request(QStringLiteral("confirm"), {{QStringLiteral("transaction"), txn}});
                !c)
                return std::unexpected(c.error());
        return applied->body;
    }

    QJsonObject state()
    {
        auto s = request(QStringLiteral("state"));
        EXPECT_TRUE(s) << (s ? "" : s.error().message.toStdString());
        return s ? s->body : QJsonObject();
    }

    Vm &vm(const char *name) { return *vms.at(QLatin1String(name)); }

    // Starts a sniffer in VM `name`, runs `send`, and returns how many frames with `marker` came.
    int framesSeen(const char *name, const QString &marker, const std::function<void()> &send,
                   double seconds = 3.0)
    {
        QProcess sniffer;
        sniffer.setProgram(collectors::ovs::findTool(QStringLiteral("ip")));
        sniffer.setArguments(vm(name).ns().execPrefix()
                             << QStringLiteral("python3")
                             << QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/nettool.py")
                             << QStringLiteral("sniff") << QStringLiteral("eth0")
                             << QString::number(seconds) << marker);
        sniffer.start();
        if (!sniffer.waitForReadyRead(10000))
            return -1;
        send();
        if (!sniffer.waitForFinished(int(seconds * 1000) + 10000))
            return -2;
        const QList<QByteArray> lines = sniffer.readAllStandardOutput().trimmed().split('\n');
        bool ok = false;
        const int n = lines.last().toInt(&ok);
        return ok ? n : -3;
    }

    bool sendUdp(const char *from, const QString &srcMac, int sport, int dport,
                 const QString &marker)
    {
        auto r = vm(from).exec({QStringLiteral("python3"),
                                QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/nettool.py"),
                                QStringLiteral("udp"), QStringLiteral("eth0"), srcMac, ip(from),
                                QString::number(sport), QString::number(dport), marker,
                                QStringLiteral("5")});
        return r && r->exitCode == 0;
    }

    QString macOf(const char *vmName) const
    {
        const core::Element *nic =
            design.find(QStringLiteral("lab1.%1.nic").arg(QLatin1String(vmName)));
        return nic ? core::realize::canonicalMac(nic->value(QLatin1String("mac")).toString())
                   : QString();
    }

    NetNs host;
    NetNs phys;
    std::unique_ptr<OvsInstance> ovs;
    std::map<QString, std::unique_ptr<Vm>> vms;
    std::unique_ptr<Vm> far;
    QTemporaryDir stateDir{QStringLiteral("/tmp/cvt-agent-XXXXXX")};
    QString config;
    OwnedProcess *agent = nullptr;
    collectors::TlsIdentity console;
    QString agentFingerprint;
    std::unique_ptr<NetnsScope> scope;
    collectors::AgentClient client;
    core::Design design;

private:
    int m_starts = 0;
};

#define SET_UP_LAB(lab, ...)                                                                       \
    ensureApp(); /* before the Lab: its TLS members load the TLS backend */                        \
    Lab lab;                                                                                       \
    {                                                                                              \
        QString why;                                                                               \
        if (!lab.setUp(&why __VA_OPT__(, ) __VA_ARGS__)) {                                         \
            if (::geteuid() != 0 || why.contains(QStringLiteral("not installed")))                 \
                GTEST_SKIP() << why.toStdString();                                                 \
            FAIL() << why.toStdString() << "\n"                                                    \
                   << (lab.ovs ? lab.ovs->logTail().toStdString() : "");                           \
        }                                                                                          \
    }

} // namespace

TEST(AgentOnOvs, HelloNeedsEnrollmentAndAnswersTheEnrolledConsole)
{
    SET_UP_LAB(lab);
    auto hello = lab.request(QStringLiteral("hello"),
                             {{QStringLiteral("version"), QStringLiteral("0.1.0")}});
    ASSERT_TRUE(hello) << hello.error().message.toStdString();
    EXPECT_EQ(hello->body.value(QLatin1String("host")).toString(), QStringLiteral("lab1"));
    EXPECT_EQ(hello->body.value(QLatin1String("datapath")).toString(), QStringLiteral("netdev"));

    // Another console (a certificate the agent never pinned) gets nothing.
    auto stranger = collectors::generateIdentity(QStringLiteral("stranger"));
    ASSERT_TRUE(stranger);
    collectors::AgentClient other;
    auto c =
        other.connectTo(QStringLiteral("127.0.0.1"), 7443, *stranger, lab.agentFingerprint, 5000);
    if (c) {
        auto r = other.request(QStringLiteral("hello"),
                               {{QStringLiteral("version"), QStringLiteral("1")}}, 3000);
        EXPECT_FALSE(r) << "an unenrolled console got a reply";
    }
}

TEST(AgentOnOvs, AppliedLabBehavesAsDesigned)
{
    SET_UP_LAB(lab);
    const QJsonObject before = lab.state().value(QLatin1String("state")).toObject();
    auto applied = lab.applyAndConfirm(lab.design);
    ASSERT_TRUE(applied) << applied.error().message.toStdString() << lab.agentLog().toStdString();
    EXPECT_TRUE(applied->value(QLatin1String("changed")).toBool());
    EXPECT_NE(lab.state().value(QLatin1String("state")).toObject(), before);

    // Idempotence on the wire: the same design plans nothing now.
    auto again = lab.request(QStringLiteral("plan"),
                             {{QStringLiteral("desired"), lab.desiredJson(lab.design)}});
    ASSERT_TRUE(again) << again.error().message.toStdString();
    EXPECT_TRUE(again->body.value(QLatin1String("plan"))
                    .toObject()
                    .value(QLatin1String("operations"))
                    .toArray()
                    .isEmpty())
        << json(again->body).toStdString();

    {
        SCOPED_TRACE("VLANs: same VLAN reaches, another VLAN does not");
        EXPECT_TRUE(lab.vm("a1").ping(ip("a2")));
        EXPECT_FALSE(lab.vm("a1").ping(ip("b1"), 2, 2));
    }
    {
        SCOPED_TRACE("management vNIC: internal port with its address on VLAN 99");
        auto addr =
            lab.host.run({QStringLiteral("ip"), QStringLiteral("-br"), QStringLiteral("addr"),
                          QStringLiteral("show"), QStringLiteral("mgmt0")});
        ASSERT_TRUE(addr) << addr.error().message.toStdString();
        EXPECT_TRUE(addr->contains("10.77.99.1/24")) << addr->toStdString();
    }
    {
        SCOPED_TRACE("PVLAN: an isolated port reaches only the promiscuous one");
        EXPECT_TRUE(lab.vm("iso1").ping(ip("prom")));
        EXPECT_FALSE(lab.vm("iso1").ping(ip("iso2"), 2, 2));
        EXPECT_TRUE(lab.vm("iso2").ping(ip("prom")));
    }
    {
        SCOPED_TRACE("ACLs: deny blocks, meter counts");
        EXPECT_FALSE(lab.vm("acl1").ping(ip("acl3"), 2, 2));
        EXPECT_TRUE(lab.vm("acl1").ping(ip("acl2"), 4, 5));
        // Open vSwitch folds datapath counters into its flows about once a second.
        QJsonArray meters;
        QDeadlineTimer settle(5000);
        do {
            QThread::msleep(300);
            meters = lab.state().value(QLatin1String("meters")).toArray();
        } while (!settle.hasExpired() && meters.size() == 1 &&
                 meters[0].toObject().value(QLatin1String("packets")).toDouble() < 4);
        ASSERT_EQ(meters.size(), 1) << json(lab.state()).toStdString();
        const QJsonObject m = meters[0].toObject();
        EXPECT_EQ(m.value(QLatin1String("port")).toString(), QStringLiteral("acl1"));
        EXPECT_GE(m.value(QLatin1String("packets")).toDouble(), 4.0);
        EXPECT_GT(m.value(QLatin1String("bytes")).toDouble(), 0.0);
    }
    {
        SCOPED_TRACE("DHCP guard drops a DHCP offer a VM sends");
        const QString marker = QStringLiteral("d4c9a0ff");
        EXPECT_EQ(lab.framesSeen("g2", marker,
                                 [&] { lab.sendUdp("g1", lab.macOf("g1"), 67, 68, marker); }),
                  0);
        // Control: the same offer from the unguarded VM arrives, so the sniffer works.
        EXPECT_GT(lab.framesSeen("g1", marker,
                                 [&] { lab.sendUdp("g2", lab.macOf("g2"), 67, 68, marker); }),
                  0);
    }
    {
        SCOPED_TRACE("MAC spoofing off drops frames with a forged source MAC");
        const QString marker = QStringLiteral("5900f0f0");
        const QString forged = QStringLiteral("02:cf:de:ad:be:ef");
        EXPECT_EQ(
            lab.framesSeen("s2", marker, [&] { lab.sendUdp("s1", forged, 5000, 5001, marker); }),
            0);
        EXPECT_GT(lab.framesSeen("s2", marker,
                                 [&] { lab.sendUdp("s1", lab.macOf("s1"), 5000, 5001, marker); }),
                  0);
        EXPECT_GT(
            lab.framesSeen("s1", marker, [&] { lab.sendUdp("s2", forged, 5000, 5001, marker); }),
            0);
    }
    {
        SCOPED_TRACE("mirror: traffic between a1 and a2 is copied to the monitor port");
        const QString pattern = QStringLiteral("c0ffee42");
        const int seen = lab.framesSeen("mon", pattern, [&] {
            lab.vm("a1").exec({QStringLiteral("ping"), QStringLiteral("-c"), QStringLiteral("4"),
                               QStringLiteral("-i"), QStringLiteral("0.2"), QStringLiteral("-p"),
                               pattern, ip("a2")});
        });
        EXPECT_GE(seen, 8) << "requests and replies both mirrored";
    }
    {
        SCOPED_TRACE("active-backup team keeps traffic flowing when its active member goes down");
        EXPECT_TRUE(lab.vm("t1").ping(QStringLiteral("10.77.70.2")));
        auto show = lab.ovs->appctl({QStringLiteral("bond/show"), QStringLiteral("team0")});
        ASSERT_TRUE(show) << show.error().message.toStdString();
        EXPECT_TRUE(show->contains("active-backup")) << show->toStdString();
        EXPECT_TRUE(show->contains("active member mac")) << show->toStdString();
        ASSERT_TRUE(
            lab.phys.run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"),
                          QStringLiteral("p1"), QStringLiteral("down")}));
        QThread::msleep(1500);
        EXPECT_TRUE(lab.vm("t1").ping(QStringLiteral("10.77.70.2"), 5, 8));
        show = lab.ovs->appctl({QStringLiteral("bond/show"), QStringLiteral("team0")});
        ASSERT_TRUE(show);
        EXPECT_TRUE(show->contains("member up1: disabled")) << show->toStdString();
    }
}

TEST(AgentOnOvs, MalformedRequestsGetErrorsAndChangeNothing)
{
    SET_UP_LAB(lab);
    ASSERT_TRUE(lab.applyAndConfirm(lab.design));
    const QJsonObject before = lab.state().value(QLatin1String("state")).toObject();
    QJsonObject badTag = lab.desiredJson(lab.design);
    {
        QJsonArray bridges = badTag.value(QLatin1String("bridges")).toArray();
        QJsonObject b = bridges[0].toObject();
        QJsonArray ports = b.value(QLatin1String("ports")).toArray();
        QJsonObject p = ports[0].toObject();
        p.insert(QStringLiteral("tag"), 4095);
        p.insert(QStringLiteral("vlanMode"), QStringLiteral("access"));
        ports[0] = p;
        b.insert(QStringLiteral("ports"), ports);
        bridges[0] = b;
        badTag.insert(QStringLiteral("bridges"), bridges);
    }
    const std::vector<std::pair<QString, QJsonObject>> bad{
        {QStringLiteral("apply"), {{QStringLiteral("desired"), badTag}}},
        {QStringLiteral("apply"),
         {{QStringLiteral("desired"),
           QJsonObject{
               {QStringLiteral("bridges"),
                QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("x;reboot")}}}}}}}},
        {QStringLiteral("apply"),
         {{QStringLiteral("desired"), lab.desiredJson(lab.design)},
          {QStringLiteral("confirmTimeoutSec"), -5}}},
        {QStringLiteral("confirm"), {{QStringLiteral("transaction"), QStringLiteral("t-0000")}}},
        {QStringLiteral("rollback"), {}},
        {QStringLiteral("format-disk"), {}},
        // A name that would write a log line of its own (issue 13): it is refused, and logged
        // escaped on the line of its refusal.
        {QStringLiteral("plan"),
         {{QStringLiteral("desired"),
           QJsonObject{{QStringLiteral("bridges"),
                        QJsonArray{QJsonObject{
                            {QStringLiteral("name"),
                             QStringLiteral("br0\nFORGED transaction t-1 confirmed")}}}}}}}},
    };
    for (const auto &[type, body] : bad) {
        auto r = lab.request(type, body);
        ASSERT_FALSE(r) << type.toStdString();
        EXPECT_FALSE(r.error().message.isEmpty()) << type.toStdString();
    }
    const QString log = lab.agentLog();
    EXPECT_TRUE(log.contains(QLatin1String("br0\\nFORGED"))) << log.toStdString();
    for (const QString &line : log.split(u'\n'))
        EXPECT_FALSE(line.startsWith(QLatin1String("FORGED"))) << line.toStdString();
    EXPECT_EQ(lab.state().value(QLatin1String("state")).toObject(), before);
    EXPECT_TRUE(lab.vm("a1").ping(ip("a2")));
}

TEST(AgentOnOvs, UnconfirmedApplyRollsBackOnTimeExactly)
{
    SET_UP_LAB(lab);
    // A first, confirmed deployment; then a change that is never confirmed.
    ASSERT_TRUE(lab.applyAndConfirm(lab.design));
    const QJsonObject before = lab.state().value(QLatin1String("state")).toObject();
    core::Design changed = lab.design;
    auto e = core::commands::setProperty(changed, QStringLiteral("lab1.a2.nic"),
                                         QStringLiteral("accessVlan"), 20);
    ASSERT_TRUE(e);
    ASSERT_TRUE(changed.apply(*e));
    auto rm = core::commands::removeElements(
        changed, {QStringLiteral("lab1.mirror"), QStringLiteral("lab1.b1")});
    ASSERT_TRUE(rm);
    ASSERT_TRUE(changed.apply(*rm));

    QElapsedTimer clock;
    clock.start();
    auto applied =
        lab.request(QStringLiteral("apply"), {{QStringLiteral("desired"), lab.desiredJson(changed)},
                                              {QStringLiteral("confirmTimeoutSec"), 3}});
    ASSERT_TRUE(applied) << applied.error().message.toStdString();
    const QString txn = applied->body.value(QLatin1String("transaction")).toString();
    ASSERT_FALSE(txn.isEmpty());
    EXPECT_NE(lab.state().value(QLatin1String("state")).toObject(), before);
    EXPECT_FALSE(lab.vm("a1").ping(ip("a2"), 2, 2)); // a2 moved to VLAN 20
    EXPECT_TRUE(lab.state().contains(QLatin1String("pending")));

    // Wait for the deadline (3 s after the apply) and a little more.
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && lab.state().contains(QLatin1String("pending")))
        QThread::msleep(200);
    EXPECT_LT(clock.elapsed(), 9000) << "rolled back late";
    EXPECT_GE(clock.elapsed(), 3000) << "rolled back early";
    EXPECT_EQ(json(lab.state().value(QLatin1String("state")).toObject()), json(before));
    // The rollback re-created port b1, and the userspace datapath reconfigures its ports when one
    // is added: a1 reaches a2 again once that has settled, within seconds.
    bool reached = false;
    for (QDeadlineTimer settle(10000); !reached && !settle.hasExpired();)
        reached = lab.vm("a1").ping(ip("a2"), 1, 2);
    EXPECT_TRUE(reached) << lab.vm("a1").lastPing().toStdString()
                         << lab.ovs->ofctl({QStringLiteral("dump-flows"), QStringLiteral("lab")})
                                .value_or("")
                                .toStdString()
                         << lab.ovs->vsctl({QStringLiteral("show")}).value_or("").toStdString()
                         << lab.ovs->appctl({QStringLiteral("fdb/show"), QStringLiteral("lab")})
                                .value_or("")
                                .toStdString();
    auto late = lab.request(QStringLiteral("confirm"), {{QStringLiteral("transaction"), txn}});
    ASSERT_FALSE(late);
    EXPECT_TRUE(late.error().message.contains(QStringLiteral("unknown-transaction")));
}

TEST(AgentOnOvs, KillDuringApplyThenRestartRestoresThePreviousState)
{
    SET_UP_LAB(lab, 4000); // the agent pauses 4 s between the OVSDB transaction and the flows
    const QJsonObject before = lab.state().value(QLatin1String("state")).toObject();

    // Send the apply and do not wait for it: kill -9 the agent while it is half done.
    collectors::AgentClient applier;
    ASSERT_TRUE(applier.connectTo(QStringLiteral("127.0.0.1"), 7443, lab.console,
                                  lab.agentFingerprint, 5000));
    auto pending = applier.request(
        QStringLiteral("apply"), {{QStringLiteral("desired"), lab.desiredJson(lab.design)}}, 1500);
    ASSERT_FALSE(pending) << "the apply should still be paused";
    auto exists = lab.ovs->vsctl({QStringLiteral("br-exists"), QStringLiteral("lab")});
    EXPECT_TRUE(exists) << "the OVSDB transaction should have committed already";
    QFile journal(lab.stateDir.filePath(QStringLiteral("state/journal.json")));
    EXPECT_TRUE(journal.exists());
    ::kill(static_cast<pid_t>(lab.agent->pid()), SIGKILL);
    lab.agent->stop(2000);
    lab.client.disconnectFromAgent();

    ASSERT_TRUE(lab.startAgent()) << lab.agentLog().toStdString();
    EXPECT_EQ(json(lab.state().value(QLatin1String("state")).toObject()), json(before))
        << lab.agentLog().toStdString();
    EXPECT_FALSE(journal.exists());
    EXPECT_FALSE(lab.ovs->vsctl({QStringLiteral("br-exists"), QStringLiteral("lab")}));

    // And the host takes the apply normally afterwards.
    ASSERT_TRUE(lab.applyAndConfirm(lab.design));
    EXPECT_TRUE(lab.vm("a1").ping(ip("a2")));
}

TEST(AgentOnOvs, KillWhileAwaitingConfirmationRollsBackAfterRestart)
{
    SET_UP_LAB(lab);
    const QJsonObject before = lab.state().value(QLatin1String("state")).toObject();
    auto applied = lab.request(QStringLiteral("apply"),
                               {{QStringLiteral("desired"), lab.desiredJson(lab.design)},
                                {QStringLiteral("confirmTimeoutSec"), 2}});
    ASSERT_TRUE(applied) << applied.error().message.toStdString();
    ::kill(static_cast<pid_t>(lab.agent->pid()), SIGKILL);
    lab.agent->stop(2000);
    lab.client.disconnectFromAgent();
    QThread::msleep(2500); // the deadline passes while the agent is down
    ASSERT_TRUE(lab.startAgent()) << lab.agentLog().toStdString();
    EXPECT_EQ(json(lab.state().value(QLatin1String("state")).toObject()), json(before));
    EXPECT_TRUE(lab.agentLog().contains(QStringLiteral("rolled back")))
        << lab.agentLog().toStdString();
}
