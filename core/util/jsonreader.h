#pragma once

#include "core/util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

// Reads the fields of one JSON object that came from outside (a protocol message, a host's
// state) and keeps the first problem, named by its path ("body.desired.bridges[1].tag: ..."):
// later reads return their fallback and never replace it, so a reader is a list of fields
// followed by one check. Absent and null fields are absent. core/realize/hoststatereader.h adds
// the host-state form's own checks (interface names, VLANs, prefixes, MACs, field tables).
namespace converge::core {

class JsonReader
{
public:
    JsonReader(const QJsonObject &object, QString path);
    // A protocol message's body: paths start with "body".
    static JsonReader body(const QJsonObject &body) { return {body, QStringLiteral("body")}; }

    QString where(const QString &key) const; // "bridges[1].tag"
    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    // The first problem as an error (InvalidInput), or nothing.
    Result<void> result() const;
    // `value`, read with this reader, unless the reader found a problem.
    template<typename T> Result<T> checked(T value) const
    {
        if (!ok())
            return invalid(m_error);
        return value;
    }
    void fail(const QString &key, const QString &what);

    QString str(const QString &key, bool required = false);
    QString oneOf(const QString &key, const QStringList &allowed, bool required = false);
    // 1-128 characters of letters, digits, '.', '_', ':', '-': ids, digests, versions, names.
    QString token(const QString &key, bool required = true);
    bool boolean(const QString &key, bool fallback, bool required = false);
    // A whole number in min-max; `unit` words the error ("must be whole seconds in 1-3600"),
    // else it is "5000 is not an integer in 0-4094".
    qint64 integer(const QString &key, qint64 min, qint64 max, qint64 fallback,
                   bool required = false, const QString &unit = {});
    QStringList stringList(const QString &key);
    QJsonArray array(const QString &key, bool required = false);
    QJsonObject object(const QString &key, bool required = false);
    QJsonObject object(const QJsonArray &array, qsizetype index, const QString &key);
    // Fails on a key not in `known`.
    void unknownKeys(const QStringList &known);

protected:
    const QJsonObject &json() const { return m_o; }

private:
    // The value of `key`, or undefined (after failing when required) if absent or null.
    QJsonValue present(const QString &key, bool required);

    QJsonObject m_o;
    QString m_path;
    QString m_error;
};

} // namespace converge::core
