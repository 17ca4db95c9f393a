// Metering values as an admin reads them: bits for traffic, binary multiples for bytes, one
// unit per axis (views/metering/meteringunits.h).
#include "views/metering/meteringunits.h"

#include "viewstestsupport.h"

#include <gtest/gtest.h>

using namespace converge::views::metering;

TEST(MeteringUnits, TrafficOfTwelveAndAHalfMillionBytesASecondReadsAsMbits)
{
    const UnitScale scale = scaleFor(QStringLiteral("bytes_per_second"), 12'500'000);
    EXPECT_EQ(scale.suffix, QStringLiteral("Mbit/s"));
    EXPECT_EQ(formatValue(12'500'000, scale), QStringLiteral("100 Mbit/s"));
}

TEST(MeteringUnits, TrafficStepsThroughBitKbitGbit)
{
    const QString unit = QStringLiteral("bytes_per_second");
    EXPECT_EQ(formatValue(100, unit), QStringLiteral("800 bit/s"));
    EXPECT_EQ(formatValue(125, unit), QStringLiteral("1.00 kbit/s"));
    EXPECT_EQ(formatValue(124'999'999, unit), QStringLiteral("1000 Mbit/s"));
    EXPECT_EQ(formatValue(1.25e9, unit), QStringLiteral("10.0 Gbit/s"));
    EXPECT_EQ(formatValue(0, unit), QStringLiteral("0.00 bit/s"));
}

TEST(MeteringUnits, BytesUseBinaryMultiples)
{
    const QString unit = QStringLiteral("bytes");
    EXPECT_EQ(formatValue(512, unit), QStringLiteral("512 B"));
    EXPECT_EQ(formatValue(1536, unit), QStringLiteral("1.50 KiB"));
    EXPECT_EQ(formatValue(3.0 * 1024 * 1024 * 1024, unit), QStringLiteral("3.00 GiB"));
}

TEST(MeteringUnits, PercentCoresAndCountsPerSecond)
{
    EXPECT_EQ(formatValue(42, QStringLiteral("percent")), QStringLiteral("42.0%"));
    EXPECT_EQ(formatValue(1.5, QStringLiteral("cores")), QStringLiteral("1.50 cores"));
    EXPECT_EQ(formatValue(15'000, QStringLiteral("packets_per_second")),
              QStringLiteral("15.0 k pkt/s"));
    EXPECT_EQ(formatValue(2'500'000, QStringLiteral("operations_per_second")),
              QStringLiteral("2.50 M op/s"));
    EXPECT_EQ(formatValue(3, QStringLiteral("errors_per_second")), QStringLiteral("3.00 err/s"));
}

TEST(MeteringUnits, AnAxisScaleFromItsMaximumKeepsSmallTicksInTheSameUnit)
{
    const UnitScale axis = scaleFor(QStringLiteral("bytes_per_second"), 1.25e8); // 1 Gbit/s
    EXPECT_EQ(axis.suffix, QStringLiteral("Gbit/s"));
    EXPECT_EQ(formatValue(12'500'000, axis), QStringLiteral("0.10 Gbit/s"));
    EXPECT_EQ(scaleFor(QStringLiteral("bytes_per_second"), -12'500'000).suffix,
              QStringLiteral("Mbit/s"));
}

TEST(MeteringUnits, SeriesFallIntoChartFamilies)
{
    EXPECT_EQ(unitFamily(QStringLiteral("percent")), unitFamily(QStringLiteral("cores")));
    EXPECT_EQ(unitFamily(QStringLiteral("packets_per_second")),
              unitFamily(QStringLiteral("errors_per_second")));
    EXPECT_NE(unitFamily(QStringLiteral("bytes")), unitFamily(QStringLiteral("bytes_per_second")));
    EXPECT_EQ(familyTitle(unitFamily(QStringLiteral("bytes_per_second"))),
              QStringLiteral("Traffic"));
    // A unit the catalog may add later still gets a chart of its own, named after itself.
    EXPECT_EQ(scaleFor(QStringLiteral("watts"), 5).suffix, QStringLiteral("watts"));
    EXPECT_EQ(unitFamily(QStringLiteral("watts")), QStringLiteral("watts"));
}
