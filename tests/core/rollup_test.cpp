// Rollups and downsampling for charts (issue 15, "Store"): buckets keep min, max, sum, count and
// the area that makes totals exact; a chart's columns keep a single spike in a week of data.
#include "core/metering/downsample.h"
#include "core/metering/rollup.h"

#include <gtest/gtest.h>

using namespace converge::core::metering;

namespace {

constexpr qint64 t0 = 1'700'000'040'000; // a minute boundary, not an hour's

TEST(RollupTest, BucketKeepsMinMaxSumCountAndArea)
{
    Bucket b;
    b.add({t0, 4, 1000});
    b.add({t0 + 1000, -2, 1000});
    b.add({t0 + 3000, 10, 2000});
    EXPECT_EQ(b.count, 3);
    EXPECT_DOUBLE_EQ(b.min, -2);
    EXPECT_DOUBLE_EQ(b.max, 10);
    EXPECT_DOUBLE_EQ(b.sum, 12);
    EXPECT_DOUBLE_EQ(b.avg(), 4);
    // 4 for 1 s, -2 for 1 s, 10 for 2 s: 22 (bytes, for a bytes-a-second series).
    EXPECT_DOUBLE_EQ(b.area, 22);
}

TEST(RollupTest, MinuteClosesWhenTheNextOneStartsAndMergesIntoItsHour)
{
    RollupAccumulator minute(Tier::Minute);
    RollupAccumulator hour(Tier::Hour);
    std::vector<Bucket> closed;
    for (qint64 i = 0; i < 150; ++i)
        if (auto b = minute.add(Sample{t0 + i * 1000, double(i), 1000}))
            closed.push_back(*b);
    ASSERT_EQ(closed.size(), 2U);
    EXPECT_EQ(closed[0].startMs, t0);
    EXPECT_EQ(closed[0].count, 60);
    EXPECT_DOUBLE_EQ(closed[0].max, 59);
    EXPECT_EQ(closed[1].startMs, t0 + 60'000);
    EXPECT_DOUBLE_EQ(closed[1].min, 60);
    const auto open = minute.take();
    ASSERT_TRUE(open);
    EXPECT_EQ(open->count, 30);
    EXPECT_FALSE(minute.take()); // taken: nothing open any more
    for (const Bucket &b : closed)
        EXPECT_FALSE(hour.add(b));
    EXPECT_FALSE(hour.add(*open));
    EXPECT_EQ(hour.open().startMs, alignDown(t0, 3'600'000));
    EXPECT_EQ(hour.open().count, 150);
    EXPECT_DOUBLE_EQ(hour.open().sum, 149.0 * 150 / 2);
    EXPECT_DOUBLE_EQ(hour.open().area, 149.0 * 150 / 2);
}

TEST(RollupTest, AlignDownRoundsTowardsThePast)
{
    EXPECT_EQ(alignDown(125'000, 60'000), 120'000);
    EXPECT_EQ(alignDown(120'000, 60'000), 120'000);
    EXPECT_EQ(alignDown(-1, 60'000), -60'000);
}

TEST(DownsampleTest, ASpikeInAWeekSurvivesAsAColumnsMax)
{
    std::vector<Sample> week;
    const qint64 n = 7 * 24 * 3600;
    for (qint64 i = 0; i < n; ++i)
        week.push_back({t0 + i * 1000, i == 400'001 ? 1000.0 : 1.0, 1000});
    const auto points = downsample(week, t0, t0 + n * 1000, 2000);
    ASSERT_EQ(points.size(), 2000U);
    qint64 count = 0;
    int spikes = 0;
    for (const ChartPoint &p : points) {
        count += p.count;
        EXPECT_DOUBLE_EQ(p.min, 1.0);
        spikes += p.max == 1000.0 ? 1 : 0;
    }
    EXPECT_EQ(count, n);
    EXPECT_EQ(spikes, 1);
}

TEST(DownsampleTest, EmptyColumnsAreLeftOut)
{
    const std::vector<Sample> ends{{t0, 1, 0}, {t0 + 999, 2, 0}};
    const auto points = downsample(ends, t0, t0 + 1000, 10);
    ASSERT_EQ(points.size(), 2U);
    EXPECT_EQ(points[0].tMs, t0);
    EXPECT_EQ(points[1].tMs, t0 + 900);
    EXPECT_DOUBLE_EQ(points[1].avg, 2);
}

TEST(DownsampleTest, BoundsAreExact)
{
    // [0, 10) in 3 columns: they start at 0, 4 and 7; -1 and 10 are outside.
    std::vector<Sample> samples;
    for (qint64 t = -1; t <= 10; ++t)
        samples.push_back({t, double(t), 0});
    const auto points = downsample(samples, 0, 10, 3);
    ASSERT_EQ(points.size(), 3U);
    EXPECT_EQ(points[0].tMs, 0);
    EXPECT_EQ(points[0].count, 4); // 0..3
    EXPECT_DOUBLE_EQ(points[0].max, 3);
    EXPECT_EQ(points[1].tMs, 4);
    EXPECT_EQ(points[1].count, 3); // 4..6
    EXPECT_EQ(points[2].tMs, 7);
    EXPECT_DOUBLE_EQ(points[2].min, 7);
    EXPECT_DOUBLE_EQ(points[2].max, 9);
}

TEST(DownsampleTest, BucketsCountInTheColumnTheyStartIn)
{
    const std::vector<Bucket> minutes{{t0 - 60'000, 60, 0, 9, 60, 60},
                                      {t0, 60, 1, 2, 90, 90},
                                      {t0 + 60'000, 60, 0, 50, 120, 120}};
    const auto points = downsample(minutes, t0, t0 + 120'000, 1);
    ASSERT_EQ(points.size(), 1U);
    EXPECT_EQ(points[0].count, 120);
    EXPECT_DOUBLE_EQ(points[0].min, 0);
    EXPECT_DOUBLE_EQ(points[0].max, 50);
    EXPECT_DOUBLE_EQ(points[0].avg, 210.0 / 120);
}

} // namespace
