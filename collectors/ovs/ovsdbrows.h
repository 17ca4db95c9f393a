#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

// OVSDB's value forms (RFC 7047 section 5.1) and select results, read the way the agent needs
// them: sets, maps, uuids and rows by uuid.
namespace converge::collectors::ovs {

// ["set",[a,b]] -> [a,b]; a single atom -> [atom]; ["set",[]] -> [].
QJsonArray setItems(const QJsonValue &v);
// ["map",[[k,v],...]] -> {k: v} (string values only, as external_ids and other_config are).
QHash<QString, QString> mapItems(const QJsonValue &v);
// ["map",[[k,n],...]] -> {k: n} for integer values (an Interface's statistics).
QHash<QString, qint64> integerMapItems(const QJsonValue &v);
// ["uuid","..."] -> "..."
QString uuidOf(const QJsonValue &v);
QStringList uuidSet(const QJsonValue &v);
// An optional string (["set",[]] when empty) or a plain string.
QString optionalString(const QJsonValue &v);
std::optional<qint64> optionalInteger(const QJsonValue &v);

struct Row
{
    QString uuid;
    QJsonObject columns;
    QJsonValue operator[](const char *column) const { return columns.value(QLatin1String(column)); }
};

// A port, interface or mirror a capture made for itself (external_ids:converge-capture): not part
// of the host's state, so no plan touches it (collectors/ovs/capturemirror.h).
bool isCaptureRow(const Row &row);

QJsonObject selectAll(const QString &table, const QStringList &columns);
QHash<QString, Row> rowsByUuid(const QJsonValue &selectResult);

} // namespace converge::collectors::ovs
