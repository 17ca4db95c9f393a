#include "fleetlab.h"

#include "collectors/channel/consoleidentity.h"
#include "collectors/channel/enrollment.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QThread>

namespace converge::testing {

namespace {

QStringList ipCmd(std::initializer_list<QString> args)
{
    return QStringList{QStringLiteral("ip")} + QStringList(args);
}

} // namespace

QString FleetLab::binary(const char *name)
{
    return QStringLiteral(CONVERGE_BINARY_DIR "/app/") + QLatin1String(name);
}

QStringList FleetLab::consolePrefix() const
{
    return QStringList{collectors::ovs::findTool(QStringLiteral("ip"))} + m_console->execPrefix();
}

QProcessEnvironment FleetLab::consoleEnv() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CONVERGE_CONSOLE_DIR"), m_dir.filePath(QStringLiteral("console")));
    return env;
}

core::Result<ProcessResult> FleetLab::convergectl(const QStringList &args, int timeoutMs) const
{
    return m_console->exec(QStringList{binary("convergectl")} + args, timeoutMs, consoleEnv());
}

bool FleetLab::setUp(int count, const QStringList &devices, QString *why,
                     const QString &faultPauseMs)
{
    if (!haveRootAndOvs(why))
        return false;
    const auto fail = [why](const QString &what) {
        *why = what;
        return false;
    };
    qputenv("CONVERGE_CONSOLE_DIR", m_dir.filePath(QStringLiteral("console")).toUtf8());
    auto identity = collectors::consoleIdentity();
    if (!identity)
        return fail(identity.error().message);
    m_identity = *identity;

    m_console = std::make_unique<NetNs>();
    if (!m_console->isValid())
        return fail(m_console->error());
    for (const QStringList &argv :
         {ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                 QStringLiteral("up")}),
          ipCmd({QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("br0"),
                 QStringLiteral("type"), QStringLiteral("bridge")}),
          ipCmd({QStringLiteral("addr"), QStringLiteral("add"), QStringLiteral("10.79.0.1/24"),
                 QStringLiteral("dev"), QStringLiteral("br0")}),
          ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("br0"),
                 QStringLiteral("up")})})
        if (auto r = m_console->run(argv); !r)
            return fail(r.error().message);

    m_hosts.resize(count);
    for (int i = 0; i < count; ++i) {
        Host &h = m_hosts[i];
        h.name = QStringLiteral("hv%1").arg(i + 1);
        h.address = QStringLiteral("10.79.0.%1:7443").arg(11 + i);
        h.ns = std::make_unique<NetNs>();
        if (!h.ns->isValid())
            return fail(h.ns->error());
        h.ovs = std::make_unique<OvsInstance>(*h.ns);
        if (!h.ovs->isValid())
            return fail(QStringLiteral("%1: %2").arg(h.name, h.ovs->error()));
        const QString peer = QStringLiteral("m%1").arg(i + 1);
        std::vector<QStringList> setup{
            ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                   QStringLiteral("up")}),
            ipCmd({QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("oob"),
                   QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                   QStringLiteral("name"), peer, QStringLiteral("netns"), m_console->name()}),
            ipCmd({QStringLiteral("addr"), QStringLiteral("add"),
                   QStringLiteral("10.79.0.%1/24").arg(11 + i), QStringLiteral("dev"),
                   QStringLiteral("oob")}),
            ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("oob"),
                   QStringLiteral("up")}),
        };
        for (const QString &dev : devices) {
            setup.push_back(
                ipCmd({QStringLiteral("link"), QStringLiteral("add"), dev, QStringLiteral("type"),
                       QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"),
                       dev + QStringLiteral("p")}));
            setup.push_back(
                ipCmd({QStringLiteral("link"), QStringLiteral("set"), dev, QStringLiteral("up")}));
            setup.push_back({QStringLiteral("ethtool"), QStringLiteral("-K"), dev,
                             QStringLiteral("tx"), QStringLiteral("off")});
        }
        for (const QStringList &argv : setup)
            if (auto r = h.ns->run(argv); !r)
                return fail(QStringLiteral("%1: %2").arg(h.name, r.error().message));
        for (const QStringList &argv :
             {ipCmd({QStringLiteral("link"), QStringLiteral("set"), peer, QStringLiteral("master"),
                     QStringLiteral("br0")}),
              ipCmd({QStringLiteral("link"), QStringLiteral("set"), peer, QStringLiteral("up")})})
            if (auto r = m_console->run(argv); !r)
                return fail(r.error().message);

        h.stateDir = m_dir.filePath(h.name);
        QDir().mkpath(h.stateDir);
        h.config = m_dir.filePath(h.name + QStringLiteral(".conf"));
        QFile c(h.config);
        if (!c.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write ") + h.config);
        c.write(QStringLiteral("listen = 10.79.0.%1:7443\nstate_dir = %2\novs_db = %3/db.sock\n"
                               "ovs_rundir = %3\ndatapath = netdev\nhost_name = %4\n")
                    .arg(11 + i)
                    .arg(h.stateDir, h.ovs->dir(), h.name)
                    .toUtf8());
        c.close();
        if (auto r = startAgent(h, faultPauseMs); !r)
            return fail(QStringLiteral("%1: %2").arg(h.name, r.error().message));
    }
    return true;
}

core::Result<void> FleetLab::startAgent(Host &h, const QString &faultPauseMs)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CONVERGED_FAULT_PAUSE_MS"));
    if (!faultPauseMs.isEmpty())
        env.insert(QStringLiteral("CONVERGED_FAULT_PAUSE_MS"), faultPauseMs);
    auto p = h.ns->spawn({binary("converged"), QStringLiteral("--config"), h.config}, env,
                         QDir(h.stateDir).filePath(QStringLiteral("agent-%1.log").arg(++h.starts)));
    if (!p)
        return std::unexpected(p.error());
    h.agent = *p;
    const QString ip = h.address.section(QLatin1Char(':'), 0, 0);
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        auto r = m_console->exec({QStringLiteral("bash"), QStringLiteral("-c"),
                                  QStringLiteral("exec 3<>/dev/tcp/%1/7443").arg(ip)},
                                 2000);
        if (r && r->exitCode == 0)
            return {};
        if (!h.agent->isRunning())
            return core::invalid(QStringLiteral("converged exited: ") + agentLog(h));
        QThread::msleep(100);
    }
    return core::invalid(QStringLiteral("converged did not start listening: ") + agentLog(h));
}

QString FleetLab::agentLog(const Host &h) const
{
    QFile f(QDir(h.stateDir).filePath(QStringLiteral("agent-%1.log").arg(h.starts)));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll().right(4000)) : QString();
}

core::Result<std::vector<core::deploy::AgentRecord>> FleetLab::enrollAll()
{
    std::vector<core::deploy::AgentRecord> out;
    NetnsScope scope(m_console->name());
    if (!scope.isValid())
        return core::invalid(scope.error());
    for (Host &h : m_hosts) {
        auto token = h.ns->run({binary("converged"), QStringLiteral("--config"), h.config,
                                QStringLiteral("--issue-token")});
        if (!token)
            return std::unexpected(token.error());
        auto fp =
            collectors::enrollWithToken(h.address.section(QLatin1Char(':'), 0, 0), 7443, m_identity,
                                        QString::fromUtf8(token->trimmed()), 10000);
        if (!fp)
            return core::invalid(QStringLiteral("%1: %2").arg(h.name, fp.error().message));
        h.fingerprint = *fp;
        out.push_back({h.name, h.address, *fp, QDateTime::currentDateTimeUtc(), {}, {}});
    }
    return out;
}

} // namespace converge::testing
