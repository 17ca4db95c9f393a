// The Resource Metering report (issue 15, item 4): Hyper-V's metric set per VM, vNIC and resource
// pool over a period, read from a design and period totals, written as CSV and JSON. The CSV's
// header and columns, the totals row, pool sums, RFC 4180 quoting and empty cells for VMs with
// no data are what a person opening the file in a spreadsheet sees.
#include "core/io/designdocument.h"
#include "core/metering/report.h"

#include "printers.h"

#include <gtest/gtest.h>

#include <QHash>
#include <QJsonArray>

#include <cmath>

using namespace converge::core;
using namespace converge::core::metering;

namespace {

constexpr qint64 kFrom = 1'796'083'200'000; // 2026-12-01T00:00:00Z
constexpr qint64 kTo = kFrom + qint64(24) * 3600 * 1000;
constexpr double kGiB = 1024.0 * 1024 * 1024;

// Two hosts; "web, "prod"" and db in pool Tenant A, idle (no data at all) in Tenant B, app in no
// pool, and an Empty pool. web's vNIC has a metering ACL; db's has none.
const char *kDesign = R"({
  "schemaVersion": 1, "name": "metering",
  "hosts": [
    {"id": "h1", "name": "hv1", "platform": "linux-ovs",
     "switches": [{"id": "h1.vs", "name": "LAN", "type": "Internal"}],
     "vms": [
       {"id": "h1.web", "name": "web, \"prod\"", "resourcePool": "p1",
        "vnics": [{"id": "h1.web.lan", "name": "LAN", "switch": "h1.vs",
                   "acls": [{"direction": "Both", "action": "Meter", "remoteAddress": "0.0.0.0/0"},
                            {"direction": "Both", "action": "Meter", "remoteAddress": "10.0.0.0/8"}]},
                  {"id": "h1.web.bak", "name": "Backup", "switch": "h1.vs"}]},
       {"id": "h1.db", "name": "db", "resourcePool": "p1",
        "vnics": [{"id": "h1.db.lan", "name": "LAN", "switch": "h1.vs"}]}]},
    {"id": "h2", "name": "hv2", "platform": "linux-ovs",
     "vms": [{"id": "h2.idle", "name": "idle", "resourcePool": "p2"},
             {"id": "h2.app", "name": "app"}]}
  ],
  "resourcePools": [{"id": "p1", "name": "Tenant A"}, {"id": "p2", "name": "Tenant B"},
                    {"id": "p3", "name": "Empty"}]
})";

// The store's totals, in memory; remembers what was asked so tests see the keys the report uses.
class FakeTotals : public TotalsSource
{
public:
    void set(const char *key, SeriesTotals t) { m_totals.insert(QLatin1String(key), t); }
    std::optional<SeriesTotals> totals(const SeriesKey &key, qint64 fromMs, qint64 toMs) override
    {
        EXPECT_EQ(fromMs, kFrom);
        EXPECT_EQ(toMs, kTo);
        asked << key.toString();
        const auto it = m_totals.constFind(key.toString());
        return it == m_totals.cend() ? std::nullopt : std::optional(*it);
    }
    QStringList asked;

private:
    QHash<QString, SeriesTotals> m_totals;
};

FakeTotals meteredTotals()
{
    FakeTotals t;
    t.set("hv1|vm/h1.web|vm_cpu_cores", {86400, 0.2, 3.9, 1.5, 129600});
    t.set("hv1|vm/h1.web|vm_memory_bytes", {86400, 2 * kGiB, 6 * kGiB, 4 * kGiB + 0.4, 0});
    t.set("hv1|vm/h1.web|vm_disk_allocated_bytes", {24, 30 * kGiB, 32 * kGiB, 31 * kGiB, 0});
    t.set("hv1|vnic/h1.web.lan|net_receive_bytes_per_second", {86400, 0, 9e6, 1000, 86'400'000});
    t.set("hv1|vnic/h1.web.lan|net_transmit_bytes_per_second", {86400, 0, 9e6, 500, 43'200'000});
    t.set("hv1|vnic/h1.web.bak|net_receive_bytes_per_second", {10, 0, 10, 1, 1'000});
    t.set("hv1|vnic/h1.web.lan|acl_internet_receive_bytes_per_second", {86400, 0, 1, 1, 6'400'000});
    t.set("hv1|vnic/h1.web.lan|acl_datacenter_receive_bytes_per_second",
          {86400, 0, 1, 1, 80'000'000});
    t.set("hv1|vm/h1.db|vm_cpu_cores", {86400, 0, 2, 0.25, 21600});
    t.set("hv1|vm/h1.db|vm_memory_bytes", {86400, 1 * kGiB, 2 * kGiB, 1.5 * kGiB, 0});
    t.set("hv1|vnic/h1.db.lan|net_receive_bytes_per_second", {86400, 0, 1, 1, 5'000});
    t.set("hv1|vnic/h1.db.lan|net_transmit_bytes_per_second", {86400, 0, 1, 1, 7'000});
    t.set("hv2|vm/h2.app|vm_cpu_cores", {86400, 0, 1, 0.125, 10800});
    t.set("hv2|vm/h2.app|vm_memory_bytes", {0, 0, 0, 0, 0}); // no samples: no data
    t.set("hv2|vm/h2.app|vm_disk_allocated_bytes", {3, 0, std::nan(""), 0, 0}); // damaged
    return t;
}

MeteringReport build(FakeTotals &totals)
{
    auto design = designdocument::load(kDesign);
    EXPECT_TRUE(design) << design.error().message.toStdString();
    auto report = buildMeteringReport(*design, totals, kFrom, kTo);
    EXPECT_TRUE(report) << report.error().message.toStdString();
    return *report;
}

// RFC 4180 back into fields, so tests read the file as a spreadsheet would.
std::vector<QStringList> parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    std::vector<QStringList> rows(1);
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted && c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
            field += u'"';
            ++i;
        } else if (c == u'"') {
            quoted = !quoted;
        } else if (!quoted && c == u',') {
            rows.back() << std::exchange(field, {});
        } else if (!quoted && c == u'\r' && text.mid(i, 2) == QLatin1String("\r\n")) {
            rows.back() << std::exchange(field, {});
            rows.emplace_back();
            ++i;
        } else {
            field += c;
        }
    }
    rows.pop_back(); // after the last CRLF
    return rows;
}

QString cell(const std::vector<QStringList> &csv, const QString &rowName, const char *column)
{
    const qsizetype col = csv[0].indexOf(QLatin1String(column));
    for (const QStringList &row : csv) {
        if (row.value(2) == rowName)
            return row.value(col, QStringLiteral("<no column>"));
    }
    return QStringLiteral("<no row>");
}

TEST(MeteringReportTest, CsvHasTheHeaderAndTheHyperVColumns)
{
    FakeTotals totals = meteredTotals();
    const QByteArray csv = build(totals).toCsv();
    EXPECT_TRUE(csv.startsWith(
        "row_type,id,name,vm,host,resource_pool,vm_count,period_from,period_to,avg_cpu_cores,"
        "avg_memory_bytes,min_memory_bytes,max_memory_bytes,max_disk_allocated_bytes,"
        "network_in_bytes,network_out_bytes,internet_in_bytes,internet_out_bytes,"
        "datacenter_in_bytes,datacenter_out_bytes\r\n"))
        << csv.left(400).toStdString();
    const auto rows = parseCsv(csv);
    // VMs in design order, each followed by its vNICs; then the pools; then the total.
    QStringList order;
    for (std::size_t i = 1; i < rows.size(); ++i)
        order << rows[i][0] + u':' + rows[i][2];
    EXPECT_EQ(order.join(u' '),
              QStringLiteral("VM:web, \"prod\" vNIC:LAN vNIC:Backup VM:db vNIC:LAN VM:idle VM:app "
                             "Pool:Tenant A Pool:Tenant B Pool:Empty Total:Total"));
    for (const QStringList &row : rows)
        EXPECT_EQ(row.size(), rows[0].size()) << row.join(u'|').toStdString();
    EXPECT_EQ(cell(rows, QStringLiteral("db"), "avg_cpu_cores"), QStringLiteral("0.250"));
    EXPECT_EQ(cell(rows, QStringLiteral("db"), "host"), QStringLiteral("hv1"));
    EXPECT_EQ(cell(rows, QStringLiteral("db"), "resource_pool"), QStringLiteral("Tenant A"));
    EXPECT_EQ(cell(rows, QStringLiteral("db"), "period_from"),
              QStringLiteral("2026-12-01T00:00:00Z"));
    EXPECT_EQ(cell(rows, QStringLiteral("db"), "period_to"),
              QStringLiteral("2026-12-02T00:00:00Z"));
    // Bytes are integers: the average's 0.4 of a byte is rounded away, not printed.
    EXPECT_EQ(cell(rows, QStringLiteral("web, \"prod\""), "avg_memory_bytes"),
              QStringLiteral("4294967296"));
    EXPECT_EQ(cell(rows, QStringLiteral("web, \"prod\""), "max_disk_allocated_bytes"),
              QStringLiteral("34359738368"));
    // A VM's traffic is its vNICs' traffic, and the metering ACL splits it.
    EXPECT_EQ(cell(rows, QStringLiteral("web, \"prod\""), "network_in_bytes"),
              QStringLiteral("86401000"));
    EXPECT_EQ(cell(rows, QStringLiteral("Backup"), "network_in_bytes"), QStringLiteral("1000"));
    EXPECT_EQ(cell(rows, QStringLiteral("Backup"), "vm"), QStringLiteral("web, \"prod\""));
    EXPECT_EQ(cell(rows, QStringLiteral("web, \"prod\""), "internet_in_bytes"),
              QStringLiteral("6400000"));
    EXPECT_EQ(cell(rows, QStringLiteral("web, \"prod\""), "datacenter_in_bytes"),
              QStringLiteral("80000000"));
}

TEST(MeteringReportTest, ReadsTheSeriesTheSamplersWrite)
{
    FakeTotals totals = meteredTotals();
    build(totals);
    EXPECT_TRUE(totals.asked.contains(QStringLiteral("hv2|vm/h2.app|vm_cpu_cores")));
    EXPECT_TRUE(totals.asked.contains(
        QStringLiteral("hv1|vnic/h1.web.lan|acl_datacenter_transmit_bytes_per_second")));
    // No metering ACL on db's vNIC: its ACL series are not asked for.
    for (const QString &key : totals.asked)
        EXPECT_FALSE(key.startsWith(QLatin1String("hv1|vnic/h1.db")) &&
                     key.contains(QLatin1String("|acl_")))
            << key.toStdString();
}

TEST(MeteringReportTest, TotalsRowIsTheSumOfTheVmRows)
{
    FakeTotals totals = meteredTotals();
    const auto rows = parseCsv(build(totals).toCsv());
    for (qsizetype col = rows[0].indexOf(QStringLiteral("avg_cpu_cores")); col < rows[0].size();
         ++col) {
        double sum = 0;
        for (const QStringList &row : rows)
            sum += row[0] == QLatin1String("VM") ? row[col].toDouble() : 0;
        const QString total = rows.back()[col];
        EXPECT_NEAR(total.toDouble(), sum, 1.0) << rows[0][col].toStdString();
    }
    EXPECT_EQ(rows.back()[0], QStringLiteral("Total"));
    EXPECT_EQ(cell(rows, QStringLiteral("Total"), "vm_count"), QStringLiteral("4"));
    EXPECT_EQ(cell(rows, QStringLiteral("Total"), "avg_cpu_cores"), QStringLiteral("1.875"));
    EXPECT_EQ(cell(rows, QStringLiteral("Total"), "network_out_bytes"), QStringLiteral("43207000"));
}

TEST(MeteringReportTest, PoolsSumTheirOwnVms)
{
    FakeTotals totals = meteredTotals();
    const auto rows = parseCsv(build(totals).toCsv());
    const QString pool = QStringLiteral("Tenant A");
    EXPECT_EQ(cell(rows, pool, "vm_count"), QStringLiteral("2"));
    EXPECT_EQ(cell(rows, pool, "avg_cpu_cores"), QStringLiteral("1.750")); // 1.5 + 0.25, not app
    EXPECT_EQ(cell(rows, pool, "max_memory_bytes"), QString::number(qint64(8 * kGiB)));
    EXPECT_EQ(cell(rows, pool, "min_memory_bytes"), QString::number(qint64(3 * kGiB)));
    EXPECT_EQ(cell(rows, pool, "network_in_bytes"), QStringLiteral("86406000"));
    // db has no disk series: the pool's highest allocation is web's alone.
    EXPECT_EQ(cell(rows, pool, "max_disk_allocated_bytes"), QStringLiteral("34359738368"));
    EXPECT_EQ(cell(rows, QStringLiteral("Empty"), "vm_count"), QStringLiteral("0"));
}

TEST(MeteringReportTest, AVmWithNoDataShowsEmptyCellsNotZeros)
{
    FakeTotals totals = meteredTotals();
    const auto rows = parseCsv(build(totals).toCsv());
    for (const char *column :
         {"avg_cpu_cores", "avg_memory_bytes", "min_memory_bytes", "max_disk_allocated_bytes",
          "network_in_bytes", "internet_out_bytes"}) {
        EXPECT_EQ(cell(rows, QStringLiteral("idle"), column), QString()) << column;
        EXPECT_EQ(cell(rows, QStringLiteral("Tenant B"), column), QString()) << column;
        EXPECT_EQ(cell(rows, QStringLiteral("Empty"), column), QString()) << column;
    }
    // app has CPU but its memory series had no sample in the period, and its disk series'
    // totals are not numbers.
    EXPECT_EQ(cell(rows, QStringLiteral("app"), "avg_cpu_cores"), QStringLiteral("0.125"));
    EXPECT_EQ(cell(rows, QStringLiteral("app"), "avg_memory_bytes"), QString());
    EXPECT_EQ(cell(rows, QStringLiteral("app"), "max_disk_allocated_bytes"), QString());
    EXPECT_EQ(cell(rows, QStringLiteral("app"), "resource_pool"), QString());
}

TEST(MeteringReportTest, QuotesNamesWithCommasAndQuotes)
{
    FakeTotals totals = meteredTotals();
    const QByteArray csv = build(totals).toCsv();
    EXPECT_TRUE(csv.contains("\r\nVM,h1.web,\"web, \"\"prod\"\"\",,hv1,Tenant A,,"))
        << csv.toStdString();
}

TEST(MeteringReportTest, JsonNestsVnicsAndWritesNullForNoData)
{
    FakeTotals totals = meteredTotals();
    const QJsonObject json = build(totals).toJson();
    EXPECT_EQ(json[QLatin1String("from")].toString(), QStringLiteral("2026-12-01T00:00:00Z"));
    const QJsonArray vms = json[QLatin1String("vms")].toArray();
    ASSERT_EQ(vms.size(), 4);
    const QJsonObject web = vms[0].toObject();
    EXPECT_EQ(web[QLatin1String("name")].toString(), QStringLiteral("web, \"prod\""));
    EXPECT_DOUBLE_EQ(web[QLatin1String("avgCpuCores")].toDouble(), 1.5);
    const QJsonArray vnics = web[QLatin1String("vnics")].toArray();
    ASSERT_EQ(vnics.size(), 2);
    EXPECT_EQ(vnics[0][QLatin1String("networkOutBytes")].toInteger(), 43'200'000);
    EXPECT_FALSE(vnics[0].toObject().contains(QLatin1String("avgCpuCores")));
    EXPECT_TRUE(vnics[1][QLatin1String("internetInBytes")].isNull());
    EXPECT_TRUE(vms[2][QLatin1String("avgCpuCores")].isNull());
    EXPECT_TRUE(vms[3][QLatin1String("resourcePool")].isNull());
    EXPECT_EQ(json[QLatin1String("pools")].toArray().size(), 3);
    EXPECT_EQ(json[QLatin1String("total")][QLatin1String("vmCount")].toInt(), 4);
}

TEST(MeteringReportTest, AnEmptyPeriodIsRefused)
{
    FakeTotals totals;
    auto design = designdocument::load(kDesign);
    ASSERT_TRUE(design);
    auto report = buildMeteringReport(*design, totals, kTo, kFrom);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message,
              QStringLiteral("metering report: the period from 2026-12-02T00:00:00Z to "
                             "2026-12-01T00:00:00Z is empty; \"from\" must be before \"to\""));
    EXPECT_TRUE(totals.asked.isEmpty());
}

} // namespace
