#include "schema.h"

#include "schematable.h"

#include "../util/ipaddress.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace converge::core {

namespace {

using T = PropertyType;

// The kind table, indexed by ElementKind.
const std::vector<KindSpec> &specs()
{
    static const std::vector<KindSpec> s = schematable::kinds();
    return s;
}

bool isInteger(const QJsonValue &v, double min, double max)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::floor(d) == d && d >= min && d <= max;
}

bool isPrintable(const QString &s)
{
    for (QChar c : s) {
        if (c.category() == QChar::Other_Control)
            return false;
    }
    return true;
}

bool isIpAddress(const QString &s)
{
    return IpAddress::parse(s).has_value();
}

bool isIpPrefix(const QString &s)
{
    return IpPrefix::parse(s).has_value();
}

bool isMac(const QString &s)
{
    static const QRegularExpression re(
        QStringLiteral("\\A[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}\\z"));
    return re.match(s).hasMatch();
}

bool isIdentifier(const QString &s)
{
    static const QRegularExpression re(
        QStringLiteral("\\A[A-Za-z0-9][A-Za-z0-9 ._:()#+-]{0,63}\\z"));
    return re.match(s).hasMatch();
}

std::optional<QString> checkList(const QJsonValue &v, const char *what,
                                 bool (*ok)(const QJsonValue &, const PropertySpec &),
                                 const PropertySpec &spec, bool unique)
{
    const QString expected = QStringLiteral("expected an array of ") + QLatin1String(what);
    if (!v.isArray())
        return expected;
    if (spec.maxItems > 0 && v.toArray().size() > spec.maxItems)
        return QStringLiteral("%1 entries, more than the %2 allowed")
            .arg(v.toArray().size())
            .arg(spec.maxItems);
    QSet<QString> seen;
    for (const QJsonValue item : v.toArray()) {
        if (!ok(item, spec))
            return expected;
        if (unique) {
            const QString key =
                item.isString() ? item.toString() : QString::number(item.toDouble(), 'g', 17);
            if (seen.contains(key))
                return QStringLiteral("duplicate entry %1 in the list").arg(key);
            seen.insert(key);
        }
    }
    return std::nullopt;
}

std::optional<QString> checkRecords(const PropertySpec &spec, const QJsonValue &value)
{
    if (!value.isArray())
        return QStringLiteral("expected an array of objects");
    const QJsonArray items = value.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString at = QStringLiteral("[%1]").arg(i);
        if (!items.at(i).isObject())
            return at + QStringLiteral(": expected an object");
        const QJsonObject o = items.at(i).toObject();
        for (const PropertySpec &f : spec.fields) {
            if (f.required && !o.contains(f.key))
                return at + QStringLiteral(".") + f.key + QStringLiteral(": missing (required)");
        }
        for (auto it = o.begin(); it != o.end(); ++it) {
            const PropertySpec *f = findField(spec, it.key());
            if (!f)
                return at + QStringLiteral(".") + it.key() + QStringLiteral(": unknown field");
            if (auto problem = checkValue(*f, it.value()))
                return at + QStringLiteral(".") + it.key() + QStringLiteral(": ") + *problem;
        }
    }
    return std::nullopt;
}

// Free text, names, interface names and enum values.
std::optional<QString> checkText(const PropertySpec &spec, const QJsonValue &value)
{
    const QString s = value.toString();
    switch (spec.type) {
    case T::Name:
        if (value.isString() && !s.trimmed().isEmpty() && isPrintable(s))
            return std::nullopt;
        return QStringLiteral("expected a non-empty name");
    case T::Identifier:
        if (value.isString() && isIdentifier(s))
            return std::nullopt;
        return QStringLiteral("expected an interface name (1-64 letters, digits, spaces or "
                              "._:()#+-, starting with a letter or digit)");
    case T::Enum:
        if (value.isString() && spec.enumValues.contains(s))
            return std::nullopt;
        return QStringLiteral("expected one of ") + spec.enumValues.join(QStringLiteral(", "));
    default:
        if (value.isString())
            return std::nullopt;
        return QStringLiteral("expected a string");
    }
}

// Booleans, integers, bandwidths and diagram points.
std::optional<QString> checkNumbers(const PropertySpec &spec, const QJsonValue &value)
{
    switch (spec.type) {
    case T::Bool:
        if (value.isBool())
            return std::nullopt;
        return QStringLiteral("expected true or false");
    case T::Bandwidth:
        if (isInteger(value, 1, 9007199254740992.0))
            return std::nullopt;
        return QStringLiteral("expected a positive number (bits per second)");
    case T::Point: {
        const QJsonArray xy = value.toArray();
        const auto coordinate = [&](const QJsonValue &v) {
            return v.isDouble() && v.toDouble() >= spec.min && v.toDouble() <= spec.max;
        };
        if (value.isArray() && xy.size() == 2 && coordinate(xy[0]) && coordinate(xy[1]))
            return std::nullopt;
        return QStringLiteral("expected ") + describeType(spec);
    }
    default:
        if (isInteger(value, spec.min, spec.max))
            return std::nullopt;
        return QStringLiteral("expected ") + describeType(spec);
    }
}

// IP addresses and prefixes, MAC addresses and element ids.
std::optional<QString> checkAddress(const PropertySpec &spec, const QJsonValue &value)
{
    const QString s = value.toString();
    switch (spec.type) {
    case T::IpAddress:
        if (value.isString() && isIpAddress(s))
            return std::nullopt;
        return QStringLiteral("expected an IP address");
    case T::IpPrefix:
        if (value.isString() && isIpPrefix(s))
            return std::nullopt;
        return QStringLiteral("expected an IP prefix such as 10.0.0.5/24");
    case T::MacAddress:
        if (value.isString() && isMac(s))
            return std::nullopt;
        return QStringLiteral("expected a MAC address such as 00-15-5D-01-02-03");
    default:
        if (value.isString() && isValidId(s))
            return std::nullopt;
        return QStringLiteral("expected an element id");
    }
}

bool isAddressText(const QJsonValue &v, const PropertySpec &)
{
    return v.isString() && isIpAddress(v.toString());
}

bool isPrefixText(const QJsonValue &v, const PropertySpec &)
{
    return v.isString() && isIpPrefix(v.toString());
}

bool isIdText(const QJsonValue &v, const PropertySpec &)
{
    return v.isString() && isValidId(v.toString());
}

bool isIntegerIn(const QJsonValue &v, const PropertySpec &p)
{
    return isInteger(v, p.min, p.max);
}

// Arrays of integers, addresses, prefixes or ids: no duplicates.
std::optional<QString> checkListValue(const PropertySpec &spec, const QJsonValue &value)
{
    switch (spec.type) {
    case T::IntList:
        return checkList(value, "integers", isIntegerIn, spec, true).transform([&](QString m) {
            return !m.startsWith(QLatin1String("expected"))
                       ? m
                       : m + QStringLiteral(" %1-%2").arg(spec.min).arg(spec.max);
        });
    case T::IpAddressList:
        return checkList(value, "IP addresses", isAddressText, spec, true);
    case T::IpPrefixList:
        return checkList(value, "IP prefixes such as 10.0.0.5/24", isPrefixText, spec, true);
    default:
        return checkList(value, "element ids", isIdText, spec, true);
    }
}

} // namespace

QString kindName(ElementKind kind)
{
    return kindSpec(kind).name;
}

std::optional<ElementKind> kindFromName(const QString &name)
{
    for (const KindSpec &spec : specs()) {
        if (spec.name == name)
            return spec.kind;
    }
    return std::nullopt;
}

const KindSpec &kindSpec(ElementKind kind)
{
    return specs().at(std::size_t(kind));
}

const KindTexts &kindTexts(ElementKind kind)
{
    return kindSpec(kind).texts;
}

const PropertySpec *findProperty(ElementKind kind, const QString &key)
{
    for (const PropertySpec &p : kindSpec(kind).properties) {
        if (p.key == key)
            return &p;
    }
    return nullptr;
}

const PropertySpec *findField(const PropertySpec &records, const QString &key)
{
    for (const PropertySpec &f : records.fields) {
        if (f.key == key)
            return &f;
    }
    return nullptr;
}

QList<ElementKind> childKinds(std::optional<ElementKind> parent)
{
    QList<ElementKind> out;
    for (ElementKind k : allElementKinds) {
        const auto &parents = kindSpec(k).parentKinds;
        if (parent ? parents.contains(*parent) : parents.isEmpty())
            out.append(k);
    }
    return out;
}

std::optional<QString> checkValue(const PropertySpec &spec, const QJsonValue &value)
{
    switch (spec.type) {
    case T::String:
    case T::Name:
    case T::Identifier:
    case T::Enum:
        return checkText(spec, value);
    case T::Bool:
    case T::Int:
    case T::Bandwidth:
    case T::Point:
        return checkNumbers(spec, value);
    case T::IpAddress:
    case T::IpPrefix:
    case T::MacAddress:
    case T::Ref:
        return checkAddress(spec, value);
    case T::IntList:
    case T::IpAddressList:
    case T::IpPrefixList:
    case T::RefList:
        return checkListValue(spec, value);
    case T::Records:
        return checkRecords(spec, value);
    }
    return QStringLiteral("unsupported property type");
}

QString refKindsText(const PropertySpec &spec)
{
    QStringList names;
    for (ElementKind k : spec.refKinds)
        names << kindName(k);
    return names.join(QStringLiteral(" or "));
}

QString describeType(const PropertySpec &spec)
{
    switch (spec.type) {
    case T::String:
        return QStringLiteral("string");
    case T::Name:
        return QStringLiteral("non-empty name");
    case T::Identifier:
        return QStringLiteral("interface name");
    case T::Bool:
        return QStringLiteral("boolean");
    case T::Int:
        return QStringLiteral("an integer %1-%2").arg(spec.min, 0, 'f', 0).arg(spec.max, 0, 'f', 0);
    case T::Bandwidth:
        return QStringLiteral("bits per second (positive integer)");
    case T::Enum:
        return QStringLiteral("one of ") + spec.enumValues.join(QStringLiteral(", "));
    case T::IntList:
        return QStringLiteral("array of %1integers %2-%3")
            .arg(spec.maxItems > 0 ? QStringLiteral("at most %1 ").arg(spec.maxItems) : QString())
            .arg(spec.min, 0, 'f', 0)
            .arg(spec.max, 0, 'f', 0);
    case T::IpAddress:
        return QStringLiteral("IP address");
    case T::IpPrefix:
        return QStringLiteral("IP prefix (address/length)");
    case T::IpAddressList:
        return QStringLiteral("array of IP addresses");
    case T::IpPrefixList:
        return QStringLiteral("array of IP prefixes");
    case T::MacAddress:
        return QStringLiteral("MAC address");
    case T::Ref:
        return QStringLiteral("id of a ") + refKindsText(spec);
    case T::RefList:
        return QStringLiteral("array of ids of ") + refKindsText(spec) +
               QStringLiteral(" elements");
    case T::Records:
        return QStringLiteral("array of objects");
    case T::Point:
        return QStringLiteral("[x, y], two numbers %1 to %2")
            .arg(spec.min, 0, 'g', 8)
            .arg(spec.max, 0, 'g', 8);
    }
    return {};
}

bool isValidId(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("\\A[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}\\z"));
    return re.match(id).hasMatch();
}

} // namespace converge::core

namespace converge::core {

std::optional<QString> checkProperties(ElementKind kind, const QJsonObject &props)
{
    for (const PropertySpec &p : kindSpec(kind).properties) {
        if (p.required && !props.contains(p.key))
            return p.key + QStringLiteral(": missing (required for a %1)").arg(kindName(kind));
    }
    for (auto it = props.begin(); it != props.end(); ++it) {
        const PropertySpec *p = findProperty(kind, it.key());
        if (!p)
            return it.key() + QStringLiteral(": unknown property of a %1").arg(kindName(kind));
        if (auto problem = checkValue(*p, it.value()))
            return it.key() +
                   (problem->startsWith(QLatin1Char('[')) ? QString() : QStringLiteral(": ")) +
                   *problem;
    }
    return std::nullopt;
}

std::optional<QString> checkReferences(ElementKind kind, const QJsonObject &props,
                                       const KindLookup &kindOf)
{
    for (const PropertySpec &p : kindSpec(kind).properties) {
        if (p.type != PropertyType::Ref && p.type != PropertyType::RefList)
            continue;
        const QJsonValue v = props.value(p.key);
        const QJsonArray ids = p.type == PropertyType::Ref
                                   ? (v.isUndefined() ? QJsonArray{} : QJsonArray{v})
                                   : v.toArray();
        for (qsizetype i = 0; i < ids.size(); ++i) {
            const QString id = ids.at(i).toString();
            const QString at =
                p.key +
                (p.type == PropertyType::RefList ? QStringLiteral("[%1]").arg(i) : QString());
            const auto target = kindOf(id);
            if (!target)
                return at + QStringLiteral(": no element with id '%1'").arg(id);
            if (!p.refKinds.contains(*target))
                return at + QStringLiteral(": '%1' is a %2, expected a %3")
                                .arg(id, kindName(*target), refKindsText(p));
        }
    }
    return std::nullopt;
}

QStringList referencedIds(ElementKind kind, const QJsonObject &props)
{
    // Called for every element when validation indexes a design: look only at the kind's
    // reference properties (a vNIC has 2 of its 27).
    static const auto refProps = [] {
        std::vector<std::vector<const PropertySpec *>> byKind(allElementKinds.size());
        for (ElementKind k : allElementKinds)
            for (const PropertySpec &p : kindSpec(k).properties)
                if (p.type == PropertyType::Ref || p.type == PropertyType::RefList)
                    byKind[std::size_t(k)].push_back(&p);
        return byKind;
    }();
    QStringList out;
    for (const PropertySpec *p : refProps[std::size_t(kind)]) {
        const QJsonValue v = props.value(p->key);
        if (p->type == PropertyType::Ref && v.isString())
            out << v.toString();
        else if (p->type == PropertyType::RefList)
            for (const QJsonValue id : v.toArray())
                out << id.toString();
    }
    return out;
}

} // namespace converge::core
