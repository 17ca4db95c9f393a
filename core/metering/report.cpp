#include "report.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace converge::core::metering {

namespace {

using namespace Qt::StringLiterals;
using C = UsageColumn;

struct ColumnInfo
{
    const char *csv;
    const char *json;
    int decimals; // 0: an integer (bytes)
};

// Hyper-V reports MB and MHz; Converge keeps base units (bytes, cores) so sums stay exact.
constexpr std::array<ColumnInfo, kUsageColumns> kColumns{{
    {"avg_cpu_cores", "avgCpuCores", 3},
    {"avg_memory_bytes", "avgMemoryBytes", 0},
    {"min_memory_bytes", "minMemoryBytes", 0},
    {"max_memory_bytes", "maxMemoryBytes", 0},
    {"max_disk_allocated_bytes", "maxDiskAllocatedBytes", 0},
    {"network_in_bytes", "networkInBytes", 0},
    {"network_out_bytes", "networkOutBytes", 0},
    {"internet_in_bytes", "internetInBytes", 0},
    {"internet_out_bytes", "internetOutBytes", 0},
    {"datacenter_in_bytes", "datacenterInBytes", 0},
    {"datacenter_out_bytes", "datacenterOutBytes", 0},
}};
constexpr std::size_t kFirstTrafficColumn = std::size_t(C::InBytes);

constexpr std::array kKindNames{"VM", "vNIC", "Pool", "Total"};

// "2026-12-01T00:00:00Z"; milliseconds only when the period has them.
QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(ms % 1000 ? Qt::ISODateWithMs
                                                                         : Qt::ISODate);
}

// Bytes as a whole number; clamped, since llround is undefined past qint64's range.
qint64 wholeBytes(double v)
{
    constexpr double kLimit = 9.0e18;
    return std::llround(std::clamp(v, -kLimit, kLimit));
}

QString formatCell(const std::optional<double> &v, int decimals)
{
    if (!v)
        return {};
    if (decimals == 0)
        return QString::number(wholeBytes(*v));
    return QString::number(*v, 'f', decimals);
}

// RFC 4180 section 2: a field with a comma, quote or line break is quoted, quotes doubled.
QString csvField(const QString &text)
{
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n') &&
        !text.contains(u'\r'))
        return text;
    QString quoted = text;
    quoted.replace(u"\""_s, u"\"\""_s);
    return u'"' + quoted + u'"';
}

QStringList csvHeader()
{
    QStringList header{u"row_type"_s, u"id"_s,          u"name"_s,
                       u"vm"_s,       u"host"_s,        u"resource_pool"_s,
                       u"vm_count"_s, u"period_from"_s, u"period_to"_s};
    for (const ColumnInfo &c : kColumns)
        header << QLatin1String(c.csv);
    return header;
}

QStringList csvRow(const UsageRow &row, const QString &from, const QString &to)
{
    const bool counts = row.kind == UsageRow::Kind::Pool || row.kind == UsageRow::Kind::Total;
    QStringList fields{QLatin1String(kKindNames[std::size_t(row.kind)]),
                       row.id,
                       row.name,
                       row.vm,
                       row.host,
                       row.pool,
                       counts ? QString::number(row.vmCount) : QString(),
                       from,
                       to};
    for (std::size_t i = 0; i < kUsageColumns; ++i)
        fields << formatCell(row.usage.values[i], kColumns[i].decimals);
    return fields;
}

QJsonObject rowJson(const UsageRow &row)
{
    QJsonObject o;
    if (row.kind != UsageRow::Kind::Total)
        o.insert(u"id"_s, row.id);
    o.insert(u"name"_s, row.name);
    if (row.kind == UsageRow::Kind::Vm) {
        o.insert(u"host"_s, row.host);
        o.insert(u"resourcePool"_s, row.pool.isEmpty() ? QJsonValue() : QJsonValue(row.pool));
    }
    if (row.kind == UsageRow::Kind::Pool || row.kind == UsageRow::Kind::Total)
        o.insert(u"vmCount"_s, row.vmCount);
    // A vNIC has traffic only; CPU, memory and disk belong to its VM.
    const std::size_t first = row.kind == UsageRow::Kind::Vnic ? kFirstTrafficColumn : 0;
    for (std::size_t i = first; i < kUsageColumns; ++i) {
        const auto &v = row.usage.values[i];
        o.insert(QLatin1String(kColumns[i].json),
                 !v ? QJsonValue()
                    : (kColumns[i].decimals == 0 ? QJsonValue(wholeBytes(*v)) : QJsonValue(*v)));
    }
    return o;
}

// Reads the design's VMs and asks the source for their series.
class Builder
{
public:
    Builder(const Design &design, TotalsSource &source, qint64 fromMs, qint64 toMs)
        : m_design(design)
        , m_source(source)
        , m_from(fromMs)
        , m_to(toMs)
    {
    }

    void addVm(const Element &vm, std::vector<UsageRow> &rows);
    void addPools(std::vector<UsageRow> &rows) const;
    UsageRow total() const;

private:
    std::optional<SeriesTotals> totals(const QString &host, const QString &entity,
                                       const char *metric) const;
    UsageRow vnicRow(const Element &vnic, const UsageRow &vm) const;
    QString nameOf(const QString &id) const;

    const Design &m_design;
    TotalsSource &m_source;
    qint64 m_from;
    qint64 m_to;
    QHash<QString, std::pair<Usage, int>> m_pools; // pool id -> its VMs' sum, count
    Usage m_total;
    int m_vms = 0;
};

std::optional<SeriesTotals> Builder::totals(const QString &host, const QString &entity,
                                            const char *metric) const
{
    auto t = m_source.totals({host, entity, QLatin1String(metric)}, m_from, m_to);
    if (!t || t->count <= 0)
        return std::nullopt;
    // A store that kept a NaN (or worse) gives no figure rather than a made-up one.
    if (!std::isfinite(t->min) || !std::isfinite(t->max) || !std::isfinite(t->avg) ||
        !std::isfinite(t->area))
        return std::nullopt;
    return t;
}

QString Builder::nameOf(const QString &id) const
{
    const Element *e = id.isEmpty() ? nullptr : m_design.find(id);
    return e ? e->name() : QString();
}

bool hasMeteringAcl(const Element &vnic)
{
    const QJsonArray acls = vnic.value(key::acls).toArray();
    return std::ranges::any_of(
        acls, [](const QJsonValue &acl) { return acl[key::action].toString() == value::meter; });
}

UsageRow Builder::vnicRow(const Element &vnic, const UsageRow &vm) const
{
    UsageRow row{UsageRow::Kind::Vnic, vnic.id, vnic.name(), vm.name, vm.host, vm.pool, 0, {}};
    const QString entity = u"vnic/"_s + vnic.id;
    const auto area = [](const std::optional<SeriesTotals> &t) {
        return t ? std::optional(t->area) : std::nullopt;
    };
    row.usage.set(C::InBytes, area(totals(vm.host, entity, "net_receive_bytes_per_second")));
    row.usage.set(C::OutBytes, area(totals(vm.host, entity, "net_transmit_bytes_per_second")));
    if (!hasMeteringAcl(vnic))
        return row;
    const QString acl = meteringAclEntity(vnic.id);
    const auto split = [&](C column, const char *metric) {
        row.usage.set(column, area(totals(vm.host, acl, metric)));
    };
    split(C::InternetInBytes, "acl_internet_receive_bytes_per_second");
    split(C::InternetOutBytes, "acl_internet_transmit_bytes_per_second");
    split(C::DatacenterInBytes, "acl_datacenter_receive_bytes_per_second");
    split(C::DatacenterOutBytes, "acl_datacenter_transmit_bytes_per_second");
    return row;
}

void Builder::addVm(const Element &vm, std::vector<UsageRow> &rows)
{
    const QString poolId = vm.value(key::resourcePool).toString();
    UsageRow row{UsageRow::Kind::Vm, vm.id,          vm.name(), {},
                 nameOf(vm.parent),  nameOf(poolId), 0,         {}};
    const QString entity = u"vm/"_s + vm.id;
    if (const auto cpu = totals(row.host, entity, "vm_cpu_cores"))
        row.usage.set(C::AvgCpuCores, cpu->avg);
    if (const auto memory = totals(row.host, entity, "vm_memory_bytes")) {
        row.usage.set(C::AvgMemoryBytes, memory->avg);
        row.usage.set(C::MinMemoryBytes, memory->min);
        row.usage.set(C::MaxMemoryBytes, memory->max);
    }
    if (const auto disk = totals(row.host, entity, "vm_disk_allocated_bytes"))
        row.usage.set(C::MaxDiskAllocatedBytes, disk->max);
    std::vector<UsageRow> vnics;
    for (const Element *vnic : m_design.children(vm.id, ElementKind::VirtualNic)) {
        vnics.push_back(vnicRow(*vnic, row));
        row.usage.add(vnics.back().usage); // only traffic columns are set on a vNIC
    }
    auto &pool = m_pools[poolId];
    pool.first.add(row.usage);
    ++pool.second;
    m_total.add(row.usage);
    ++m_vms;
    rows.push_back(std::move(row));
    std::ranges::move(vnics, std::back_inserter(rows));
}

void Builder::addPools(std::vector<UsageRow> &rows) const
{
    for (const Element *pool : m_design.elements(ElementKind::ResourcePool)) {
        const auto sum = m_pools.value(pool->id);
        rows.push_back(
            {UsageRow::Kind::Pool, pool->id, pool->name(), {}, {}, {}, sum.second, sum.first});
    }
}

UsageRow Builder::total() const
{
    return {UsageRow::Kind::Total, {}, u"Total"_s, {}, {}, {}, m_vms, m_total};
}

} // namespace

void Usage::add(const Usage &other)
{
    for (std::size_t i = 0; i < kUsageColumns; ++i) {
        if (const std::optional<double> &v = other.values[i]; v.has_value())
            values[i] = values[i].value_or(0) + *v;
    }
}

QString meteringAclEntity(const QString &vnicId)
{
    return u"vnic/"_s + vnicId;
}

Result<MeteringReport> buildMeteringReport(const Design &design, TotalsSource &source,
                                           qint64 fromMs, qint64 toMs)
{
    if (fromMs >= toMs)
        return invalid(u"metering report: the period from %1 to %2 is empty; \"from\" must be "
                       u"before \"to\""_s.arg(isoUtc(fromMs), isoUtc(toMs)));
    MeteringReport report{fromMs, toMs, {}};
    Builder builder(design, source, fromMs, toMs);
    for (const Element *vm : design.elements(ElementKind::VirtualMachine))
        builder.addVm(*vm, report.rows);
    builder.addPools(report.rows);
    report.rows.push_back(builder.total());
    return report;
}

QByteArray MeteringReport::toCsv() const
{
    const QString from = isoUtc(fromMs), to = isoUtc(toMs);
    QString text;
    const auto line = [&text](const QStringList &fields) {
        QStringList quoted;
        for (const QString &f : fields)
            quoted << csvField(f);
        text += quoted.join(u',') + u"\r\n"_s;
    };
    line(csvHeader());
    for (const UsageRow &row : rows)
        line(csvRow(row, from, to));
    return text.toUtf8();
}

QJsonObject MeteringReport::toJson() const
{
    QJsonArray vms, pools;
    QJsonObject vm, total;
    QJsonArray vnics;
    const auto closeVm = [&] {
        if (vm.isEmpty())
            return;
        vm.insert(u"vnics"_s, vnics);
        vms.append(vm);
        vm = {};
        vnics = {};
    };
    for (const UsageRow &row : rows) {
        if (row.kind != UsageRow::Kind::Vnic)
            closeVm();
        if (row.kind == UsageRow::Kind::Vm)
            vm = rowJson(row);
        else if (row.kind == UsageRow::Kind::Vnic)
            vnics.append(rowJson(row));
        else if (row.kind == UsageRow::Kind::Pool)
            pools.append(rowJson(row));
        else
            total = rowJson(row);
    }
    closeVm();
    return {{u"from"_s, isoUtc(fromMs)},
            {u"to"_s, isoUtc(toMs)},
            {u"vms"_s, vms},
            {u"pools"_s, pools},
            {u"total"_s, total}};
}

} // namespace converge::core::metering
