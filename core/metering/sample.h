#pragma once

#include "core/util/result.h"

#include <QHashFunctions>
#include <QJsonObject>
#include <QString>

#include <vector>

// Metering's vocabulary (docs/metering.md): what a series measures, the samples it holds and the
// batches they travel in. Samplers (collectors/metering) produce it, the agent streams it
// (stream "metering"), the store (core/store/meteringstore) keeps it, charts and the report read
// it. No I/O here.
namespace converge::core::metering {

// Gauge: the value at tMs (memory in use, a file system's size). Average: the mean over the
// spanMs that end at tMs, derived from counters (bytes a second, CPU percent); its area
// (value x span) is what happened in the span (bytes), so totals over a period are exact.
enum class SeriesKind : quint8 { Gauge, Average };

// One entry of the metric catalog: a Prometheus-style name in base units.
struct MetricInfo
{
    QString name; // "net_receive_bytes_per_second"
    QString unit; // "bytes_per_second", "bytes", "percent", "cores", "packets_per_second", ...
    SeriesKind kind = SeriesKind::Gauge;
    QString help; // one line, for tooltips and HELP lines
};

// Every metric Converge meters; nullptr for a name not in it.
const std::vector<MetricInfo> &metricCatalog();
const MetricInfo *metricInfo(QStringView name);

// What one series measures. host: the design's host name. entity, one of
//   ""                 the host itself (memory)
//   "cpu", "cpu3"      all cores / one core
//   "if/NAME"          a host network interface
//   "disk/NAME"        a block device (sda, nvme0n1)
//   "mount/PATH"       a file system by mount point ("mount//", "mount//var")
//   "vm/ID"            a VM by its design element id
//   "vnic/ID"          a vNIC by its design element id: its switch port's counters, and the
//                      acl_* metrics of its meter ACLs (an ACL whose remote prefix is any
//                      address, 0.0.0.0/0 or ::/0, meters Internet traffic, the "default gateway"
//                      traffic of Hyper-V's metering ACLs; one with a narrower prefix datacenter
//                      traffic; the most specific matching ACL counts a packet)
//   "pool/NAME"        a resource pool (aggregated by the console, never sampled)
// metric: a catalog name.
struct SeriesKey
{
    QString host;
    QString entity;
    QString metric;

    // "host|entity|metric"; parse() checks every part (names: no control characters, no '|',
    // at most 255 characters; metric in the catalog) and says which is wrong.
    QString toString() const;
    static Result<SeriesKey> parse(const QString &text);
    friend bool operator==(const SeriesKey &, const SeriesKey &) = default;
};
inline size_t qHash(const SeriesKey &k, size_t seed = 0)
{
    return qHashMulti(seed, k.host, k.entity, k.metric);
}

struct Sample
{
    qint64 tMs = 0;    // milliseconds since the epoch (UTC)
    double value = 0;  // in the metric's unit
    qint32 spanMs = 0; // Average: the span the value covers, ending at tMs; Gauge: 0
    friend bool operator==(const Sample &, const Sample &) = default;
};

struct SeriesSamples
{
    SeriesKey key;
    std::vector<Sample> samples; // by tMs, rising
};

// What a sampler produces in one round and the agent streams as one event's data:
// {"series": [{"key": "h|vnic/x|net_receive_bytes_per_second", "t": [..], "v": [..], "s": [..]}]}
// (parallel arrays: times, values, spans). fromJson checks every field and the caps (at most
// kMaxSeries series and kMaxSamples samples in all) and names the first bad one.
struct SampleBatch
{
    static constexpr qsizetype kMaxSeries = 100'000;
    static constexpr qsizetype kMaxSamples = 1'000'000;
    std::vector<SeriesSamples> series;

    qsizetype sampleCount() const;
    QJsonObject toJson() const;
    static Result<SampleBatch> fromJson(const QJsonObject &data);
};

} // namespace converge::core::metering
