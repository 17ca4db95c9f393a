// The agent's transaction journal and rollback: what makes an apply commit-confirmed across
// crashes (agentservice.h).
#include "agentservice.h"

#include "collectors/logging.h"
#include "collectors/ovs/ovsreader.h"
#include "core/util/atomicfile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>

namespace converge::collectors {

QString AgentService::isoTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString AgentService::journalPath() const
{
    return QDir(m_config.stateDir).filePath(QStringLiteral("journal.json"));
}

core::Result<core::realize::HostState> AgentService::readState()
{
    const QString socket = m_config.ovs.dbSocket.isEmpty()
                               ? QStringLiteral("/run/openvswitch/db.sock")
                               : m_config.ovs.dbSocket;
    // One retry on a fresh connection: ovsdb-server may have restarted since the last request.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!m_ovsdb.isConnected()) {
            if (auto c = m_ovsdb.connectToServer(socket, 5000); !c) {
                if (attempt == 1)
                    return std::unexpected(c.error());
                continue;
            }
        }
        auto s =
            ovs::readHostState(m_config.ovs, m_ovsdb, m_config.hostName, m_config.applyTimeoutMs);
        if (s || attempt == 1)
            return s;
        qCWarning(lcAgent) << "reading the host failed, reconnecting:" << s.error().message;
        m_ovsdb.close();
    }
    return core::fail(core::Error::Code::Io, QStringLiteral("cannot read the host state"));
}

void AgentService::prepare(core::realize::HostState &desired) const
{
    desired.host = m_config.hostName;
    for (core::realize::Bridge &b : desired.bridges)
        b.datapathType = m_config.datapathType;
}

core::Result<void> AgentService::writeJournal(const QString &phase, const Pending &p)
{
    const QJsonObject o{{QStringLiteral("phase"), phase},
                        {QStringLiteral("transaction"), p.transaction},
                        {QStringLiteral("deadline"), isoTime(p.deadlineMs)},
                        {QStringLiteral("deadlineMs"), static_cast<double>(p.deadlineMs)},
                        {QStringLiteral("previous"), p.previous.toJson()},
                        {QStringLiteral("desired"), p.desired.toJson()}};
    return core::writeFileAtomically(journalPath(), QJsonDocument(o).toJson(), true);
}

void AgentService::removeJournal()
{
    QFile::remove(journalPath());
}

core::Result<void> AgentService::restore(const core::realize::HostState &previous,
                                         const QString &why)
{
    auto current = readState();
    if (!current)
        return std::unexpected(current.error());
    core::realize::HostState target = previous;
    target.notes.clear();
    const core::realize::Plan back = core::realize::makePlan(target, *current);
    qCInfo(lcAgent).noquote() << "restoring the previous state (" << why << "):" << back.ops.size()
                              << "operations";
    if (auto r = ovs::applyPlan(m_config.ovs, back, m_config.applyTimeoutMs); !r)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("rollback failed: %1").arg(r.error().message));
    auto after = readState();
    if (!after)
        return std::unexpected(after.error());
    // Checked like an apply: nothing left to do. Not by comparing with `previous` as read: a flow
    // table the agent did not recognize then (flowsDigest empty, e.g. after ovs-vswitchd
    // restarted) is restored as the bridges' policy says, and then it is recognized.
    const core::realize::Plan rest = core::realize::makePlan(target, *after);
    if (!rest.isEmpty())
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("rollback left the host different from before: %1")
                              .arg(rest.diffText().trimmed()));
    return {};
}

void AgentService::deadlinePassed()
{
    if (!m_pending)
        return;
    const Pending p = *m_pending;
    const QString why = QStringLiteral("no confirmation by %1").arg(isoTime(p.deadlineMs));
    qCWarning(lcAgent).noquote() << "transaction" << p.transaction << "rolls back:" << why;
    (void)writeJournal(QStringLiteral("rolling-back"), p);
    if (auto r = restore(p.previous, why); !r) {
        qCCritical(lcAgent).noquote() << r.error().message << "- retrying in 5 s";
        m_deadline.start(5000);
        return;
    }
    m_pending.reset();
    removeJournal();
    Q_EMIT rolledBack(p.transaction, why);
}

core::Result<std::optional<AgentService::Pending>> AgentService::readJournal(QString *phase)
{
    QFile f(journalPath());
    if (!f.exists())
        return std::optional<Pending>();
    if (!f.open(QIODevice::ReadOnly))
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("cannot read the journal %1: %2").arg(f.fileName(), f.errorString()));
    QJsonParseError pe;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll(), &pe).object();
    auto previous =
        core::realize::HostState::fromJson(o.value(QLatin1String("previous")).toObject());
    auto desired = core::realize::HostState::fromJson(o.value(QLatin1String("desired")).toObject());
    *phase = o.value(QLatin1String("phase")).toString();
    const QString problem = pe.error != QJsonParseError::NoError ? pe.errorString()
                            : !previous                          ? previous.error().message
                            : !desired                           ? desired.error().message
                            : !QStringList{QStringLiteral("applying"), QStringLiteral("pending"),
                                           QStringLiteral("rolling-back")}
                                    .contains(*phase)
                                ? QStringLiteral("unknown phase")
                                : QString();
    if (!problem.isEmpty())
        return core::invalid(
            QStringLiteral("the journal %1 is damaged (%2); the host was left as it is. Compare "
                           "it with the journal's \"previous\" state, then remove the file")
                .arg(f.fileName(), problem));
    return std::optional<Pending>(Pending{
        o.value(QLatin1String("transaction")).toString(), std::move(*previous), std::move(*desired),
        static_cast<qint64>(o.value(QLatin1String("deadlineMs")).toDouble())});
}

core::Result<void> AgentService::recover()
{
    QString phase;
    auto journal = readJournal(&phase);
    if (!journal)
        return std::unexpected(journal.error());
    std::optional<Pending> &found = *journal;
    if (!found)
        return {};
    Pending p = std::move(*found);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (phase == QLatin1String("pending") && p.deadlineMs > now) {
        qCInfo(lcAgent).noquote() << "transaction" << p.transaction << "awaits confirmation until"
                                  << isoTime(p.deadlineMs);
        m_deadline.start(static_cast<int>(std::min<qint64>(p.deadlineMs - now, 3600'000)));
        m_pending = std::move(p);
        return {};
    }
    const QString why = phase == QLatin1String("applying")
                            ? QStringLiteral("the agent stopped during the apply")
                        : phase == QLatin1String("rolling-back")
                            ? QStringLiteral("the agent stopped during a rollback")
                            : QStringLiteral("the confirmation deadline passed while the agent "
                                             "was stopped");
    qCWarning(lcAgent).noquote() << "transaction" << p.transaction << "is rolled back:" << why;
    if (auto w = writeJournal(QStringLiteral("rolling-back"), p); !w)
        return w;
    if (auto r = restore(p.previous, why); !r)
        return r;
    removeJournal();
    Q_EMIT rolledBack(p.transaction, why);
    return {};
}

} // namespace converge::collectors
