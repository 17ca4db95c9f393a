#include "jsonreader.h"

#include "core/util/ipaddress.h"

#include <cmath>

namespace converge::core::realize {

namespace {

bool isAbsent(const QJsonValue &v)
{
    return v.isUndefined() || v.isNull();
}

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

void JsonReader::fail(const QString &key, const QString &what)
{
    if (m_error.isEmpty())
        m_error = where(key) + QStringLiteral(": ") + what;
}

QString JsonReader::str(const QString &key, bool required)
{
    const QJsonValue v = m_o.value(key);
    if (isAbsent(v)) {
        if (required)
            fail(key, QStringLiteral("is required"));
        return {};
    }
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

QString JsonReader::ifname(const QString &key, bool required)
{
    const QString s = str(key, required);
    if (!s.isEmpty() && !isValidInterfaceName(s))
        fail(key, QStringLiteral("\"%1\" is not a valid interface name (1-15 characters of "
                                 "letters, digits, '_', '.', '-', not starting with '-')")
                      .arg(s));
    return s;
}

bool JsonReader::boolean(const QString &key, bool fallback)
{
    const QJsonValue v = m_o.value(key);
    if (isAbsent(v))
        return fallback;
    if (!v.isBool()) {
        fail(key, QStringLiteral("must be true or false"));
        return fallback;
    }
    return v.toBool();
}

qint64 JsonReader::integer(const QString &key, qint64 min, qint64 max, qint64 fallback)
{
    const QJsonValue v = m_o.value(key);
    if (isAbsent(v))
        return fallback;
    const double d = v.toDouble(-1e300);
    // Range first: casting an out-of-range double is undefined.
    if (!v.isDouble() || d < min || d > max || d != std::floor(d)) {
        fail(key, QStringLiteral("%1 is not an integer in %2-%3")
                      .arg(v.isDouble() ? QString::number(d) : QStringLiteral("value"))
                      .arg(min)
                      .arg(max));
        return fallback;
    }
    return static_cast<qint64>(d);
}

int JsonReader::vlan(const QString &key, int fallback)
{
    const QJsonValue v = m_o.value(key);
    if (v.isDouble() && (v.toDouble() < 0 || v.toDouble() > 4094)) {
        fail(key, QStringLiteral("%1 is not a VLAN id (0-4094)").arg(v.toDouble()));
        return fallback;
    }
    return static_cast<int>(integer(key, 0, 4094, fallback));
}

QList<int> JsonReader::intList(const QString &key, int min, int max, const QString &what)
{
    QList<int> out;
    const QJsonArray a = array(key);
    for (qsizetype i = 0; i < a.size(); ++i) {
        const double d = a[i].toDouble(-1);
        if (!a[i].isDouble() || d < min || d > max || d != std::floor(d)) {
            fail(indexed(key, i), QStringLiteral("is not %1 (%2-%3)").arg(what).arg(min).arg(max));
            return out;
        }
        out.append(static_cast<int>(d));
    }
    return out;
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

QString JsonReader::prefix(const QString &key, bool networkForm)
{
    const QString s = str(key);
    if (s.isEmpty())
        return s;
    const auto p = core::IpPrefix::parse(s);
    if (!p) {
        fail(key, QStringLiteral("\"%1\" is not an IP prefix (address/length)").arg(s));
        return {};
    }
    if (networkForm)
        return p->network().address.toString() + QLatin1Char('/') + QString::number(p->length);
    return s;
}

QString JsonReader::mac(const QString &key)
{
    const QString s = str(key);
    if (s.isEmpty())
        return s;
    const QString m = canonicalMac(s);
    if (m.isEmpty())
        fail(key, QStringLiteral("\"%1\" is not a MAC address").arg(s));
    return m;
}

QJsonArray JsonReader::array(const QString &key)
{
    const QJsonValue v = m_o.value(key);
    if (isAbsent(v))
        return {};
    if (!v.isArray()) {
        fail(key, QStringLiteral("must be a list"));
        return {};
    }
    return v.toArray();
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

void JsonReader::read(const FieldRule &f, QString &out, const QString &)
{
    const QString key = QString::fromLatin1(f.key);
    switch (f.check) {
    case FieldCheck::InterfaceName:
        out = ifname(key, f.required);
        return;
    case FieldCheck::OneOf:
        out = oneOf(key, f.choices, f.required);
        return;
    case FieldCheck::Prefix:
        out = prefix(key, true);
        return;
    case FieldCheck::Mac:
        out = mac(key);
        return;
    default:
        out = str(key, f.required);
    }
}

void JsonReader::read(const FieldRule &f, bool &out, bool fallback)
{
    out = boolean(QString::fromLatin1(f.key), fallback);
}

void JsonReader::read(const FieldRule &f, int &out, int fallback)
{
    const QString key = QString::fromLatin1(f.key);
    out = f.check == FieldCheck::Vlan ? vlan(key, fallback)
                                      : static_cast<int>(integer(key, f.min, f.max, fallback));
}

void JsonReader::read(const FieldRule &f, qint64 &out, qint64 fallback)
{
    out = integer(QString::fromLatin1(f.key), f.min, f.max, fallback);
}

void JsonReader::read(const FieldRule &f, QList<int> &out, const QList<int> &)
{
    out = intList(QString::fromLatin1(f.key), static_cast<int>(f.min), static_cast<int>(f.max),
                  QString::fromLatin1(f.what));
}

void JsonReader::read(const FieldRule &f, QStringList &out, const QStringList &)
{
    out = stringList(QString::fromLatin1(f.key));
}

void JsonReader::read(const FieldRule &f, Port::Type &out, Port::Type)
{
    const QString type = oneOf(QString::fromLatin1(f.key), f.choices, f.required);
    out = type == QLatin1String("bond")       ? Port::Type::Bond
          : type == QLatin1String("internal") ? Port::Type::Internal
                                              : Port::Type::System;
}

} // namespace converge::core::realize
