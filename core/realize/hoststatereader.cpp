#include "hoststatereader.h"

#include "core/util/ipaddress.h"

#include <cmath>

namespace converge::core::realize {

namespace {

QString indexed(const QString &key, qsizetype i)
{
    return QStringLiteral("%1[%2]").arg(key).arg(i);
}

} // namespace

QString HostStateReader::ifname(const QString &key, bool required)
{
    const QString s = str(key, required);
    // Present and empty is no name either (only an absent optional name may be empty).
    if ((!s.isEmpty() || json().value(key).isString()) && !isValidInterfaceName(s))
        fail(key, QStringLiteral("\"%1\" is not a valid interface name (1-15 characters of "
                                 "letters, digits, '_', '.', '-', not starting with '-')")
                      .arg(s));
    return s;
}

int HostStateReader::vlan(const QString &key, int fallback)
{
    const QJsonValue v = json().value(key);
    if (v.isDouble() && (v.toDouble() < 0 || v.toDouble() > 4094)) {
        fail(key, QStringLiteral("%1 is not a VLAN id (0-4094)").arg(v.toDouble()));
        return fallback;
    }
    return static_cast<int>(integer(key, 0, 4094, fallback));
}

QList<int> HostStateReader::intList(const QString &key, int min, int max, const QString &what,
                                    int maxItems)
{
    QList<int> out;
    const QJsonArray a = array(key);
    // Checked before the entries are, so an oversized list costs no more than its count.
    if (maxItems > 0 && a.size() > maxItems) {
        fail(key,
             QStringLiteral("%1 entries, more than the %2 allowed").arg(a.size()).arg(maxItems));
        return out;
    }
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

QString HostStateReader::prefix(const QString &key, bool networkForm)
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

QString HostStateReader::mac(const QString &key)
{
    const QString s = str(key);
    if (s.isEmpty())
        return s;
    const QString m = canonicalMac(s);
    if (m.isEmpty())
        fail(key, QStringLiteral("\"%1\" is not a MAC address").arg(s));
    return m;
}

void HostStateReader::read(const FieldRule &f, QString &out, const QString &)
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

void HostStateReader::read(const FieldRule &f, bool &out, bool fallback)
{
    out = boolean(QString::fromLatin1(f.key), fallback);
}

void HostStateReader::read(const FieldRule &f, int &out, int fallback)
{
    const QString key = QString::fromLatin1(f.key);
    out = f.check == FieldCheck::Vlan ? vlan(key, fallback)
                                      : static_cast<int>(integer(key, f.min, f.max, fallback));
}

void HostStateReader::read(const FieldRule &f, qint64 &out, qint64 fallback)
{
    out = integer(QString::fromLatin1(f.key), f.min, f.max, fallback);
}

void HostStateReader::read(const FieldRule &f, QList<int> &out, const QList<int> &)
{
    out = intList(QString::fromLatin1(f.key), static_cast<int>(f.min), static_cast<int>(f.max),
                  QString::fromLatin1(f.what), f.maxItems);
}

void HostStateReader::read(const FieldRule &f, QStringList &out, const QStringList &)
{
    out = stringList(QString::fromLatin1(f.key));
}

void HostStateReader::read(const FieldRule &f, Port::Type &out, Port::Type)
{
    const QString type = oneOf(QString::fromLatin1(f.key), f.choices, f.required);
    out = Port::Type::System;
    for (Port::Type t :
         {Port::Type::Internal, Port::Type::Bond, Port::Type::Vxlan, Port::Type::Gre})
        if (type == typeName(t))
            out = t;
}

} // namespace converge::core::realize
