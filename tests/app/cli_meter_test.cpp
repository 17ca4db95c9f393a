// convergectl meter (issue 15, item 4), the real binary on a project store this test fills
// through MeteringStore: the report it prints is the report core builds for the same period, and
// bad times, a missing store and an empty period exit 2 with where and what.
#include "core/io/designdocument.h"
#include "core/metering/report.h"
#include "core/store/meteringsource.h"
#include "core/store/projectstore.h"

#include "tests/support/metereddesign.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace converge::core;
using namespace converge::core::metering;

namespace {

constexpr qint64 kFrom = converge::testing::kMeteredDayStart;
constexpr qint64 kHour = converge::testing::kHourMs;

const char *kDesign = converge::testing::kMeteredDesign;

struct Outcome
{
    int code = -1;
    QByteArray out;
    QString err;
};

Outcome ctl(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(CONVERGE_BINARY_DIR "/app/convergectl"), args);
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), p.readAllStandardOutput(), QString::fromUtf8(p.readAllStandardError())};
}

SeriesSamples seconds(const char *key, qint64 n, double value)
{
    SeriesSamples s{*SeriesKey::parse(QLatin1String(key)), {}};
    for (qint64 i = 0; i < n; ++i)
        s.samples.push_back({kFrom + i * 1000, value, 1000});
    return s;
}

class CliMeterTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_json = m_dir.filePath(QStringLiteral("p.converge.json"));
        m_db = m_dir.filePath(QStringLiteral("p.converge.db"));
        auto design = designdocument::load(QByteArray(kDesign));
        ASSERT_TRUE(design) << design.error().message.toStdString();
        ASSERT_TRUE(designdocument::saveFile(*design, m_json));
        ASSERT_TRUE(ProjectStore::create(m_db, *design));
        auto store = MeteringStore::open(m_db);
        ASSERT_TRUE(store);
        // An hour of web at 1.5 cores, 4 GiB, its vNIC receiving 1000 and sending 500 bytes a
        // second; db has CPU samples only.
        SampleBatch batch;
        batch.series = {seconds("hv1|vm/h1.web|vm_cpu_cores", 3600, 1.5),
                        seconds("hv1|vm/h1.web|vm_memory_bytes", 3600, 4294967296.0),
                        seconds("hv1|vnic/h1.web.lan|net_receive_bytes_per_second", 3600, 1000),
                        seconds("hv1|vnic/h1.web.lan|net_transmit_bytes_per_second", 3600, 500),
                        seconds("hv1|vm/h1.db|vm_cpu_cores", 3600, 0.25)};
        for (SeriesSamples &s : batch.series)
            if (s.key.metric.startsWith(QLatin1String("vm_memory")))
                for (Sample &sample : s.samples)
                    sample.spanMs = 0; // a gauge
        ASSERT_TRUE((*store)->ingest(std::move(batch)));
        ASSERT_TRUE((*store)->flush());
        m_design = std::move(*design);
    }

    // The report core builds over [from, to) from the same store.
    QByteArray expectedCsv(qint64 from, qint64 to)
    {
        StoreMetricsSource source(*MeteringStore::open(m_db));
        auto report = buildMeteringReport(m_design, source, from, to);
        EXPECT_TRUE(report);
        return report ? report->toCsv() : QByteArray();
    }

    QTemporaryDir m_dir;
    QString m_json;
    QString m_db;
    Design m_design;
};

} // namespace

TEST_F(CliMeterTest, ReportIsTheCoreReportOfThePeriodFromADesignOrItsStore)
{
    const QByteArray expected = expectedCsv(kFrom, kFrom + kHour);
    ASSERT_TRUE(expected.contains("VM,h1.web,web,,hv1,Tenant A,,"));
    for (const QString &file : {m_json, m_db}) {
        const Outcome r =
            ctl({QStringLiteral("meter"), QStringLiteral("report"), file, QStringLiteral("--from"),
                 QStringLiteral("2026-12-01T00:00:00Z"), QStringLiteral("--to"),
                 QStringLiteral("2026-12-01T02:00:00+01:00")});
        ASSERT_EQ(r.code, 0) << r.err.toStdString();
        EXPECT_EQ(r.out, expected) << file.toStdString();
    }
    // What a person reads in it: the vNIC's hour of traffic, the pool's CPU.
    EXPECT_TRUE(expected.contains(",3600000,1800000,")) << expected.toStdString();
    EXPECT_TRUE(expected.contains("Pool,p1,Tenant A,,,,2,")) << expected.toStdString();
}

TEST_F(CliMeterTest, ReportAsJsonWrittenToAFile)
{
    const QString out = m_dir.filePath(QStringLiteral("report.json"));
    const Outcome r =
        ctl({QStringLiteral("meter"), QStringLiteral("report"), m_db, QStringLiteral("--from"),
             QStringLiteral("2026-12-01T00:00:00Z"), QStringLiteral("--to"),
             QStringLiteral("2026-12-01T01:00:00Z"), QStringLiteral("--format"),
             QStringLiteral("json"), QStringLiteral("-o"), out});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.isEmpty());
    QFile f(out);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray vms = o.value(QStringLiteral("vms")).toArray();
    ASSERT_EQ(vms.size(), 2);
    EXPECT_EQ(vms[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("web"));
    EXPECT_DOUBLE_EQ(
        o.value(QStringLiteral("total")).toObject().value(QStringLiteral("avgCpuCores")).toDouble(),
        1.75);
}

TEST_F(CliMeterTest, RelativeTimesReachBackFromNow)
{
    // The samples are from 2026-12-01; "-3650d" to "now" covers them wherever the clock is.
    const Outcome r =
        ctl({QStringLiteral("meter"), QStringLiteral("report"), m_db, QStringLiteral("--from"),
             QStringLiteral("-3650d"), QStringLiteral("--to"), QStringLiteral("now")});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains(",1.500,")) << r.out.toStdString();
    EXPECT_TRUE(r.out.startsWith("row_type,id,name,"));
}

TEST_F(CliMeterTest, BadInputExitsTwoSayingWhereAndWhat)
{
    const auto report = [&](const QString &file, const char *from, const char *to) {
        return ctl({QStringLiteral("meter"), QStringLiteral("report"), file,
                    QStringLiteral("--from"), QLatin1String(from), QStringLiteral("--to"),
                    QLatin1String(to)});
    };
    Outcome r = report(m_db, "yesterday", "now");
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("--from \"yesterday\": expected ISO 8601")))
        << r.err.toStdString();
    r = report(m_db, "2026-12-01T00:00:00", "now"); // no zone: ambiguous
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("--from \"2026-12-01T00:00:00\"")));
    r = report(m_db, "2026-12-01T01:00:00Z", "2026-12-01T02:00:00+01:00");
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("is not before --to"))) << r.err.toStdString();
    const QString lonely = m_dir.filePath(QStringLiteral("lonely.converge.json"));
    ASSERT_TRUE(QFile::copy(m_json, lonely));
    r = report(lonely, "-1h", "now");
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("no metering store (expected ") +
                               m_dir.filePath(QStringLiteral("lonely.converge.db"))))
        << r.err.toStdString();
    EXPECT_TRUE(r.out.isEmpty());
    r = ctl({QStringLiteral("meter"), QStringLiteral("report"), m_db, QStringLiteral("--to"),
             QStringLiteral("now")});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("--from is required")));
}

TEST_F(CliMeterTest, SeriesListsWhatIsStoredOneALine)
{
    Outcome r = ctl({QStringLiteral("meter"), QStringLiteral("series"), m_json});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(r.out, QByteArray("hv1|vm/h1.db|vm_cpu_cores\n"
                                "hv1|vm/h1.web|vm_cpu_cores\n"
                                "hv1|vm/h1.web|vm_memory_bytes\n"
                                "hv1|vnic/h1.web.lan|net_receive_bytes_per_second\n"
                                "hv1|vnic/h1.web.lan|net_transmit_bytes_per_second\n"));
    r = ctl({QStringLiteral("meter"), QStringLiteral("series"), m_db, QStringLiteral("--host"),
             QStringLiteral("hv2")});
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(r.out.isEmpty());
}

TEST_F(CliMeterTest, HelpPrintsTheUsageAndMisuseExitsTwo)
{
    Outcome r = ctl({QStringLiteral("meter"), QStringLiteral("--help")});
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(r.out.startsWith("usage: convergectl meter report FILE --from T --to T"));
    r = ctl({QStringLiteral("meter")});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.startsWith(QStringLiteral("convergectl meter: expected report or series\n")))
        << r.err.toStdString();
    r = ctl({QStringLiteral("meter"), QStringLiteral("report"), m_db, QStringLiteral("--from"),
             QStringLiteral("-1h"), QStringLiteral("--to"), QStringLiteral("now"),
             QStringLiteral("--format"), QStringLiteral("xml")});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains(QStringLiteral("--format \"xml\": expected csv or json")));
}

TEST_F(CliMeterTest, AnOutputThatCannotBeWrittenExitsThree)
{
    const Outcome r =
        ctl({QStringLiteral("meter"), QStringLiteral("report"), m_db, QStringLiteral("--from"),
             QStringLiteral("-1h"), QStringLiteral("--to"), QStringLiteral("now"),
             QStringLiteral("-o"), m_dir.filePath(QStringLiteral("missing/dir/r.csv"))});
    EXPECT_EQ(r.code, 3);
    EXPECT_TRUE(r.err.contains(QStringLiteral("missing/dir/r.csv"))) << r.err.toStdString();
}
