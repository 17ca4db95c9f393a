#include "ovsdbrows.h"

namespace converge::collectors::ovs {

// ["set",[a,b]] -> [a,b]; a single atom -> [atom]; ["set",[]] -> [].
QJsonArray setItems(const QJsonValue &v)
{
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        if (a.size() == 2 && a.at(0).toString() == QLatin1String("set"))
            return a.at(1).toArray();
        if (a.size() == 2 && a.at(0).toString() == QLatin1String("uuid"))
            return QJsonArray{v};
        return {};
    }
    if (v.isUndefined() || v.isNull())
        return {};
    return QJsonArray{v};
}

// ["map",[[k,v],...]] -> {k: v} (string values only, as external_ids and other_config are).
QHash<QString, QString> mapItems(const QJsonValue &v)
{
    QHash<QString, QString> map;
    const QJsonArray a = v.toArray();
    if (a.size() != 2 || a.at(0).toString() != QLatin1String("map"))
        return map;
    for (const QJsonValue &pair : a.at(1).toArray()) {
        const QJsonArray kv = pair.toArray();
        if (kv.size() == 2)
            map.insert(kv.at(0).toString(), kv.at(1).toString());
    }
    return map;
}

// ["uuid","..."] -> "..."
QString uuidOf(const QJsonValue &v)
{
    const QJsonArray a = v.toArray();
    if (a.size() == 2 && a.at(0).toString() == QLatin1String("uuid"))
        return a.at(1).toString();
    return {};
}

QStringList uuidSet(const QJsonValue &v)
{
    QStringList uuids;
    for (const QJsonValue &item : setItems(v))
        if (const QString u = uuidOf(item); !u.isEmpty())
            uuids << u;
    return uuids;
}

// An optional string (["set",[]] when empty) or a plain string.
QString optionalString(const QJsonValue &v)
{
    const QJsonArray items = setItems(v);
    return items.isEmpty() ? QString() : items.at(0).toString();
}

std::optional<qint64> optionalInteger(const QJsonValue &v)
{
    const QJsonArray items = setItems(v);
    if (items.isEmpty() || !items.at(0).isDouble())
        return std::nullopt;
    return qint64(items.at(0).toDouble());
}

QJsonObject selectAll(const QString &table, const QStringList &columns)
{
    return QJsonObject{{QStringLiteral("op"), QStringLiteral("select")},
                       {QStringLiteral("table"), table},
                       {QStringLiteral("where"), QJsonArray()},
                       {QStringLiteral("columns"), QJsonArray::fromStringList(columns)}};
}

QHash<QString, Row> rowsByUuid(const QJsonValue &selectResult)
{
    QHash<QString, Row> rows;
    for (const QJsonValue &v : selectResult.toObject().value(QStringLiteral("rows")).toArray()) {
        const QJsonObject o = v.toObject();
        const QString uuid = uuidOf(o.value(QStringLiteral("_uuid")));
        rows.insert(uuid, Row{uuid, o});
    }
    return rows;
}

QHash<QString, qint64> integerMapItems(const QJsonValue &v)
{
    QHash<QString, qint64> map;
    const QJsonArray a = v.toArray();
    if (a.size() != 2 || a.at(0).toString() != QLatin1String("map"))
        return map;
    for (const QJsonValue &pair : a.at(1).toArray()) {
        const QJsonArray kv = pair.toArray();
        if (kv.size() == 2 && kv.at(1).isDouble())
            map.insert(kv.at(0).toString(), qint64(kv.at(1).toDouble()));
    }
    return map;
}

bool isCaptureRow(const Row &row)
{
    return mapItems(row["external_ids"]).contains(QStringLiteral("converge-capture"));
}

} // namespace converge::collectors::ovs
