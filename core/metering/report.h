#pragma once

#include "core/metering/sample.h"
#include "core/model/design.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <array>
#include <optional>
#include <vector>

// The Resource Metering report (issue 15, item 4): Hyper-V's metric set per VM and per resource
// pool over a period (004_7c35f0513785686e.txt "Hyper-V Resource Metering";
// 002_4fa7ab3843d54fef.txt "Metering and monitoring"), built from the design and the stored series,
// for the screen, CSV and JSON (convergectl meter report). It reads period totals through
// TotalsSource, which the metering store implements; no SQL here.
namespace converge::core::metering {

// One series over [fromMs, toMs): samples whose tMs falls in it.
struct SeriesTotals
{
    qint64 count = 0; // samples; 0: no data
    double min = 0;
    double max = 0;
    double avg = 0;  // Average series: area / covered seconds (time-weighted); Gauge: sample mean
    double area = 0; // Average series: sum of value x spanMs / 1000 (bytes for a bytes_per_second
                     // series, core-seconds for vm_cpu_cores); Gauge: 0
};

class TotalsSource
{
public:
    virtual ~TotalsSource() = default;
    // nullopt (or count 0): the series has no sample in the period.
    virtual std::optional<SeriesTotals> totals(const SeriesKey &key, qint64 fromMs,
                                               qint64 toMs) = 0;
};

// The report's figures, in this order in CSV and JSON.
enum class UsageColumn : quint8 {
    AvgCpuCores,           // vm_cpu_cores avg
    AvgMemoryBytes,        // vm_memory_bytes avg
    MinMemoryBytes,        // vm_memory_bytes min
    MaxMemoryBytes,        // vm_memory_bytes max
    MaxDiskAllocatedBytes, // vm_disk_allocated_bytes max
    InBytes,               // vNICs' net_receive_bytes_per_second area: what the VM received
    OutBytes,              // vNICs' net_transmit_bytes_per_second area: what the VM sent
    InternetInBytes,       // metering ACLs (acl_internet_*), by the ACL's remote prefix
    InternetOutBytes,
    DatacenterInBytes, // acl_datacenter_*
    DatacenterOutBytes,
};
inline constexpr std::size_t kUsageColumns = 11;

// One value per column; empty where no series had data (shown as an empty cell, never 0).
struct Usage
{
    std::array<std::optional<double>, kUsageColumns> values;

    std::optional<double> value(UsageColumn c) const { return values[std::size_t(c)]; }
    void set(UsageColumn c, std::optional<double> v) { values[std::size_t(c)] = v; }
    // Sums column by column, skipping empty cells; a column stays empty only if both are.
    void add(const Usage &other);
};

struct UsageRow
{
    enum class Kind : quint8 { Vm, Vnic, Pool, Total };
    Kind kind = Kind::Vm;
    QString id;      // the design element's id (Total: empty)
    QString name;    // VM, vNIC or pool name (Total: "Total")
    QString vm;      // Vnic: the VM it belongs to; empty otherwise
    QString host;    // Vm, Vnic: the host's name
    QString pool;    // Vm, Vnic: the VM's resource pool's name, empty for none
    int vmCount = 0; // Pool, Total: the VMs summed
    Usage usage;
};

// Rows: each VM (in design order) followed by its vNICs, then each resource pool, then the
// total. A pool sums its VMs' rows and the total sums every VM row: CPU and memory (average,
// minimum, maximum) add up as if the VMs peaked together, the highest disk allocations add
// up, traffic adds up.
struct MeteringReport
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    std::vector<UsageRow> rows;

    // RFC 4180: CRLF lines, a header row, fields quoted when they hold ',', '"', CR or LF.
    // Bytes as integers, CPU cores with 3 decimals; period_from/period_to in ISO 8601 UTC.
    QByteArray toCsv() const;
    // {"from", "to", "vms": [{..., "vnics": [...]}], "pools": [...], "total": {...}}; an
    // empty cell is null.
    QJsonObject toJson() const;
};

// The entity a vNIC's metering ACLs are counted in: the vNIC's own, "vnic/VNICID" (port ACLs
// are records of their vNIC, with no id of their own; aclmetering.h sums a vNIC's Meter ACLs
// by remote prefix into its acl_* series).
QString meteringAclEntity(const QString &vnicId);

// Every VM of the design, its vNICs and pools, over [fromMs, toMs). Fails when the period is
// empty or reversed.
Result<MeteringReport> buildMeteringReport(const Design &design, TotalsSource &source,
                                           qint64 fromMs, qint64 toMs);

} // namespace converge::core::metering
