#include "sample.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace converge::core::metering {

namespace {

MetricInfo gauge(const char *name, const char *unit, const char *help)
{
    return {QLatin1String(name), QLatin1String(unit), SeriesKind::Gauge, QLatin1String(help)};
}

MetricInfo average(const char *name, const char *unit, const char *help)
{
    return {QLatin1String(name), QLatin1String(unit), SeriesKind::Average, QLatin1String(help)};
}

// A name part of a key: printable, no '|', 1..255 characters (the host may not be empty; the
// entity may, for the host itself).
QString checkPart(const QString &part, const char *what, bool mayBeEmpty)
{
    if (part.isEmpty())
        return mayBeEmpty ? QString() : QStringLiteral("the %1 is empty").arg(QLatin1String(what));
    if (part.size() > 255)
        return QStringLiteral("the %1 is longer than 255 characters").arg(QLatin1String(what));
    for (qsizetype i = 0; i < part.size(); ++i) {
        const QChar c = part.at(i);
        if (c == u'|' || c.category() == QChar::Other_Control ||
            c.category() == QChar::Other_Format)
            return QStringLiteral("the %1 has a forbidden character (U+%2) at %3")
                .arg(QLatin1String(what))
                .arg(c.unicode(), 4, 16, QLatin1Char('0'))
                .arg(i);
    }
    return {};
}

} // namespace

const std::vector<MetricInfo> &metricCatalog()
{
    static const std::vector<MetricInfo> catalog = {
        // host and VM processors
        average("cpu_busy_percent", "percent",
                "Share of the time the processor (a core, or all of them) was busy"),
        average("vm_cpu_cores", "cores",
                "Processor time the VM used, in cores (1.5 = one and a half)"),
        // memory
        gauge("memory_total_bytes", "bytes", "Memory the host has"),
        gauge("memory_used_bytes", "bytes", "Memory in use (total minus available)"),
        gauge("memory_available_bytes", "bytes", "Memory available for new work"),
        gauge("vm_memory_bytes", "bytes", "Memory the VM uses"),
        // disks and file systems
        average("disk_read_bytes_per_second", "bytes_per_second", "Bytes read from the device"),
        average("disk_written_bytes_per_second", "bytes_per_second", "Bytes written to the device"),
        average("disk_reads_per_second", "operations_per_second", "Reads completed"),
        average("disk_writes_per_second", "operations_per_second", "Writes completed"),
        gauge("filesystem_size_bytes", "bytes", "Size of the file system"),
        gauge("filesystem_used_bytes", "bytes", "Space in use on the file system"),
        gauge("vm_disk_allocated_bytes", "bytes",
              "Space the VM's disk images take on the host (Hyper-V: highest disk allocation)"),
        // network: host interfaces and vNICs
        average("net_receive_bytes_per_second", "bytes_per_second", "Bytes received"),
        average("net_transmit_bytes_per_second", "bytes_per_second", "Bytes sent"),
        average("net_receive_packets_per_second", "packets_per_second", "Packets received"),
        average("net_transmit_packets_per_second", "packets_per_second", "Packets sent"),
        average("net_receive_errors_per_second", "errors_per_second", "Receive errors"),
        average("net_transmit_errors_per_second", "errors_per_second", "Send errors"),
        average("net_receive_drops_per_second", "packets_per_second", "Received packets dropped"),
        average("net_transmit_drops_per_second", "packets_per_second", "Sent packets dropped"),
        // metering port ACLs: traffic split by the ACL's remote prefix
        average("acl_internet_receive_bytes_per_second", "bytes_per_second",
                "Bytes received from outside the datacenter prefixes"),
        average("acl_internet_transmit_bytes_per_second", "bytes_per_second",
                "Bytes sent outside the datacenter prefixes"),
        average("acl_datacenter_receive_bytes_per_second", "bytes_per_second",
                "Bytes received from the datacenter prefixes"),
        average("acl_datacenter_transmit_bytes_per_second", "bytes_per_second",
                "Bytes sent to the datacenter prefixes"),
    };
    return catalog;
}

const MetricInfo *metricInfo(QStringView name)
{
    const auto &catalog = metricCatalog();
    const auto it =
        std::ranges::find_if(catalog, [&](const MetricInfo &m) { return m.name == name; });
    return it == catalog.end() ? nullptr : &*it;
}

QString SeriesKey::toString() const
{
    return host + QLatin1Char('|') + entity + QLatin1Char('|') + metric;
}

Result<SeriesKey> SeriesKey::parse(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('|'));
    if (parts.size() != 3)
        return invalid(
            QStringLiteral("series key \"%1\": expected host|entity|metric").arg(text.left(300)));
    SeriesKey key{parts[0], parts[1], parts[2]};
    QString why = checkPart(key.host, "host", false);
    if (why.isEmpty())
        why = checkPart(key.entity, "entity", true);
    if (why.isEmpty() && !metricInfo(key.metric))
        why =
            QStringLiteral("the metric \"%1\" is not one Converge meters").arg(key.metric.left(80));
    if (!why.isEmpty())
        return invalid(QStringLiteral("series key \"%1\": %2").arg(text.left(300), why));
    return key;
}

qsizetype SampleBatch::sampleCount() const
{
    qsizetype n = 0;
    for (const SeriesSamples &s : series)
        n += qsizetype(s.samples.size());
    return n;
}

QJsonObject SampleBatch::toJson() const
{
    QJsonArray list;
    for (const SeriesSamples &s : series) {
        QJsonArray t, v, span;
        for (const Sample &sample : s.samples) {
            t.append(sample.tMs);
            v.append(sample.value);
            span.append(sample.spanMs);
        }
        list.append(QJsonObject{{QStringLiteral("key"), s.key.toString()},
                                {QStringLiteral("t"), t},
                                {QStringLiteral("v"), v},
                                {QStringLiteral("s"), span}});
    }
    return {{QStringLiteral("series"), list}};
}

Result<SampleBatch> SampleBatch::fromJson(const QJsonObject &data)
{
    const QJsonValue list = data.value(QLatin1String("series"));
    if (!list.isArray())
        return invalid(QStringLiteral("metering batch: \"series\" must be an array"));
    const QJsonArray array = list.toArray();
    if (array.size() > kMaxSeries)
        return invalid(QStringLiteral("metering batch: %1 series, at most %2")
                           .arg(array.size())
                           .arg(kMaxSeries));
    SampleBatch batch;
    batch.series.reserve(size_t(array.size()));
    qsizetype total = 0;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("metering batch: series[%1]").arg(i);
        if (!array.at(i).isObject())
            return invalid(where + QStringLiteral(" must be an object"));
        const QJsonObject o = array.at(i).toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!QStringList{QStringLiteral("key"), QStringLiteral("t"), QStringLiteral("v"),
                             QStringLiteral("s")}
                     .contains(it.key()))
                return invalid(where +
                               QStringLiteral(": unknown field \"%1\"").arg(it.key().left(80)));
        auto key = SeriesKey::parse(o.value(QLatin1String("key")).toString());
        if (!key)
            return invalid(where + QStringLiteral(": ") + key.error().message);
        const QJsonValue t = o.value(QLatin1String("t")), v = o.value(QLatin1String("v")),
                         s = o.value(QLatin1String("s"));
        if (!t.isArray() || !v.isArray() || !s.isArray())
            return invalid(where + QStringLiteral(": \"t\", \"v\" and \"s\" must be arrays"));
        const QJsonArray ta = t.toArray(), va = v.toArray(), sa = s.toArray();
        if (ta.size() != va.size() || ta.size() != sa.size())
            return invalid(where + QStringLiteral(": \"t\", \"v\" and \"s\" differ in length "
                                                  "(%1, %2, %3)")
                                       .arg(ta.size())
                                       .arg(va.size())
                                       .arg(sa.size()));
        total += ta.size();
        if (total > kMaxSamples)
            return invalid(QStringLiteral("metering batch: more than %1 samples").arg(kMaxSamples));
        SeriesSamples series{*key, {}};
        series.samples.reserve(size_t(ta.size()));
        for (qsizetype j = 0; j < ta.size(); ++j) {
            const double tv = ta.at(j).toDouble(-1), vv = va.at(j).toDouble(std::nan("")),
                         sv = sa.at(j).toDouble(-1);
            // Times from 1970 to 2300, integral; spans up to a day.
            if (!ta.at(j).isDouble() || tv < 0 || tv > 1e13 || tv != std::floor(tv))
                return invalid(where +
                               QStringLiteral(": t[%1] is not a time in milliseconds").arg(j));
            if (!va.at(j).isDouble() || !std::isfinite(vv))
                return invalid(where + QStringLiteral(": v[%1] is not a finite number").arg(j));
            if (!sa.at(j).isDouble() || sv < 0 || sv > 86'400'000 || sv != std::floor(sv))
                return invalid(where +
                               QStringLiteral(": s[%1] is not a span in milliseconds").arg(j));
            if (!series.samples.empty() && qint64(tv) <= series.samples.back().tMs)
                return invalid(where + QStringLiteral(": t[%1] does not rise").arg(j));
            series.samples.push_back({qint64(tv), vv, qint32(sv)});
        }
        batch.series.push_back(std::move(series));
    }
    return batch;
}

} // namespace converge::core::metering
