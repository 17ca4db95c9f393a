// The agent's transaction journal: what makes an apply commit-confirmed across crashes
// (agentservice.h).
#include "agentservice.h"

#include "core/util/atomicfile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace converge::collectors {

namespace {

// Absent in journals written before it existed: no bridge was left unrealized then.
QStringList unrealizedIn(const QJsonObject &journal)
{
    QStringList names;
    for (const QJsonValue &v : journal.value(QLatin1String("unrealizedBefore")).toArray())
        names << v.toString();
    return names;
}

} // namespace

QString AgentService::isoTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString AgentService::journalPath() const
{
    return QDir(m_config.stateDir).filePath(QStringLiteral("journal.json"));
}

core::Result<void> AgentService::writeJournal(const QString &phase, const Pending &p)
{
    QJsonObject o{{QStringLiteral("phase"), phase},
                  {QStringLiteral("transaction"), p.transaction},
                  {QStringLiteral("deadline"), isoTime(p.deadlineMs)},
                  {QStringLiteral("deadlineMs"), static_cast<double>(p.deadlineMs)},
                  {QStringLiteral("previous"), p.previous.toJson()},
                  {QStringLiteral("desired"), p.desired.toJson()}};
    if (!p.unrealized.isEmpty())
        o.insert(QStringLiteral("unrealizedBefore"), QJsonArray::fromStringList(p.unrealized));
    return core::writeFileAtomically(journalPath(), QJsonDocument(o).toJson(), true);
}

void AgentService::removeJournal()
{
    QFile::remove(journalPath());
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
                           "it with the journal's \"previous\" state, then remove the file: "
                           "applies are refused until then")
                .arg(f.fileName(), problem));
    return std::optional<Pending>(Pending{
        o.value(QLatin1String("transaction")).toString(), std::move(*previous), std::move(*desired),
        static_cast<qint64>(o.value(QLatin1String("deadlineMs")).toDouble()), unrealizedIn(o)});
}

} // namespace converge::collectors
