#pragma once

#include "core/util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

// Reads the fields of one JSON object of a protocol message (a request's or a reply's body) and
// keeps the first problem, named by its path ("body.transaction: is required"), so a message
// type reads as a list of its fields followed by one check of error().
namespace converge::core::protocol {

class BodyReader
{
public:
    enum class Need { Required, Optional };

    explicit BodyReader(const QJsonObject &object, QString path = QStringLiteral("body"));

    // Every key of the object must be one of `known`.
    void onlyKeys(const QStringList &known);
    // 1-128 characters of letters, digits, '.', '_', ':', '-': ids, digests, versions, names.
    QString token(const QString &key, Need need = Need::Required);
    QString string(const QString &key, Need need = Need::Required);
    bool boolean(const QString &key, Need need = Need::Required);
    // A whole number in [min, max]; `unit` words the error ("whole seconds").
    std::optional<qint64> integer(const QString &key, qint64 min, qint64 max,
                                  Need need = Need::Required, const QString &unit = {});
    QJsonObject object(const QString &key, Need need = Need::Required);
    QJsonArray array(const QString &key, Need need = Need::Required);
    QStringList strings(const QString &key, Need need = Need::Required);

    // The first problem, if any.
    const std::optional<Error> &error() const { return m_error; }
    bool ok() const { return !m_error; }
    void fail(const QString &key, const QString &what);
    QString pathOf(const QString &key) const;

private:
    QJsonValue take(const QString &key, Need need);

    QJsonObject m_object;
    QString m_path;
    std::optional<Error> m_error;
};

} // namespace converge::core::protocol
