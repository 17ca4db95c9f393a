#include "bodyreader.h"

#include <QRegularExpression>

#include <cmath>

namespace converge::core::protocol {

BodyReader::BodyReader(const QJsonObject &object, QString path)
    : m_object(object)
    , m_path(std::move(path))
{
}

QString BodyReader::pathOf(const QString &key) const
{
    return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
}

void BodyReader::fail(const QString &key, const QString &what)
{
    if (!m_error)
        m_error = Error{Error::Code::InvalidInput, pathOf(key) + QStringLiteral(": ") + what};
}

void BodyReader::onlyKeys(const QStringList &known)
{
    for (auto it = m_object.begin(); it != m_object.end(); ++it)
        if (!known.contains(it.key()))
            fail(it.key(), QStringLiteral("unknown field"));
}

QJsonValue BodyReader::take(const QString &key, Need need)
{
    const QJsonValue v = m_object.value(key);
    if (v.isUndefined() && need == Need::Required)
        fail(key, QStringLiteral("is required"));
    return v;
}

QString BodyReader::token(const QString &key, Need need)
{
    const QJsonValue v = take(key, need);
    if (v.isUndefined())
        return {};
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._:-]{1,128}$"));
    if (!v.isString() || !re.match(v.toString()).hasMatch()) {
        fail(key,
             QStringLiteral("must be 1-128 characters of letters, digits, '.', '_', ':', '-'"));
        return {};
    }
    return v.toString();
}

QString BodyReader::string(const QString &key, Need need)
{
    const QJsonValue v = take(key, need);
    if (!v.isUndefined() && !v.isString())
        fail(key, QStringLiteral("must be a string"));
    return v.toString();
}

bool BodyReader::boolean(const QString &key, Need need)
{
    const QJsonValue v = take(key, need);
    if (!v.isUndefined() && !v.isBool())
        fail(key, QStringLiteral("must be true or false"));
    return v.toBool();
}

std::optional<qint64> BodyReader::integer(const QString &key, qint64 min, qint64 max, Need need,
                                          const QString &unit)
{
    const QJsonValue v = take(key, need);
    if (v.isUndefined())
        return std::nullopt;
    const double d = v.toDouble(-1);
    // Compared as doubles before any cast: an out-of-range double cast to an integer is UB.
    if (!v.isDouble() || d != std::floor(d) || d < double(min) || d > double(max)) {
        fail(key, QStringLiteral("must be %1 in %2-%3")
                      .arg(unit.isEmpty() ? QStringLiteral("a whole number") : unit)
                      .arg(min)
                      .arg(max));
        return std::nullopt;
    }
    return static_cast<qint64>(d);
}

QJsonObject BodyReader::object(const QString &key, Need need)
{
    const QJsonValue v = take(key, need);
    if (!v.isUndefined() && !v.isObject())
        fail(key, QStringLiteral("must be an object"));
    return v.toObject();
}

QJsonArray BodyReader::array(const QString &key, Need need)
{
    const QJsonValue v = take(key, need);
    if (!v.isUndefined() && !v.isArray())
        fail(key, QStringLiteral("must be an array"));
    return v.toArray();
}

QStringList BodyReader::strings(const QString &key, Need need)
{
    QStringList out;
    const QJsonArray list = array(key, need);
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list[i].isString()) {
            fail(QStringLiteral("%1[%2]").arg(key).arg(i), QStringLiteral("must be a string"));
            return {};
        }
        out << list[i].toString();
    }
    return out;
}

} // namespace converge::core::protocol
