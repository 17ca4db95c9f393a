#include "valuetext.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace converge::views {

using core::PropertySpec;
using T = core::PropertyType;

namespace {

// [10, 20, 21, 22] -> "10, 20-22": runs of consecutive ids, in the order the array has them.
QString intListText(const QJsonArray &values)
{
    QStringList parts;
    for (qsizetype i = 0; i < values.size();) {
        qsizetype j = i;
        while (j + 1 < values.size() &&
               values.at(j + 1).toInteger() == values.at(j).toInteger() + 1)
            ++j;
        const qint64 first = values.at(i).toInteger();
        const qint64 last = values.at(j).toInteger();
        parts << (j > i ? QStringLiteral("%1-%2").arg(first).arg(last) : QString::number(first));
        i = j + 1;
    }
    return parts.join(QStringLiteral(", "));
}

QString range(const PropertySpec &spec)
{
    return QStringLiteral("%1-%2").arg(spec.min, 0, 'f', 0).arg(spec.max, 0, 'f', 0);
}

std::expected<QJsonValue, QString> parseIntList(const PropertySpec &spec, const QString &text)
{
    static const QRegularExpression item(QStringLiteral("^(\\d{1,10})(?:\\s*-\\s*(\\d{1,10}))?$"));
    QJsonArray out;
    for (const QString &raw : text.split(QRegularExpression(QStringLiteral("[,;]")))) {
        const QString part = raw.trimmed();
        if (part.isEmpty())
            continue;
        const auto m = item.match(part);
        if (!m.hasMatch())
            return std::unexpected(
                QStringLiteral("'%1' is not a number or range (such as 10, 20-22)").arg(part));
        const qint64 first = m.captured(1).toLongLong();
        const qint64 last = m.capturedLength(2) > 0 ? m.captured(2).toLongLong() : first;
        if (last < first)
            return std::unexpected(QStringLiteral("%1: the range runs backwards").arg(part));
        for (qint64 v : {first, last}) {
            if (double(v) < spec.min || double(v) > spec.max)
                return std::unexpected(
                    QStringLiteral("%1 is out of range (expected %2)").arg(v).arg(range(spec)));
        }
        for (qint64 v = first; v <= last; ++v)
            out.append(v);
    }
    return out.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(out);
}

std::expected<QJsonValue, QString> parseAddressList(const PropertySpec &spec, const QString &text)
{
    PropertySpec itemSpec = spec;
    itemSpec.type = spec.type == T::IpAddressList ? T::IpAddress : T::IpPrefix;
    QJsonArray out;
    for (const QString &raw : text.split(QRegularExpression(QStringLiteral("[,;\\s]+")))) {
        if (raw.isEmpty())
            continue;
        if (auto problem = core::checkValue(itemSpec, raw))
            return std::unexpected(QStringLiteral("'%1': %2").arg(raw, *problem));
        out.append(raw);
    }
    return out.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(out);
}

std::expected<QJsonValue, QString> parseRaw(const PropertySpec &spec, const QString &text)
{
    switch (spec.type) {
    case T::IntList:
        return parseIntList(spec, text);
    case T::IpAddressList:
    case T::IpPrefixList:
        return parseAddressList(spec, text);
    case T::Int: {
        bool ok = false;
        const qint64 v = text.toLongLong(&ok);
        if (!ok)
            return std::unexpected(QStringLiteral("'%1' is not a whole number").arg(text));
        return QJsonValue(v);
    }
    case T::Bandwidth: {
        const auto parsed = parseBandwidth(text, 0);
        if (!parsed)
            return std::unexpected(parsed.error());
        return QJsonValue(parsed->bitsPerSecond);
    }
    case T::Bool: {
        const QString t = text.toLower();
        if (t == QLatin1String("true") || t == QLatin1String("yes") || t == QLatin1String("1"))
            return QJsonValue(true);
        if (t == QLatin1String("false") || t == QLatin1String("no") || t == QLatin1String("0"))
            return QJsonValue(false);
        return std::unexpected(QStringLiteral("expected true or false"));
    }
    case T::Point: {
        const QStringList xy = text.split(QRegularExpression(QStringLiteral("\\s*[,;\\s]\\s*")));
        bool okX = false;
        bool okY = false;
        const double x = xy.value(0).toDouble(&okX);
        const double y = xy.value(1).toDouble(&okY);
        if (xy.size() != 2 || !okX || !okY)
            return std::unexpected(QStringLiteral("expected two numbers such as 120, 40"));
        return QJsonValue(QJsonArray{x, y});
    }
    case T::RefList:
    case T::Records: {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !doc.isArray())
            return std::unexpected(QStringLiteral("expected a JSON array"));
        return QJsonValue(doc.array());
    }
    default:
        return QJsonValue(text);
    }
}

} // namespace

QString valueText(const PropertySpec &spec, const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull())
        return {};
    switch (spec.type) {
    case T::Int:
    case T::Bandwidth:
        return QString::number(value.toInteger());
    case T::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case T::IntList:
        return intListText(value.toArray());
    case T::IpAddressList:
    case T::IpPrefixList: {
        QStringList items;
        for (const QJsonValue v : value.toArray())
            items << v.toString();
        return items.join(QStringLiteral(", "));
    }
    case T::Point: {
        const QJsonArray xy = value.toArray();
        return QStringLiteral("%1, %2").arg(xy.at(0).toDouble()).arg(xy.at(1).toDouble());
    }
    case T::RefList:
    case T::Records:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    default:
        return value.toString();
    }
}

std::expected<QJsonValue, QString> parseValueText(const PropertySpec &spec, const QString &text)
{
    // Free text keeps its spaces; everything else is trimmed.
    const QString t = spec.type == T::String ? text : text.trimmed();
    if (t.trimmed().isEmpty()) {
        if (spec.required)
            return std::unexpected(QStringLiteral("required: it cannot be empty"));
        return QJsonValue(QJsonValue::Undefined);
    }
    auto value = parseRaw(spec, t);
    if (!value || value->isUndefined())
        return value;
    if (auto problem = core::checkValue(spec, *value))
        return std::unexpected(*problem);
    return value;
}

int bandwidthUnitFor(qint64 bitsPerSecond)
{
    for (int i = int(bandwidthUnits.size()) - 1; i > 0; --i) {
        if (bitsPerSecond != 0 && bitsPerSecond % bandwidthUnits[i].bitsPerSecond == 0)
            return i;
    }
    return 0;
}

std::expected<ParsedBandwidth, QString> parseBandwidth(const QString &text, int defaultUnit)
{
    static const QRegularExpression re(
        QStringLiteral("^(\\d{1,16})(?:[.,](\\d{1,9}))?\\s*([A-Za-z/]*)$"));
    static const QHash<QString, int> units{
        {QStringLiteral("bps"), 0},    {QStringLiteral("b/s"), 0},    {QStringLiteral("bit/s"), 0},
        {QStringLiteral("k"), 1},      {QStringLiteral("kbps"), 1},   {QStringLiteral("kb/s"), 1},
        {QStringLiteral("kbit/s"), 1}, {QStringLiteral("m"), 2},      {QStringLiteral("mbps"), 2},
        {QStringLiteral("mb/s"), 2},   {QStringLiteral("mbit/s"), 2}, {QStringLiteral("g"), 3},
        {QStringLiteral("gbps"), 3},   {QStringLiteral("gb/s"), 3},   {QStringLiteral("gbit/s"), 3},
    };
    const QString t = text.trimmed();
    const auto m = re.match(t);
    const QString unitText = m.captured(3).toLower();
    if (!m.hasMatch() || (!unitText.isEmpty() && !units.contains(unitText)))
        return std::unexpected(
            QStringLiteral("'%1' is not a bandwidth such as 10 Gb/s or 500 Mb/s").arg(t));
    ParsedBandwidth out;
    out.typedUnit = unitText.isEmpty() ? -1 : units.value(unitText);
    const int unit = out.typedUnit >= 0 ? out.typedUnit : defaultUnit;
    const qint64 factor = bandwidthUnits.at(std::size_t(unit)).bitsPerSecond;
    constexpr qint64 limit = qint64(1) << 53; // what a JSON number holds exactly
    const qint64 whole = m.captured(1).toLongLong();
    if (whole > limit / factor)
        return std::unexpected(QStringLiteral("%1 is too large").arg(t));
    qint64 fraction = 0;
    if (const QString digits = m.captured(2); !digits.isEmpty()) {
        qint64 scale = 1;
        for (qsizetype i = 0; i < digits.size(); ++i)
            scale *= 10;
        const qint64 scaled = digits.toLongLong() * factor; // < 1e9 * 1e9: fits
        if (scaled % scale != 0)
            return std::unexpected(
                QStringLiteral("%1 is not a whole number of bits per second").arg(t));
        fraction = scaled / scale;
    }
    out.bitsPerSecond = whole * factor + fraction;
    if (out.bitsPerSecond <= 0)
        return std::unexpected(QStringLiteral("expected a positive bandwidth"));
    if (out.bitsPerSecond > limit)
        return std::unexpected(QStringLiteral("%1 is too large").arg(t));
    return out;
}

QString propertyLabel(const QString &key)
{
    static const QHash<QString, QString> whole{
        {core::key::memoryMiB, QStringLiteral("Memory (MiB)")},
        {core::key::vcpus, QStringLiteral("vCPUs")},
        {core::key::a, QStringLiteral("End A")},
        {core::key::b, QStringLiteral("End B")},
    };
    // How a word of a camelCase key is written ("accessVlan" -> "Access VLAN"), by its lower case.
    static const QHash<QString, QString> words{
        {QStringLiteral("mtu"), QStringLiteral("MTU")},
        {QStringLiteral("mac"), QStringLiteral("MAC")},
        {QStringLiteral("sriov"), QStringLiteral("SR-IOV")},
        {QStringLiteral("rdma"), QStringLiteral("RDMA")},
        {QStringLiteral("dcb"), QStringLiteral("DCB")},
        {QStringLiteral("rss"), QStringLiteral("RSS")},
        {QStringLiteral("vmq"), QStringLiteral("VMQ")},
        {QStringLiteral("vsid"), QStringLiteral("VSID")},
        {QStringLiteral("iqn"), QStringLiteral("IQN")},
        {QStringLiteral("dns"), QStringLiteral("DNS")},
        {QStringLiteral("mpio"), QStringLiteral("MPIO")},
        {QStringLiteral("acls"), QStringLiteral("ACLs")},
        {QStringLiteral("dhcp"), QStringLiteral("DHCP")},
        {QStringLiteral("vlan"), QStringLiteral("VLAN")},
        {QStringLiteral("vlans"), QStringLiteral("VLANs")},
        {QStringLiteral("pvlan"), QStringLiteral("PVLAN")},
        {QStringLiteral("os"), QStringLiteral("OS")},
        {QStringLiteral("vf"), QStringLiteral("VF")},
        {QStringLiteral("id"), QStringLiteral("ID")},
        {QStringLiteral("vm"), QStringLiteral("VM")},
        {QStringLiteral("iscsi"), QStringLiteral("iSCSI")},
    };
    if (auto it = whole.find(key); it != whole.end())
        return *it;
    QStringList parts;
    QString word;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const QChar c = key.at(i);
        if (c.isUpper() && i > 0 && !key.at(i - 1).isUpper() && !word.isEmpty()) {
            parts << word;
            word.clear();
        }
        word += c;
    }
    if (!word.isEmpty())
        parts << word;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString lower = parts[i].toLower();
        if (auto it = words.find(lower); it != words.end())
            parts[i] = *it;
        else
            parts[i] = i == 0 ? lower.left(1).toUpper() + lower.mid(1) : lower;
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace converge::views
