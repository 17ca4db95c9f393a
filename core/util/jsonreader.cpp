#include "jsonreader.h"

#include <QRegularExpression>

#include <cmath>

namespace converge::core {

namespace {

QString indexed(const QString &key, qsizetype i)
{
    return QStringLiteral("%1[%2]").arg(key).arg(i);
}

} // namespace

JsonReader::JsonReader(const QJsonObject &object, QString path)
    : m_o(object)
    , m_path(std::move(path))
{
}

QString JsonReader::where(const QString &key) const
{
    return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
}

Result<void> JsonReader::result() const
{
    if (ok())
        return {};
    return invalid(m_error);
}

void JsonReader::fail(const QString &key, const QString &what)
{
    if (m_error.isEmpty())
        m_error = where(key) + QStringLiteral(": ") + what;
}

QJsonValue JsonReader::present(const QString &key, bool required)
{
    const QJsonValue v = m_o.value(key);
    if (!v.isUndefined() && !v.isNull())
        return v;
    if (required)
        fail(key, QStringLiteral("is required"));
    return QJsonValue(QJsonValue::Undefined);
}

QString JsonReader::str(const QString &key, bool required)
{
    const QJsonValue v = present(key, required);
    if (v.isUndefined())
        return {};
    if (!v.isString()) {
        fail(key, QStringLiteral("must be a string"));
        return {};
    }
    return v.toString();
}

QString JsonReader::oneOf(const QString &key, const QStringList &allowed, bool required)
{
    const QString s = str(key, required);
    if (!s.isEmpty() && !allowed.contains(s))
        fail(key, QStringLiteral("\"%1\" is not one of %2").arg(s, allowed.join(u", ")));
    return s;
}

QString JsonReader::token(const QString &key, bool required)
{
    const QJsonValue v = present(key, required);
    if (v.isUndefined())
        return {};
    static const QRegularExpression re(QStringLiteral("\\A[A-Za-z0-9._:-]{1,128}\\z"));
    if (!v.isString() || !re.match(v.toString()).hasMatch()) {
        fail(key,
             QStringLiteral("must be 1-128 characters of letters, digits, '.', '_', ':', '-'"));
        return {};
    }
    return v.toString();
}

bool JsonReader::boolean(const QString &key, bool fallback, bool required)
{
    const QJsonValue v = present(key, required);
    if (v.isUndefined())
        return fallback;
    if (!v.isBool()) {
        fail(key, QStringLiteral("must be true or false"));
        return fallback;
    }
    return v.toBool();
}

qint64 JsonReader::integer(const QString &key, qint64 min, qint64 max, qint64 fallback,
                           bool required, const QString &unit)
{
    const QJsonValue v = present(key, required);
    if (v.isUndefined())
        return fallback;
    const double d = v.toDouble(-1e300);
    // Range first: casting an out-of-range double is undefined.
    if (!v.isDouble() || d < double(min) || d > double(max) || d != std::floor(d)) {
        if (!unit.isEmpty())
            fail(key, QStringLiteral("must be %1 in %2-%3").arg(unit).arg(min).arg(max));
        else
            fail(key, QStringLiteral("%1 is not an integer in %2-%3")
                          .arg(v.isDouble() ? QString::number(d) : QStringLiteral("value"))
                          .arg(min)
                          .arg(max));
        return fallback;
    }
    return static_cast<qint64>(d);
}

QStringList JsonReader::stringList(const QString &key)
{
    QStringList out;
    const QJsonArray a = array(key);
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a[i].isString()) {
            fail(indexed(key, i), QStringLiteral("must be a string"));
            return out;
        }
        out.append(a[i].toString());
    }
    return out;
}

QJsonArray JsonReader::array(const QString &key, bool required)
{
    const QJsonValue v = present(key, required);
    if (v.isUndefined())
        return {};
    if (!v.isArray()) {
        fail(key, QStringLiteral("must be a list"));
        return {};
    }
    return v.toArray();
}

QJsonObject JsonReader::object(const QString &key, bool required)
{
    const QJsonValue v = present(key, required);
    if (v.isUndefined())
        return {};
    if (!v.isObject()) {
        fail(key, QStringLiteral("must be an object"));
        return {};
    }
    return v.toObject();
}

QJsonObject JsonReader::object(const QJsonArray &array, qsizetype index, const QString &key)
{
    if (!array[index].isObject()) {
        fail(indexed(key, index), QStringLiteral("must be an object"));
        return {};
    }
    return array[index].toObject();
}

void JsonReader::unknownKeys(const QStringList &known)
{
    for (auto it = m_o.begin(); it != m_o.end(); ++it)
        if (!known.contains(it.key()))
            fail(it.key(), QStringLiteral("unknown field"));
}

} // namespace converge::core
