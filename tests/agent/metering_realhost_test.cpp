// collectors/metering/hostsampler.h on this machine's real /proc and /sys, unprivileged as the
// console runs it for its own host (issue 15, "The local default"): plausible values, and the
// loopback interface is there.
#include "collectors/metering/hostsampler.h"
#include "meteringfixture.h"

#include <QDateTime>
#include <QThread>

#include <unistd.h>

using namespace converge::collectors::metering;
using meteringtest::valueOf;

namespace {

// Run as root (the test machine's CI), the test reads as nobody: the effective ids decide what
// a file's permissions allow, and the saved ones let the guard take root back.
class Unprivileged
{
public:
    Unprivileged()
    {
        if (::geteuid() == 0)
            m_dropped = ::setegid(65534) == 0 && ::seteuid(65534) == 0;
    }
    ~Unprivileged()
    {
        if (m_dropped)
            (void)(::seteuid(0) == 0 && ::setegid(0) == 0);
    }
    Unprivileged(const Unprivileged &) = delete;
    Unprivileged &operator=(const Unprivileged &) = delete;

private:
    bool m_dropped = false;
};

} // namespace

TEST(HostSamplerOnThisHost, ReadsPlausibleValuesWithoutPrivilege)
{
    const Unprivileged asNobody;
    ASSERT_NE(::geteuid(), 0U) << "could not drop root";
    auto made = HostSampler::create({QStringLiteral("local")});
    ASSERT_TRUE(made) << made.error().message.toStdString();
    made->sample(QDateTime::currentMSecsSinceEpoch());
    QThread::msleep(300);
    const SamplerRound round = made->sample(QDateTime::currentMSecsSinceEpoch());
    for (const QString &problem : made->currentProblems())
        std::cout << "problem (allowed): " << problem.toStdString() << '\n';

    const auto cpu = valueOf(round, QStringLiteral("cpu"), "cpu_busy_percent");
    ASSERT_TRUE(cpu);
    EXPECT_GE(*cpu, 0.0);
    EXPECT_LE(*cpu, 100.0);
    const auto cpu0 = valueOf(round, QStringLiteral("cpu0"), "cpu_busy_percent");
    ASSERT_TRUE(cpu0);
    EXPECT_LE(*cpu0, 100.0);
    const auto total = valueOf(round, {}, "memory_total_bytes");
    const auto used = valueOf(round, {}, "memory_used_bytes");
    ASSERT_TRUE(total && used);
    EXPECT_GT(*total, 64.0 * 1024 * 1024);
    EXPECT_GT(*used, 0.0);
    EXPECT_LT(*used, *total);
    const auto lo = valueOf(round, QStringLiteral("if/lo"), "net_receive_bytes_per_second");
    ASSERT_TRUE(lo) << "no if/lo series";
    EXPECT_GE(*lo, 0.0);
    auto key =
        converge::core::metering::SeriesKey::parse(round.batch.series.front().key.toString());
    EXPECT_TRUE(key) << "the sampler's keys parse back";
    EXPECT_TRUE(converge::core::metering::SampleBatch::fromJson(round.batch.toJson()))
        << "a real round passes the batch's own checks";
}
