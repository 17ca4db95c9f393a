#include "ovsmeters.h"

#include "collectors/logging.h"
#include "collectors/ovs/ovserrors.h"

#include <QHash>

#include <algorithm>

namespace converge::collectors::ovs {

namespace {

// "meter=7,kbps,..." -> 7; 0 if it is not a meter spec.
quint32 meterId(const QString &spec)
{
    if (!spec.startsWith(QLatin1String("meter=")))
        return 0;
    return spec.section(QLatin1Char(','), 0, 0).mid(6).toUInt();
}

Result<QByteArray> ofctl(const OvsEnv &env, const QStringList &args, int timeoutMs)
{
    auto out = runChecked(
        findTool(QStringLiteral("ovs-ofctl")),
        QStringList{QStringLiteral("-O"), QStringLiteral("OpenFlow14"), QStringLiteral("--")} +
            args,
        {}, timeoutMs, processEnv(env));
    if (!out)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("meters of %1: %2")
                              .arg(args.value(1), explainToolFailure(out.error().message)));
    return out;
}

} // namespace

QStringList parseMeters(const QByteArray &output)
{
    QStringList specs;
    for (const QByteArray &raw : output.split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        QStringList words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (line.startsWith(QLatin1String("meter="))) {
            words.removeAll(QStringLiteral("bands="));
            specs << words.join(QLatin1Char(','));
        } else if (line.startsWith(QLatin1String("type=")) && !specs.isEmpty()) {
            specs.last() += QStringLiteral(",band=") + words.join(QLatin1Char(','));
        }
    }
    return specs;
}

QList<quint32> meterIds(const QStringList &specs)
{
    QList<quint32> ids;
    for (const QString &spec : specs)
        ids << meterId(spec);
    std::sort(ids.begin(), ids.end());
    return ids;
}

Result<QStringList> readMeters(const OvsEnv &env, const QString &bridge, int timeoutMs)
{
    auto out = ofctl(env, {QStringLiteral("dump-meters"), bridge}, timeoutMs);
    if (!out)
        return std::unexpected(out.error());
    return parseMeters(*out);
}

Result<QList<quint32>> putMeters(const OvsEnv &env, const QString &bridge, const QStringList &specs,
                                 int timeoutMs)
{
    auto present = readMeters(env, bridge, timeoutMs);
    if (!present)
        return std::unexpected(present.error());
    QHash<quint32, QString> have;
    for (const QString &spec : *present)
        have.insert(meterId(spec), spec);
    for (const QString &spec : specs) {
        const quint32 id = meterId(spec);
        if (have.value(id) == spec) {
            have.remove(id);
            continue;
        }
        const QString command =
            have.contains(id) ? QStringLiteral("mod-meter") : QStringLiteral("add-meter");
        if (auto r = ofctl(env, {command, bridge, spec}, timeoutMs); !r)
            return std::unexpected(r.error());
        have.remove(id);
    }
    QList<quint32> stale = have.keys();
    std::sort(stale.begin(), stale.end());
    return stale;
}

Result<void> deleteMeters(const OvsEnv &env, const QString &bridge, const QList<quint32> &ids,
                          int timeoutMs)
{
    for (quint32 id : ids)
        if (auto r = ofctl(
                env, {QStringLiteral("del-meters"), bridge, QStringLiteral("meter=%1").arg(id)},
                timeoutMs);
            !r)
            return std::unexpected(r.error());
    if (!ids.isEmpty())
        qCDebug(lcApply) << "deleted" << ids.size() << "meters on" << bridge;
    return {};
}

} // namespace converge::collectors::ovs
