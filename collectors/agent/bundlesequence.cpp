#include "bundlesequence.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace converge::collectors {

using core::Result;

namespace {

QString sequencePath(const QString &stateDir)
{
    return QDir(stateDir).filePath(QStringLiteral("bundle-sequence.json"));
}

// The whole file; an empty object when there is none yet.
Result<QJsonObject> readSequences(const QString &stateDir)
{
    QFile f(sequencePath(stateDir));
    if (!f.exists())
        return QJsonObject{};
    if (!f.open(QIODevice::ReadOnly))
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(qint64(16) * 1024 * 1024), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return core::invalid(QStringLiteral("%1 is corrupt (%2); it records the last bundle "
                                            "applied per host: restore it or remove it knowingly")
                                 .arg(f.fileName(), pe.errorString()));
    return doc.object();
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

} // namespace

Result<std::optional<LastAppliedBundle>> lastAppliedBundle(const QString &stateDir,
                                                           const QString &host)
{
    auto all = readSequences(stateDir);
    if (!all)
        return std::unexpected(all.error());
    const QJsonObject entry = all->value(QLatin1String("hosts")).toObject().value(host).toObject();
    if (entry.isEmpty())
        return std::nullopt;
    LastAppliedBundle last;
    last.sequence = entry.value(QLatin1String("sequence")).toInteger(0);
    last.created =
        QDateTime::fromString(entry.value(QLatin1String("created")).toString(), Qt::ISODate);
    last.applied =
        QDateTime::fromString(entry.value(QLatin1String("applied")).toString(), Qt::ISODate);
    return last;
}

Result<void> checkBundleFresh(const core::deploy::Manifest &manifest, const QString &host,
                              const std::optional<LastAppliedBundle> &last, const QDateTime &now)
{
    if (manifest.sequence < 1 || !manifest.expires.isValid())
        return core::invalid(QStringLiteral("the bundle has no sequence number or expiry (made by "
                                            "an older console): export it again"));
    if (manifest.expires <= now)
        return core::invalid(QStringLiteral("the bundle expired at %1 (it is %2 now); export a "
                                            "new one")
                                 .arg(iso(manifest.expires), iso(now)));
    if (last && manifest.sequence == last->sequence)
        return core::invalid(QStringLiteral("bundle sequence %1 was applied to host %2 already "
                                            "(at %3): a bundle is applied once")
                                 .arg(manifest.sequence)
                                 .arg(host, iso(last->applied)));
    if (last && manifest.sequence < last->sequence)
        return core::invalid(QStringLiteral("bundle sequence %1 (created %2) is older than "
                                            "sequence %3 (created %4), the last applied to host "
                                            "%5 (at %6)")
                                 .arg(manifest.sequence)
                                 .arg(iso(manifest.created))
                                 .arg(last->sequence)
                                 .arg(iso(last->created), host, iso(last->applied)));
    return {};
}

Result<void> recordAppliedBundle(const QString &stateDir, const QString &host,
                                 const core::deploy::Manifest &manifest, const QDateTime &now)
{
    auto all = readSequences(stateDir);
    if (!all)
        return std::unexpected(all.error());
    QJsonObject hosts = all->value(QLatin1String("hosts")).toObject();
    hosts.insert(host, QJsonObject{{QStringLiteral("sequence"), double(manifest.sequence)},
                                   {QStringLiteral("created"), iso(manifest.created)},
                                   {QStringLiteral("applied"), iso(now)}});
    all->insert(QStringLiteral("hosts"), hosts);
    QSaveFile f(sequencePath(stateDir));
    const QByteArray data = QJsonDocument(*all).toJson(QJsonDocument::Indented);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit())
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    return {};
}

} // namespace converge::collectors
