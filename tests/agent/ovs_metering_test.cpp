// Live metering end to end (root; issue 15): converged meters a namespace host with two VMs (their
// processes in cgroups of their own) while traffic runs between them, and the console follows
// its "metering" stream through the real TLS path into a project store (ConsoleMetering). The
// per-vNIC byte totals the store gives match the VMs' own interface counters within 1 %; the
// vNIC's meter ACLs split its traffic into datacenter (10.213.50.0/24) and Internet (anything
// else) as the packets went; a process burning a core in one VM shows in that VM's CPU and not
// in the other's.
#include "collectors/channel/channel.h"
#include "collectors/channel/tlsagentconnector.h"
#include "collectors/channel/tlsidentity.h"
#include "collectors/console/consolemetering.h"
#include "core/protocol/replies.h"
#include "core/protocol/requests.h"
#include "core/store/projectstore.h"

#include "ovsenv.h"
#include "testapp.h"
#include "tlstesting.h"

#include <gtest/gtest.h>

#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <iostream>
#include <mutex>

using namespace converge;
using namespace converge::testing;
namespace protocol = core::protocol;
namespace cm = core::metering;

namespace {

const QString kHost = QStringLiteral("mtr1");

// v1 meters what it sends and receives, split by remote prefix: the datacenter's /24, and the
// rest of the world.
core::realize::HostState meteredVms()
{
    return labBridge(kHost, {QStringLiteral("v1"), QStringLiteral("v2")},
                     [](core::realize::Port &p) {
                         p.mac = QStringLiteral("02:48:00:00:00:0") + p.name.back();
                         if (p.name != QLatin1String("v1"))
                             return;
                         for (const char *direction : {"in", "out"})
                             for (const char *remote : {"10.213.50.0/24", "0.0.0.0/0"}) {
                                 core::realize::Acl a;
                                 a.direction = QLatin1String(direction);
                                 a.action = QStringLiteral("meter");
                                 a.remotePrefix = QLatin1String(remote);
                                 p.acls.push_back(a);
                             }
                     });
}

std::optional<qint64> counter(Vm &vm, const char *name)
{
    auto out = vm.exec({QStringLiteral("cat"),
                        QStringLiteral("/sys/class/net/eth0/statistics/") + QLatin1String(name)});
    if (!out || out->exitCode != 0)
        return std::nullopt;
    return out->out.trimmed().toLongLong();
}

// A cgroup v1 group in the cpuacct and memory hierarchies (and the cpu one, where its processes
// get the most shares the kernel allows: on this 2-core machine builds and other tests compete,
// and the VM that burns a core must get one to show it), removed (after its processes are gone)
// on destruction.
class Group
{
public:
    explicit Group(const QString &name)
        : m_name(name)
    {
        for (const char *controller : {"cpuacct", "memory", "cpu"}) {
            const QString dir =
                QStringLiteral("/sys/fs/cgroup/%1/%2").arg(QLatin1String(controller), name);
            if (QDir().mkdir(dir))
                m_dirs << dir;
        }
        QFile shares(QStringLiteral("/sys/fs/cgroup/cpu/%1/cpu.shares").arg(name));
        if (shares.open(QIODevice::WriteOnly))
            shares.write("262144");
    }
    ~Group()
    {
        for (const QString &dir : std::as_const(m_dirs))
            for (int tries = 0; tries < 50 && !QDir().rmdir(dir); ++tries)
                QThread::msleep(20);
    }
    Group(const Group &) = delete;
    Group &operator=(const Group &) = delete;
    bool isValid() const { return m_dirs.size() >= 2; }
    QString name() const { return m_name; }
    bool add(qint64 pid) const
    {
        for (const QString &dir : m_dirs) {
            QFile procs(dir + QStringLiteral("/cgroup.procs"));
            if (!procs.open(QIODevice::WriteOnly) || procs.write(QByteArray::number(pid)) < 0)
                return false;
        }
        return true;
    }

private:
    QString m_name;
    QStringList m_dirs;
};

// The cgroup hierarchies bound at a path outside /sys: `ip netns exec` gives the agent a /sys of
// the host namespace's own, without the cgroup mounts, so the agent reads them here
// (cgroup_root). Only ever unmounted and rmdir'ed, never deleted recursively: it holds the
// machine's real cgroups.
class CgroupBind
{
public:
    CgroupBind()
        : m_path(QStringLiteral("/run/cvmeter-%1-cgroup").arg(QCoreApplication::applicationPid()))
    {
        if (!QDir().mkpath(m_path))
            return;
        m_bound = QProcess::execute(
                      QStringLiteral("mount"),
                      {QStringLiteral("--rbind"), QStringLiteral("/sys/fs/cgroup"), m_path}) == 0;
    }
    ~CgroupBind()
    {
        if (m_bound)
            QProcess::execute(QStringLiteral("umount"),
                              {QStringLiteral("-R"), QStringLiteral("-l"), m_path});
        QDir().rmdir(m_path);
    }
    CgroupBind(const CgroupBind &) = delete;
    CgroupBind &operator=(const CgroupBind &) = delete;
    bool isValid() const { return m_bound; }
    QString path() const { return m_path; }

private:
    QString m_path;
    bool m_bound = false;
};

// What the console stored of a series since fromMs (zeros when nothing): its area is bytes
// for a bytes-a-second series, its avg the mean of its samples.
cm::SeriesTotals stored(core::StoreMetricsSource &source, const QString &key, qint64 fromMs)
{
    auto k = cm::SeriesKey::parse(key);
    if (!k)
        return {};
    return source.totals(*k, fromMs, QDateTime::currentMSecsSinceEpoch() + 60'000)
        .value_or(cm::SeriesTotals{});
}

class MeteringOnOvs : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString why;
        if (!haveRootAndOvs(&why))
            GTEST_SKIP() << why.toStdString();
        if (!QFileInfo(QStringLiteral("/sys/fs/cgroup/cpuacct")).isDir() ||
            !QFileInfo(QStringLiteral("/sys/fs/cgroup/memory")).isDir())
            GTEST_SKIP() << "no cgroup v1 cpuacct and memory hierarchies to put VMs in";
        ASSERT_TRUE(host.isValid()) << host.error().toStdString();
        ASSERT_TRUE(cgroups.isValid())
            << "cannot bind /sys/fs/cgroup at " << cgroups.path().toStdString();
        ovs = std::make_unique<OvsInstance>(host);
        ASSERT_TRUE(ovs->isValid()) << ovs->error().toStdString();
        for (int i = 1; i <= 2; ++i) {
            vms.push_back(std::make_unique<Vm>(host, QStringLiteral("v%1").arg(i),
                                               QStringLiteral("02:48:00:00:00:0%1").arg(i),
                                               QStringLiteral("10.213.50.%1/24").arg(i)));
            ASSERT_TRUE(vms.back()->isValid()) << vms.back()->error().toStdString();
            // An address outside the datacenter prefix: traffic to it is "Internet" traffic.
            ASSERT_TRUE(
                vms.back()->exec({QStringLiteral("ip"), QStringLiteral("addr"),
                                  QStringLiteral("add"), QStringLiteral("198.51.100.%1/24").arg(i),
                                  QStringLiteral("dev"), QStringLiteral("eth0")}));
        }
        auto identity = collectors::generateIdentity(QStringLiteral("test console"));
        ASSERT_TRUE(identity) << identity.error().message.toStdString();
        console = *identity;
        QFile pem(dir.filePath(QStringLiteral("console.pem")));
        ASSERT_TRUE(pem.open(QIODevice::WriteOnly) && pem.write(console.certificate.toPem()) > 0);
        pem.close();
        QFile conf(dir.filePath(QStringLiteral("converged.conf")));
        ASSERT_TRUE(conf.open(QIODevice::WriteOnly));
        conf.write(QStringLiteral("listen = 127.0.0.1:7443\nstate_dir = %1/state\n"
                                  "ovs_db = %2/db.sock\novs_rundir = %2\ndatapath = netdev\n"
                                  "host_name = %3\nconsole_certificate = %1/console.pem\n"
                                  "metering_interval = 1\ncgroup_root = %4\n")
                       .arg(dir.path(), ovs->dir(), kHost, cgroups.path())
                       .toUtf8());
        conf.close();
        ASSERT_NO_FATAL_FAILURE(startAgent());
    }

    void startAgent()
    {
        auto agent = startConverged(host, dir.filePath(QStringLiteral("converged.conf")),
                                    dir.filePath(QStringLiteral("agent.log")));
        ASSERT_TRUE(agent) << agent.error().message.toStdString();
        agentFingerprint = agent->fingerprint;
        scope = std::make_unique<NetnsScope>(host.name());
        ASSERT_TRUE(scope->isValid()) << scope->error().toStdString();
        for (QDeadlineTimer deadline(15000); !deadline.hasExpired(); QThread::msleep(100))
            if (client.connectTo(QStringLiteral("127.0.0.1"), 7443, console, agentFingerprint,
                                 2000))
                return;
        FAIL() << "converged did not start serving: " << agentLog().toStdString();
    }

    void deploy()
    {
        auto applied =
            client.call<protocol::ApplyReply>(protocol::ApplyRequest{meteredVms(), 30, {}}, 60000);
        ASSERT_TRUE(applied) << applied.error().message.toStdString();
        auto confirmed = client.call<protocol::ConfirmReply>(
            protocol::ConfirmRequest{applied->transaction}, 10000);
        ASSERT_TRUE(confirmed) << confirmed.error().message.toStdString();
        ASSERT_TRUE(vms[0]->ping(QStringLiteral("10.213.50.2")))
            << vms[0]->lastPing().toStdString();
    }

    QString agentLog() const
    {
        QFile f(dir.filePath(QStringLiteral("agent.log")));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    static QString key(const char *entity, const char *metric)
    {
        return kHost + QLatin1Char('|') + QLatin1String(entity) + QLatin1Char('|') +
               QLatin1String(metric);
    }

    bool appReady = (ensureApp(), true); // first: the TLS members below need the application
    QTemporaryDir dir{QStringLiteral("/tmp/cvmeter-XXXXXX")};
    CgroupBind cgroups;
    NetNs host;
    std::unique_ptr<OvsInstance> ovs;
    std::vector<std::unique_ptr<Vm>> vms;
    std::unique_ptr<NetnsScope> scope;
    collectors::TlsIdentity console;
    QString agentFingerprint;
    collectors::AgentClient client;
};

TEST_F(MeteringOnOvs, TheConsoleMetersVnicsAclsAndVmsAsTheHostCountedThem)
{
    ASSERT_NO_FATAL_FAILURE(deploy());
    const QString tag = QStringLiteral("cvm%1").arg(QCoreApplication::applicationPid());
    Group g1(tag + QStringLiteral("_v1")), g2(tag + QStringLiteral("_v2"));
    ASSERT_TRUE(g1.isValid() && g2.isValid()) << "cannot create cgroups under /sys/fs/cgroup";
    // The burner takes its memory once it is in its group: v1 charges what a process faults in,
    // not what it had before it moved.
    auto burner = vms[0]->ns().spawn({QStringLiteral("sh"), QStringLiteral("-c"),
                                      QStringLiteral("sleep 1; x=$(head -c 8000000 /dev/zero | "
                                                     "tr '\\0' a); while :; do :; done")});
    auto idler = vms[1]->ns().spawn({QStringLiteral("sleep"), QStringLiteral("600")});
    ASSERT_TRUE(burner && idler);
    ASSERT_TRUE(g1.add((*burner)->pid()) && g2.add((*idler)->pid()));

    // The console's own path: a project store, the feed into it (collectors/console).
    auto metering = collectors::ConsoleMetering::open(
        dir.filePath(QStringLiteral("project") + QLatin1String(core::ProjectStore::fileSuffix)),
        std::make_shared<collectors::TlsAgentConnector>(console));
    ASSERT_TRUE(metering) << metering.error().message.toStdString();
    core::StoreMetricsSource &store = *(*metering)->source();
    collectors::MeteringFeed &feed = *(*metering)->feed();
    const QJsonObject params{
        {QStringLiteral("vms"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), kHost + QStringLiteral(".v1")},
                                {QStringLiteral("cgroup"), g1.name()}},
                    QJsonObject{{QStringLiteral("id"), kHost + QStringLiteral(".v2")},
                                {QStringLiteral("cgroup"), g2.name()}}}}};
    feed.follow({kHost, QStringLiteral("127.0.0.1:7443"), agentFingerprint}, params);
    const QString rx = key("vnic/mtr1.v1", "net_receive_bytes_per_second");
    ASSERT_TRUE(waitUntil([&] { return stored(store, rx, 0).count >= 2; }, 15'000))
        << "no vNIC samples: " << feed.status(kHost).why.toStdString() << "\n"
        << agentLog().right(3000).toStdString();

    // Quiet, then traffic: 300 pings of 1,000 bytes to the datacenter address, 200 to the
    // Internet one (each frame 1,042 bytes), then quiet again while the counters catch up.
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
    const auto rx0 = counter(*vms[0], "rx_bytes"), tx0 = counter(*vms[0], "tx_bytes");
    ASSERT_TRUE(rx0 && tx0);
    const auto flood = [&](const char *to, int count) {
        return vms[0]->exec({QStringLiteral("ping"), QStringLiteral("-q"), QStringLiteral("-s"),
                             QStringLiteral("1000"), QStringLiteral("-i"), QStringLiteral("0.01"),
                             QStringLiteral("-c"), QString::number(count), QLatin1String(to)},
                            60'000);
    };
    ASSERT_TRUE(flood("10.213.50.2", 300));
    ASSERT_TRUE(flood("198.51.100.2", 200));
    waitUntil([] { return false; }, 4000);
    const auto rx1 = counter(*vms[0], "rx_bytes"), tx1 = counter(*vms[0], "tx_bytes");
    ASSERT_TRUE(rx1 && tx1);
    waitUntil([] { return false; }, 2500); // the samples of the last second arrive

    const double vmRx = double(*rx1 - *rx0), vmTx = double(*tx1 - *tx0);
    const double meteredRx = stored(store, rx, t0).area;
    const double meteredTx =
        stored(store, key("vnic/mtr1.v1", "net_transmit_bytes_per_second"), t0).area;
    std::cout << "v1 received " << vmRx << " B, metered " << meteredRx << "; sent " << vmTx
              << " B, metered " << meteredTx << std::endl;
    EXPECT_NEAR(meteredRx, vmRx, vmRx * 0.01) << "v1 received " << vmRx;
    EXPECT_NEAR(meteredTx, vmTx, vmTx * 0.01) << "v1 sent " << vmTx;

    const double frame = 1042;
    const double dcOut =
        stored(store, key("vnic/mtr1.v1", "acl_datacenter_transmit_bytes_per_second"), t0).area;
    const double netOut =
        stored(store, key("vnic/mtr1.v1", "acl_internet_transmit_bytes_per_second"), t0).area;
    const double dcIn =
        stored(store, key("vnic/mtr1.v1", "acl_datacenter_receive_bytes_per_second"), t0).area;
    const double netIn =
        stored(store, key("vnic/mtr1.v1", "acl_internet_receive_bytes_per_second"), t0).area;
    EXPECT_NEAR(dcOut, 300 * frame, 300 * frame * 0.02);
    EXPECT_NEAR(netOut, 200 * frame, 200 * frame * 0.02);
    EXPECT_NEAR(dcIn, 300 * frame, 300 * frame * 0.02);
    EXPECT_NEAR(netIn, 200 * frame, 200 * frame * 0.02);

    const double busy = stored(store, key("vm/mtr1.v1", "vm_cpu_cores"), t0).avg;
    const double idle = stored(store, key("vm/mtr1.v2", "vm_cpu_cores"), t0).avg;
    EXPECT_GT(busy, 0.5) << "v1 burns a core\n" << agentLog().right(2000).toStdString();
    EXPECT_GT(stored(store, key("vm/mtr1.v2", "vm_cpu_cores"), t0).count, 0) << "no CPU of v2";
    EXPECT_LT(idle, 0.1);
    EXPECT_GT(stored(store, key("vm/mtr1.v1", "vm_memory_bytes"), t0).avg, 8e6);
    EXPECT_GT(stored(store, key("cpu", "cpu_busy_percent"), 0).count, 0) << "host samples too";
    (*burner)->stop(0);
    (*idler)->stop(0);
}

} // namespace
