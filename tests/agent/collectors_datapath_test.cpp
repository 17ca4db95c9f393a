// datapath = auto (collectors/agent/datapath.h): which datapath the agent creates bridges with,
// from what ovs-vswitchd supports and what the kernel has.
#include "collectors/agent/datapath.h"

#include <gtest/gtest.h>

using namespace converge::collectors;

TEST(Datapath, AConfiguredDatapathIsKeptWhateverTheHostHas)
{
    EXPECT_EQ(chooseDatapath(QStringLiteral("system"), {QStringLiteral("netdev")}, false),
              QStringLiteral("system"));
    EXPECT_EQ(chooseDatapath(QStringLiteral("netdev"),
                             {QStringLiteral("netdev"), QStringLiteral("system")}, true),
              QStringLiteral("netdev"));
}

TEST(Datapath, AutoTakesSystemOnlyWhenOvsVswitchdAndTheKernelBothHaveIt)
{
    const QStringList both{QStringLiteral("netdev"), QStringLiteral("system")};
    EXPECT_EQ(chooseDatapath(QStringLiteral("auto"), both, true), QStringLiteral("system"));
    // An ovs-vswitchd started without --disable-system lists "system" on a kernel without the
    // module (this test machine's case), and then cannot create such bridges.
    EXPECT_EQ(chooseDatapath(QStringLiteral("auto"), both, false), QStringLiteral("netdev"));
    // ovs-vswitchd --disable-system lists only netdev, whatever the kernel has.
    EXPECT_EQ(chooseDatapath(QStringLiteral("auto"), {QStringLiteral("netdev")}, true),
              QStringLiteral("netdev"));
}

TEST(Datapath, GenericNetlinkResolvesKnownFamiliesOnly)
{
    // The controller family always exists: the lookup itself works.
    EXPECT_TRUE(genericNetlinkHasFamily("nlctrl"));
    EXPECT_FALSE(genericNetlinkHasFamily("converge-none"));
}
