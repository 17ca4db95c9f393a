// collectors/ovs/ovsmeters.h: ovs-ofctl dump-meters read back in the form meters are written
// in (core/realize/ratelimits.h), so installed and present meters compare as strings. The text
// is what Open vSwitch 3.1 printed on this project's test machine.
#include "collectors/ovs/ovsmeters.h"
#include "core/realize/ratelimits.h"

#include <gtest/gtest.h>

using namespace converge;

TEST(OvsMeters, DumpMetersReadsBackAsTheSpecsThatMadeThem)
{
    const QByteArray dump = "OFPST_METER_CONFIG reply (OF1.4) (xid=0x2):\n"
                            "meter=44133 kbps burst bands=\n"
                            "type=drop rate=10000 burst_size=5000\n"
                            "\n"
                            "meter=7 kbps burst bands=\n"
                            "type=drop rate=100000 burst_size=50000\n";
    core::realize::Meter a{44133, QStringLiteral("vm1"), 10000, 5000};
    core::realize::Meter b{7, QStringLiteral("vm2"), 100000, 50000};
    const QStringList specs = collectors::ovs::parseMeters(dump);
    EXPECT_EQ(specs, (QStringList{a.spec(), b.spec()}));
    EXPECT_EQ(collectors::ovs::meterIds(specs), (QList<quint32>{7, 44133}));
    EXPECT_EQ(core::realize::metersDigest(specs),
              core::realize::metersDigest(core::realize::meterSpecs({b, a})));
}

TEST(OvsMeters, NoMetersIsAnEmptyList)
{
    EXPECT_TRUE(
        collectors::ovs::parseMeters("OFPST_METER_CONFIG reply (OF1.4) (xid=0x2):\n").isEmpty());
    EXPECT_TRUE(collectors::ovs::parseMeters({}).isEmpty());
}
