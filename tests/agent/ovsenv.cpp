#include "ovsenv.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QThread>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace converge::testing {

namespace {

using collectors::ovs::findTool;
using collectors::ovs::runArgv;
using collectors::ovs::runChecked;
using core::Error;
using core::fail;

const QString schemaPath = QStringLiteral("/usr/share/openvswitch/vswitch.ovsschema");

QString ip()
{
    return findTool(QStringLiteral("ip"));
}

std::unexpected<Error> ioError(const QString &message)
{
    return fail(Error::Code::Io, message);
}

// Polls CONDITION every 20 ms for up to TIMEOUTMS.
template<typename F> bool waitFor(F condition, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        if (condition())
            return true;
        if (timer.elapsed() > timeoutMs)
            return false;
        QThread::msleep(20);
    }
}

QString tailOf(const QString &path, int lines)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList all = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    if (all.size() > lines)
        all = all.mid(all.size() - lines);
    return all.join(u'\n');
}

// True if process PID has ended (gone, or a zombie nobody reaped yet).
bool processEnded(pid_t pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray text = stat.readAll();
    const qsizetype paren = text.lastIndexOf(')');
    return paren >= 0 && text.mid(paren + 2, 1) == "Z";
}

// Deletes what test processes that died without cleaning up (crashed, killed) left behind:
// namespaces "cvt<pid>_<n>" and directories /tmp/cvo<pid>-XXXXXX of a pid that has ended.
// Their OVS processes died with them (PDEATHSIG).
void removeStaleLeftovers()
{
    static const QRegularExpression ns(QStringLiteral("^cvt([0-9a-f]{1,6})_[0-9a-z]+$"));
    static const QRegularExpression dir(QStringLiteral("^cvo([0-9a-f]{1,6})-[A-Za-z0-9]{6}$"));
    const auto stale = [](const QRegularExpression &re, const QString &name) {
        const auto m = re.match(name);
        if (!m.hasMatch())
            return false;
        const pid_t pid = pid_t(m.captured(1).toLongLong(nullptr, 16));
        return pid != ::getpid() && processEnded(pid);
    };
    for (const QString &name : QDir(QStringLiteral("/run/netns")).entryList(QDir::Files))
        if (stale(ns, name))
            runArgv(ip(), {QStringLiteral("netns"), QStringLiteral("del"), name});
    const QDir tmp(QStringLiteral("/tmp"));
    for (const QString &name : tmp.entryList({QStringLiteral("cvo*")}, QDir::Dirs))
        if (stale(dir, name))
            QDir(tmp.filePath(name)).removeRecursively();
}

} // namespace

qint64 processRssKb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

qint64 processCpuTicks(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 12 ? fields[11].toLongLong() + fields[12].toLongLong() : -1;
}

bool haveRootAndOvs(QString *why)
{
    QString reason;
    if (::geteuid() != 0) {
        reason = QStringLiteral("needs root (network namespaces, veth, ovs-vswitchd)");
    } else {
        for (const char *tool : {"ip", "ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl",
                                 "ovs-ofctl", "ovs-appctl", "ethtool", "ping"}) {
            if (!findTool(QLatin1String(tool)).contains(u'/')) {
                reason = QStringLiteral("%1 is not installed (Open vSwitch, iproute2, ethtool, "
                                        "iputils-ping are needed)")
                             .arg(QLatin1String(tool));
                break;
            }
        }
        if (reason.isEmpty() && !QFileInfo::exists(schemaPath))
            reason = QStringLiteral("%1 is missing").arg(schemaPath);
        if (reason.isEmpty()) { // root without CAP_SYS_ADMIN/CAP_NET_ADMIN (some containers)
            static const QString nsProblem = [] {
                NetNs probe;
                return probe.isValid() && probe.error().isEmpty()
                           ? QString()
                           : QStringLiteral("cannot create network namespaces: %1")
                                 .arg(probe.error());
            }();
            reason = nsProblem;
        }
    }
    if (why)
        *why = reason;
    return reason.isEmpty();
}

// ---- OwnedProcess ----

OwnedProcess::~OwnedProcess()
{
    stop();
}

Result<void> OwnedProcess::start(const QString &program, const QStringList &args,
                                 const QProcessEnvironment &env, const QString &outputFile)
{
    stop();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(env);
    m_process->setStandardInputFile(QProcess::nullDevice());
    // If the test process dies without running destructors, the child gets SIGTERM (the flag
    // survives `ip netns exec`'s execve). It fires when the starting thread exits.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    if (outputFile.isEmpty()) {
        m_process->setStandardOutputFile(QProcess::nullDevice());
        m_process->setStandardErrorFile(QProcess::nullDevice());
    } else {
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setStandardOutputFile(outputFile, QIODevice::Append);
    }
    m_process->start(program, args);
    if (!m_process->waitForStarted(10000)) {
        const QString why = m_process->errorString();
        m_process.reset();
        return ioError(QStringLiteral("%1: cannot start: %2")
                           .arg(collectors::ovs::describeCommand(program, args), why));
    }
    return {};
}

bool OwnedProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning &&
           !m_process->waitForFinished(0);
}

qint64 OwnedProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

void OwnedProcess::stop(int graceMs)
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate(); // SIGTERM to our own child only
        if (!m_process->waitForFinished(graceMs) && m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

// ---- NetNs ----

NetNs::NetNs()
{
    static std::atomic<int> counter{0};
    static std::once_flag sweep;
    std::call_once(sweep, removeStaleLeftovers);
    // "cvt" + pid in hex (<= 6) + "_" + counter in base 36: at most 15 bytes.
    m_name =
        QStringLiteral("cvt%1_%2").arg(qint64(::getpid()), 0, 16).arg(counter++ % 46656, 0, 36);
    auto added = runChecked(ip(), {QStringLiteral("netns"), QStringLiteral("add"), m_name});
    if (!added) {
        m_error = added.error().message;
        return;
    }
    m_created = true;
    auto lo = runChecked(ip(), {QStringLiteral("-n"), m_name, QStringLiteral("link"),
                                QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")});
    if (!lo)
        m_error = lo.error().message;
}

NetNs::~NetNs()
{
    for (auto it = m_processes.rbegin(); it != m_processes.rend(); ++it)
        (*it)->stop();
    m_processes.clear();
    if (m_created) {
        auto deleted = runChecked(ip(), {QStringLiteral("netns"), QStringLiteral("del"), m_name});
        if (!deleted)
            std::fprintf(stderr, "NetNs: %s\n", qPrintable(deleted.error().message));
    }
}

QStringList NetNs::execPrefix() const
{
    return {QStringLiteral("netns"), QStringLiteral("exec"), m_name};
}

Result<ProcessResult> NetNs::exec(const QStringList &argv, int timeoutMs,
                                  const QProcessEnvironment &env) const
{
    if (argv.isEmpty())
        return ioError(QStringLiteral("NetNs %1: exec: empty argv").arg(m_name));
    return runArgv(ip(), execPrefix() + argv, {}, timeoutMs, env);
}

Result<QByteArray> NetNs::run(const QStringList &argv, int timeoutMs,
                              const QProcessEnvironment &env) const
{
    if (argv.isEmpty())
        return ioError(QStringLiteral("NetNs %1: run: empty argv").arg(m_name));
    return runChecked(ip(), execPrefix() + argv, {}, timeoutMs, env);
}

Result<OwnedProcess *> NetNs::spawn(const QStringList &argv, const QProcessEnvironment &env,
                                    const QString &outputFile)
{
    auto process = std::make_unique<OwnedProcess>();
    if (auto ok = process->start(ip(), execPrefix() + argv, env, outputFile); !ok)
        return std::unexpected(ok.error());
    m_processes.push_back(std::move(process));
    return m_processes.back().get();
}

// ---- OvsInstance ----

OvsInstance::OvsInstance(NetNs &ns)
    : m_ns(ns)
    , m_dir(QStringLiteral("/tmp/cvo%1-XXXXXX").arg(qint64(::getpid()), 0, 16))
{
    auto ok = startUp();
    if (!ok) {
        m_error = ok.error().message + QStringLiteral("\n") + logTail();
        shutDown();
    } else {
        m_ready = true;
    }
}

OvsInstance::~OvsInstance()
{
    if (::testing::Test::HasFailure() || qEnvironmentVariableIsSet("CONVERGE_TEST_OVS_LOGS"))
        std::fprintf(stderr, "---- OVS logs (%s) ----\n%s\n", qPrintable(dir()),
                     qPrintable(logTail()));
    shutDown();
}

OvsEnv OvsInstance::env() const
{
    return OvsEnv{m_dir.filePath(QStringLiteral("db.sock")), m_dir.path()};
}

Result<void> OvsInstance::startUp()
{
    if (!m_ns.isValid())
        return ioError(QStringLiteral("OvsInstance: no namespace: %1").arg(m_ns.error()));
    if (!m_dir.isValid())
        return ioError(QStringLiteral("OvsInstance: cannot create a temporary directory: %1")
                           .arg(m_dir.errorString()));
    const QString d = m_dir.path();
    const QString db = m_dir.filePath(QStringLiteral("db.db"));
    if (auto ok = runChecked(findTool(QStringLiteral("ovsdb-tool")),
                             {QStringLiteral("create"), db, schemaPath});
        !ok)
        return std::unexpected(ok.error());

    const QStringList ovsdbArgs =
        m_ns.execPrefix() + QStringList{findTool(QStringLiteral("ovsdb-server")),
                                        db,
                                        QStringLiteral("--remote=punix:%1/db.sock").arg(d),
                                        QStringLiteral("--unixctl=%1/ovsdb.ctl").arg(d),
                                        QStringLiteral("--pidfile=%1/ovsdb.pid").arg(d),
                                        QStringLiteral("--log-file=%1/ovsdb.log").arg(d)};
    const QProcessEnvironment env = collectors::ovs::processEnv(this->env());
    if (auto ok = m_ovsdb.start(ip(), ovsdbArgs, env, m_dir.filePath(QStringLiteral("ovsdb.out")));
        !ok)
        return ok;
    const QString dbSocket = env.value(QStringLiteral("OVS_RUNDIR")) + QStringLiteral("/db.sock");
    if (!waitFor([&] { return QFileInfo::exists(dbSocket) || !m_ovsdb.isRunning(); }, 10000) ||
        !m_ovsdb.isRunning())
        return ioError(QStringLiteral("OvsInstance: ovsdb-server did not create %1").arg(dbSocket));
    // next_cfg=1: ovs-vswitchd sets cur_cfg=1 once it has applied the database (see below).
    if (auto ok = vsctl({QStringLiteral("--no-wait"), QStringLiteral("init"), QStringLiteral("--"),
                         QStringLiteral("set"), QStringLiteral("Open_vSwitch"), QStringLiteral("."),
                         QStringLiteral("next_cfg=1")});
        !ok)
        return std::unexpected(ok.error());

    const QStringList vswitchdArgs =
        m_ns.execPrefix() + QStringList{findTool(QStringLiteral("ovs-vswitchd")),
                                        QStringLiteral("unix:%1").arg(dbSocket),
                                        QStringLiteral("--unixctl=%1/vswitchd.ctl").arg(d),
                                        QStringLiteral("--pidfile=%1/vswitchd.pid").arg(d),
                                        QStringLiteral("--log-file=%1/vswitchd.log").arg(d)};
    if (auto ok = m_vswitchd.start(ip(), vswitchdArgs, env,
                                   m_dir.filePath(QStringLiteral("vswitchd.out")));
        !ok)
        return ok;
    const QString ctl = m_dir.filePath(QStringLiteral("vswitchd.ctl"));
    if (!waitFor([&] { return QFileInfo::exists(ctl) || !m_vswitchd.isRunning(); }, 10000) ||
        !m_vswitchd.isRunning())
        return ioError(QStringLiteral("OvsInstance: ovs-vswitchd did not create %1").arg(ctl));
    // Ready when ovs-vswitchd has applied the database (ovs-vsctl has no "sync" command, and a
    // transaction that changes nothing does not wait).
    if (auto ok = vsctl({QStringLiteral("--timeout=20"), QStringLiteral("wait-until"),
                         QStringLiteral("Open_vSwitch"), QStringLiteral("."),
                         QStringLiteral("cur_cfg>=1")});
        !ok)
        return std::unexpected(ok.error());
    return {};
}

void OvsInstance::shutDown()
{
    m_vswitchd.stop();
    m_ovsdb.stop();
}

Result<QByteArray> OvsInstance::vsctl(const QStringList &args, int timeoutMs) const
{
    return runChecked(findTool(QStringLiteral("ovs-vsctl")),
                      collectors::ovs::vsctlArgs(env()) + args, {}, timeoutMs);
}

Result<QByteArray> OvsInstance::ofctl(const QStringList &args, int timeoutMs) const
{
    return runChecked(findTool(QStringLiteral("ovs-ofctl")), args, {}, timeoutMs,
                      collectors::ovs::processEnv(env()));
}

Result<QByteArray> OvsInstance::appctl(const QStringList &args, int timeoutMs) const
{
    return runChecked(
        findTool(QStringLiteral("ovs-appctl")),
        QStringList{QStringLiteral("-t"), m_dir.filePath(QStringLiteral("vswitchd.ctl"))} + args,
        {}, timeoutMs, collectors::ovs::processEnv(env()));
}

QString OvsInstance::logTail(int lines) const
{
    QString text;
    for (const char *file : {"ovsdb.out", "ovsdb.log", "vswitchd.out", "vswitchd.log"}) {
        const QString tail = tailOf(m_dir.filePath(QLatin1String(file)), lines);
        if (!tail.isEmpty())
            text += QStringLiteral("== %1 ==\n%2\n").arg(QLatin1String(file), tail);
    }
    return text;
}

// ---- Vm ----

Vm::Vm(NetNs &host, const QString &hostIfName, const QString &mac, const QString &ipv4WithPrefix)
    : m_host(host)
    , m_hostIf(hostIfName)
{
    if (auto ok = setUp(mac, ipv4WithPrefix); !ok)
        m_error = QStringLiteral("Vm %1: %2").arg(hostIfName, ok.error().message);
    else
        m_ready = true;
}

Result<void> Vm::setUp(const QString &mac, const QString &ipv4WithPrefix)
{
    if (!m_host.isValid())
        return ioError(QStringLiteral("no host namespace"));
    if (!m_ns.isValid())
        return ioError(m_ns.error());
    const QString &hostIfName = m_hostIf;
    const QString h = m_host.name(), v = m_ns.name();
    const QString eth0 = QStringLiteral("eth0");
    const QList<QStringList> steps{
        {QStringLiteral("-n"), h, QStringLiteral("link"), QStringLiteral("add"), hostIfName,
         QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
         QStringLiteral("name"), eth0, QStringLiteral("netns"), v},
        {QStringLiteral("-n"), v, QStringLiteral("link"), QStringLiteral("set"), eth0,
         QStringLiteral("address"), mac},
        {QStringLiteral("-n"), v, QStringLiteral("addr"), QStringLiteral("add"), ipv4WithPrefix,
         QStringLiteral("dev"), eth0},
        {QStringLiteral("-n"), v, QStringLiteral("link"), QStringLiteral("set"), eth0,
         QStringLiteral("up")},
        {QStringLiteral("-n"), h, QStringLiteral("link"), QStringLiteral("set"), hostIfName,
         QStringLiteral("up")},
    };
    for (const QStringList &step : steps)
        if (auto ok = runChecked(ip(), step); !ok)
            return std::unexpected(ok.error());
    const QString ethtool = findTool(QStringLiteral("ethtool"));
    if (auto ok = m_ns.run(
            {ethtool, QStringLiteral("-K"), eth0, QStringLiteral("tx"), QStringLiteral("off")});
        !ok)
        return std::unexpected(ok.error());
    if (auto ok = m_host.run({ethtool, QStringLiteral("-K"), hostIfName, QStringLiteral("tx"),
                              QStringLiteral("off")});
        !ok)
        return std::unexpected(ok.error());
    return {};
}

Vm::~Vm()
{
    // Deleting either end deletes the pair; deleting the VM namespace would too, but only once
    // nothing holds it.
    if (m_host.isValid())
        runArgv(ip(), {QStringLiteral("-n"), m_host.name(), QStringLiteral("link"),
                       QStringLiteral("del"), m_hostIf});
}

bool Vm::ping(const QString &address, int count, int timeoutSec, const QString &source) const
{
    QStringList argv{findTool(QStringLiteral("ping")),
                     QStringLiteral("-c"),
                     QString::number(count),
                     QStringLiteral("-W"),
                     QStringLiteral("1"),
                     QStringLiteral("-i"),
                     QStringLiteral("0.2"),
                     QStringLiteral("-w"),
                     QString::number(timeoutSec)};
    if (!source.isEmpty())
        argv << QStringLiteral("-I") << source;
    auto r = exec(argv << address, (timeoutSec + 5) * 1000);
    m_lastPing = r ? QString::fromUtf8(r->out + r->err) : r.error().message;
    if (!r)
        return false;
    static const QRegularExpression received(QStringLiteral("(\\d+) (packets )?received"));
    const auto m = received.match(QString::fromUtf8(r->out));
    return m.hasMatch() && m.captured(1).toInt() > 0;
}

Result<ProcessResult> Vm::exec(const QStringList &argv, int timeoutMs) const
{
    return m_ns.exec(argv, timeoutMs);
}

// ---- NetnsScope ----

NetnsScope::NetnsScope(const QString &netnsName)
{
    m_original = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (m_original < 0) {
        m_error = QStringLiteral("NetnsScope: cannot open /proc/thread-self/ns/net: %1")
                      .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    const QByteArray path = QFile::encodeName(QStringLiteral("/run/netns/") + netnsName);
    const int target = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (target < 0) {
        m_error =
            QStringLiteral("NetnsScope: cannot open %1: %2")
                .arg(QString::fromLocal8Bit(path), QString::fromLocal8Bit(std::strerror(errno)));
        return;
    }
    if (::setns(target, CLONE_NEWNET) != 0)
        m_error = QStringLiteral("NetnsScope: setns(%1): %2")
                      .arg(netnsName, QString::fromLocal8Bit(std::strerror(errno)));
    else
        m_entered = true;
    ::close(target);
}

NetnsScope::~NetnsScope()
{
    if (m_entered && ::setns(m_original, CLONE_NEWNET) != 0)
        std::fprintf(stderr, "NetnsScope: cannot return to the original namespace: %s\n",
                     std::strerror(errno));
    if (m_original >= 0)
        ::close(m_original);
}

Result<StartedAgent> startConverged(NetNs &host, const QString &config, const QString &logFile)
{
    const QString agent = QStringLiteral(CONVERGE_BINARY_DIR "/app/converged");
    auto fp =
        host.run({agent, QStringLiteral("--config"), config, QStringLiteral("--fingerprint")});
    if (!fp)
        return std::unexpected(fp.error());
    auto p = host.spawn({agent, QStringLiteral("--config"), config},
                        QProcessEnvironment::systemEnvironment(), logFile);
    if (!p)
        return std::unexpected(p.error());
    return StartedAgent{*p, QString::fromUtf8(fp->trimmed())};
}

core::realize::HostState labBridge(const QString &host, const QStringList &vms,
                                   const std::function<void(core::realize::Port &)> &each)
{
    core::realize::HostState s;
    s.host = host;
    core::realize::Bridge b;
    b.name = QStringLiteral("lab");
    b.elementId = host + QStringLiteral(".lab");
    for (const QString &vm : vms) {
        core::realize::Port p;
        p.name = vm;
        p.elementId = host + QLatin1Char('.') + vm;
        p.vlanMode = QStringLiteral("access");
        p.tag = 10;
        if (each)
            each(p);
        b.ports.push_back(p);
    }
    s.bridges.push_back(b);
    s.normalize();
    return s;
}

} // namespace converge::testing
