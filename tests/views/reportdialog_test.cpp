// The Resource Metering report dialog (issue 15, item 4) against a TotalsSource with known totals:
// the table shows each VM, its vNICs, the pool and the total with readable units, the report is
// built off the GUI thread with a busy indicator, the presets set the period, exports are the
// bytes core's report gives, and the screenshot for the README.
#include "viewstestsupport.h"

#include "views/metering/reportdialog.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/metereddesign.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>

using namespace converge;
using namespace converge::views::metering;
using converge::core::metering::SeriesKey;
using converge::core::metering::SeriesTotals;
using converge::core::metering::TotalsSource;

namespace {

constexpr qint64 kFrom = converge::testing::kMeteredDayStart;
constexpr qint64 kHour = converge::testing::kHourMs;
constexpr qint64 kTo = kFrom + 24 * kHour;
constexpr double kGiB = 1024.0 * 1024 * 1024;

const char *kDesign = converge::testing::kMeteredDesign;

core::Design design(const char *json = kDesign)
{
    auto d = core::designdocument::load(QByteArray(json));
    EXPECT_TRUE(d) << d.error().message.toStdString();
    return d ? *d : core::Design{};
}

// Known totals by series text (a day of two VMs); read from the dialog's worker thread. With
// hold(), totals() waits until release(), so a test can see the dialog while the report is being
// built.
class FakeTotals : public TotalsSource
{
public:
    FakeTotals() // web: 1.5 cores, 4 GiB, a vNIC; db: 0.25 cores, 1.5 GiB, no vNIC
    {
        set("hv1|vm/h1.web|vm_cpu_cores", {86400, 0.2, 3.9, 1.5, 129600});
        set("hv1|vm/h1.web|vm_memory_bytes", {86400, 2 * kGiB, 6 * kGiB, 4 * kGiB, 0});
        set("hv1|vnic/h1.web.lan|net_receive_bytes_per_second", {86400, 0, 9e6, 1000, 86'400'000});
        set("hv1|vnic/h1.web.lan|net_transmit_bytes_per_second", {86400, 0, 9e6, 500, 43'200'000});
        set("hv1|vm/h1.db|vm_cpu_cores", {86400, 0, 2, 0.25, 21600});
        set("hv1|vm/h1.db|vm_memory_bytes", {86400, 1 * kGiB, 2 * kGiB, 1.5 * kGiB, 0});
    }
    void set(const char *key, SeriesTotals t) { m_totals.insert(QLatin1String(key), t); }
    std::optional<SeriesTotals> totals(const SeriesKey &key, qint64, qint64) override
    {
        std::unique_lock lock(m_mutex);
        m_released.wait(lock, [this] { return !m_held; });
        const auto it = m_totals.constFind(key.toString());
        return it == m_totals.cend() ? std::nullopt : std::optional(*it);
    }
    void hold()
    {
        std::lock_guard guard(m_mutex);
        m_held = true;
    }
    void release()
    {
        std::lock_guard guard(m_mutex);
        m_held = false;
        m_released.notify_all();
    }

private:
    QHash<QString, SeriesTotals> m_totals;
    std::mutex m_mutex;
    std::condition_variable m_released;
    bool m_held = false;
};

QString text(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text() : QStringLiteral("<none>");
}

int usage(core::metering::UsageColumn c)
{
    return ReportDialog::FirstUsageColumn + int(c);
}

bool waitBuilt(ReportDialog &dialog)
{
    return QTest::qWaitFor([&] { return !dialog.isBuilding() && dialog.report(); }, 5000);
}

} // namespace

TEST(ReportDialog, ShowsVmsTheirVnicsThePoolAndTheTotal)
{
    FakeTotals totals;
    ReportDialog dialog(design(), &totals);
    dialog.setPeriod(kFrom, kTo);
    ASSERT_TRUE(waitBuilt(dialog));
    ASSERT_EQ(dialog.report()->fromMs, kFrom);
    const QTableWidget *t = dialog.table();
    ASSERT_EQ(t->rowCount(), 5);
    const QStringList types{"VM", "vNIC", "VM", "Pool", "Total"};
    for (int r = 0; r < 5; ++r)
        EXPECT_EQ(text(t, r, ReportDialog::TypeColumn), types[r]) << r;
    EXPECT_EQ(text(t, 0, ReportDialog::NameColumn), QStringLiteral("web"));
    EXPECT_EQ(text(t, 1, ReportDialog::NameColumn), QStringLiteral("    LAN")); // indented
    EXPECT_NE(t->item(1, 0)->foreground(), t->item(0, 0)->foreground());        // lighter
    EXPECT_EQ(text(t, 3, ReportDialog::NameColumn), QStringLiteral("Tenant A"));
    EXPECT_EQ(text(t, 3, ReportDialog::VmCountColumn), QStringLiteral("2"));
    EXPECT_TRUE(t->item(4, 0)->font().bold());
    EXPECT_FALSE(t->item(0, 0)->font().bold());
    using C = core::metering::UsageColumn;
    EXPECT_EQ(text(t, 0, usage(C::AvgCpuCores)), QStringLiteral("1.50 cores"));
    EXPECT_EQ(text(t, 0, usage(C::MaxMemoryBytes)), QStringLiteral("6.00 GiB"));
    EXPECT_EQ(text(t, 1, usage(C::InBytes)), QStringLiteral("82.4 MiB")); // 86,400,000 bytes
    EXPECT_EQ(text(t, 1, usage(C::AvgCpuCores)), QString());              // a vNIC has no CPU
    EXPECT_EQ(text(t, 2, usage(C::InBytes)), QString()); // db: no vNIC, an empty cell, not 0
    EXPECT_EQ(text(t, 4, usage(C::AvgCpuCores)), QStringLiteral("1.75 cores"));
    EXPECT_EQ(text(t, 4, usage(C::AvgMemoryBytes)), QStringLiteral("5.50 GiB"));
    EXPECT_EQ(text(t, 4, usage(C::OutBytes)), QStringLiteral("41.2 MiB"));
    EXPECT_EQ(t->item(4, usage(C::OutBytes))->toolTip(), QStringLiteral("43200000 bytes"));
    EXPECT_EQ(
        dialog.statusText(),
        QStringLiteral("2 VM(s), %1 to %2")
            .arg(QDateTime::fromMSecsSinceEpoch(kFrom).toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                 QDateTime::fromMSecsSinceEpoch(kTo).toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
}

TEST(ReportDialog, BuildsOffTheGuiThreadWithABusyIndicator)
{
    FakeTotals totals;
    totals.hold();
    ReportDialog dialog(design(), &totals);
    dialog.setPeriod(kFrom, kTo);
    // The store is "slow": the GUI thread goes on running events while the worker waits.
    QTest::qWait(100);
    EXPECT_TRUE(dialog.isBuilding());
    EXPECT_EQ(dialog.statusText(), QStringLiteral("Building the report..."));
    EXPECT_EQ(dialog.table()->rowCount(), 0);
    totals.release();
    ASSERT_TRUE(waitBuilt(dialog));
    EXPECT_EQ(dialog.table()->rowCount(), 5);
}

TEST(ReportDialog, ALaterPeriodWinsOverAnEarlierBuild)
{
    FakeTotals totals;
    totals.hold();
    ReportDialog dialog(design(), &totals);
    dialog.setPeriod(kFrom, kTo);
    dialog.setPeriod(kFrom, kFrom + kHour);
    totals.release();
    ASSERT_TRUE(waitBuilt(dialog));
    QTest::qWait(50); // any stale result would have arrived by now
    EXPECT_EQ(dialog.report()->toMs, kFrom + kHour);
}

TEST(ReportDialog, PresetsSetThePeriodFromNow)
{
    FakeTotals totals;
    ReportDialog dialog(design(), &totals);
    const qint64 now = kFrom + 10 * 24 * kHour + 5 * kHour; // 2026-12-11T05:00:00Z
    dialog.setClock([now] { return now; });
    dialog.choosePreset(ReportDialog::Preset::LastHour);
    EXPECT_EQ(dialog.toMs(), now);
    EXPECT_EQ(dialog.fromMs(), now - kHour);
    dialog.choosePreset(ReportDialog::Preset::Last7Days);
    EXPECT_EQ(dialog.fromMs(), now - 7 * 24 * kHour);
    dialog.choosePreset(ReportDialog::Preset::ThisMonth);
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(dialog.fromMs());
    EXPECT_EQ(start.date(), QDate(2026, 12, 1));
    EXPECT_EQ(start.time(), QTime(0, 0));
    ASSERT_TRUE(waitBuilt(dialog));
    EXPECT_EQ(dialog.report()->fromMs, dialog.fromMs());
}

TEST(ReportDialog, AnEmptyPeriodSaysSoAndBuildsNothing)
{
    FakeTotals totals;
    ReportDialog dialog(design(), &totals);
    ASSERT_TRUE(waitBuilt(dialog)); // the default, last 24 hours
    QSignalSpy failed(&dialog, &ReportDialog::buildFailed);
    dialog.setPeriod(kTo, kFrom);
    ASSERT_EQ(failed.size(), 1);
    EXPECT_TRUE(dialog.statusText().contains(QStringLiteral("The period is empty")));
    EXPECT_FALSE(dialog.isBuilding());
}

TEST(ReportDialog, ExportsAreTheBytesOfCoresReport)
{
    FakeTotals totals;
    ReportDialog dialog(design(), &totals);
    QTemporaryDir dir;
    const QString csv = dir.filePath(QStringLiteral("report.csv"));
    dialog.setPeriod(kFrom, kTo);
    ASSERT_TRUE(waitBuilt(dialog));
    ASSERT_TRUE(dialog.exportReport(csv, ReportDialog::ExportFormat::Csv));
    FakeTotals again;
    const auto expected = core::metering::buildMeteringReport(design(), again, kFrom, kTo);
    ASSERT_TRUE(expected);
    QFile f(csv);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    EXPECT_EQ(f.readAll(), expected->toCsv());
    const QString json = dir.filePath(QStringLiteral("report.json"));
    ASSERT_TRUE(dialog.exportReport(json, ReportDialog::ExportFormat::Json));
    QFile j(json);
    ASSERT_TRUE(j.open(QIODevice::ReadOnly));
    EXPECT_EQ(QJsonDocument::fromJson(j.readAll()).object(), expected->toJson());
    const auto refused = dialog.exportReport(dir.filePath(QStringLiteral("no/such/dir/r.csv")),
                                             ReportDialog::ExportFormat::Csv);
    ASSERT_FALSE(refused);
    EXPECT_TRUE(refused.error().message.contains(QStringLiteral("no/such/dir")))
        << refused.error().message.toStdString();
}

// docs/screenshots/metering-report.png: CONVERGE_SCREENSHOT_DIR=docs/screenshots
// build/tests/views/metering_views_test --gtest_filter='*Screenshot*' (docs/screenshots/make.sh).
TEST(ReportScreenshot, ADaysReportAt1280x800)
{
    const QString dir = qEnvironmentVariable("CONVERGE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        GTEST_SKIP() << "set CONVERGE_SCREENSHOT_DIR to write docs/screenshots/metering-report.png";
    const char *json = R"({
      "schemaVersion": 1, "name": "tenants",
      "hosts": [
        {"id": "h1", "name": "hv1", "platform": "linux-ovs",
         "switches": [{"id": "h1.vs", "name": "LAN", "type": "External"}],
         "vms": [{"id": "h1.web1", "name": "web1", "resourcePool": "pa",
                  "vnics": [{"id": "h1.web1.lan", "name": "LAN", "switch": "h1.vs",
                             "acls": [{"direction": "Both", "action": "Meter",
                                       "remoteAddress": "0.0.0.0/0"}]},
                            {"id": "h1.web1.bak", "name": "Backup", "switch": "h1.vs"}]},
                 {"id": "h1.web2", "name": "web2", "resourcePool": "pa",
                  "vnics": [{"id": "h1.web2.lan", "name": "LAN", "switch": "h1.vs"}]},
                 {"id": "h1.sql", "name": "sql", "resourcePool": "pa",
                  "vnics": [{"id": "h1.sql.lan", "name": "LAN", "switch": "h1.vs"}]}]},
        {"id": "h2", "name": "hv2", "platform": "linux-ovs",
         "switches": [{"id": "h2.vs", "name": "LAN", "type": "External"}],
         "vms": [{"id": "h2.ci", "name": "ci-runner", "resourcePool": "pb",
                  "vnics": [{"id": "h2.ci.lan", "name": "LAN", "switch": "h2.vs"}]},
                 {"id": "h2.mail", "name": "mail", "resourcePool": "pb",
                  "vnics": [{"id": "h2.mail.lan", "name": "LAN", "switch": "h2.vs"}]},
                 {"id": "h2.mon", "name": "monitoring",
                  "vnics": [{"id": "h2.mon.lan", "name": "LAN", "switch": "h2.vs"}]}]}
      ],
      "resourcePools": [{"id": "pa", "name": "Tenant A"}, {"id": "pb", "name": "Tenant B"}]
    })";
    // Plausible figures for a day, made from the series' names so the picture is stable.
    class Plausible : public TotalsSource
    {
    public:
        std::optional<SeriesTotals> totals(const SeriesKey &key, qint64, qint64) override
        {
            const double seed = double(qHash(key.toString()) % 1000) / 1000.0;
            const QString &m = key.metric;
            if (m == QLatin1String("vm_cpu_cores"))
                return SeriesTotals{86400, 0.1, 4, 0.3 + 2.5 * seed, 0};
            if (m == QLatin1String("vm_memory_bytes"))
                return SeriesTotals{86400, (1 + 2 * seed) * kGiB, (4 + 8 * seed) * kGiB,
                                    (3 + 5 * seed) * kGiB, 0};
            if (m == QLatin1String("vm_disk_allocated_bytes"))
                return SeriesTotals{24, 0, (40 + 200 * seed) * kGiB, 0, 0};
            if (m.startsWith(QLatin1String("net_")) || m.startsWith(QLatin1String("acl_")))
                return SeriesTotals{86400, 0, 1, 1, (0.5 + 40 * seed) * kGiB};
            return std::nullopt;
        }
    } source;
    ReportDialog dialog(design(json), &source);
    dialog.setPeriod(kFrom, kTo);
    ASSERT_TRUE(waitBuilt(dialog));
    dialog.table()->setCurrentItem(nullptr);
    dialog.resize(1280, 800);
    dialog.show();
    QTest::qWait(200);
    EXPECT_TRUE(dialog.grab().save(QDir(dir).filePath(QStringLiteral("metering-report.png"))));
}
