// What lands on the wire between hosts (root): a PVLAN spanning two hosts, deployed to real
// agents whose uplinks meet on a Linux bridge, and the reachability its modes promise checked
// with ping between VMs on both hosts (tests/wire/data/two-hosts-pvlan.converge.json).
#include "testapp.h"
#include "wirelab.h"

#include <gtest/gtest.h>

using namespace converge;
using namespace converge::testing;

namespace {

class Wire : public ::testing::Test
{
protected:
    static void SetUpTestSuite() { ensureApp(); }

    // Sets up `hosts` lab hosts with the VMs of `design` and deploys it.
    void deploy(const core::Design &design, int hosts)
    {
        ASSERT_FALSE(design.elements(core::ElementKind::Host).empty()) << "design did not load";
        QString why;
        if (!lab.setUp(hosts, &why)) {
            if (why.contains(QLatin1String("needs root")) ||
                why.contains(QLatin1String("not installed")))
                GTEST_SKIP() << why.toStdString();
            FAIL() << why.toStdString();
        }
        ASSERT_TRUE(lab.addVmsOf(design, &why)) << why.toStdString();
        auto deployed = lab.deploy(design);
        ASSERT_TRUE(deployed) << deployed.error().message.toStdString();
    }

    // `from` reaches `to` (an address) or not, as the design promises.
    void expectReach(const char *from, const char *to, bool reaches)
    {
        Vm &vm = lab.vm(QLatin1String(from));
        const bool replied = vm.ping(QLatin1String(to), reaches ? 3 : 2, reaches ? 5 : 2);
        EXPECT_EQ(replied, reaches) << from << " -> " << to << ": " << vm.lastPing().toStdString();
    }

    WireLab lab;
};

} // namespace

// PVLAN 300 across hv1 and hv2 (secondary VLANs carried on the trunk between them): isolated
// ports reach only the promiscuous port, wherever it is; a community reaches itself on both
// hosts and the promiscuous port, never another community or an isolated port.
TEST_F(Wire, PvlanAcrossHostsKeepsItsPromises)
{
    deploy(wireDesign("two-hosts-pvlan.converge.json"), 2);
    if (IsSkipped() || HasFatalFailure())
        return;
    // hv1: prom 10.66.0.1 (promiscuous), isoa .2 (isolated 301), coma .3 (community 302)
    // hv2: isob .12 (isolated 301), comb .13 (community 302), comc .14 (community 303)
    expectReach("isob", "10.66.0.1", true);  // isolated -> promiscuous, across hosts
    expectReach("isoa", "10.66.0.1", true);  // ... and on the same host
    expectReach("comb", "10.66.0.3", true);  // one community on both hosts
    expectReach("comb", "10.66.0.1", true);  // community -> promiscuous, across hosts
    expectReach("comc", "10.66.0.1", true);  // a second community too
    expectReach("prom", "10.66.0.12", true); // promiscuous -> everyone
    expectReach("prom", "10.66.0.14", true);

    expectReach("isoa", "10.66.0.12", false); // isolated never reach each other
    expectReach("isob", "10.66.0.13", false); // nor a community
    expectReach("coma", "10.66.0.12", false); // a community never reaches an isolated port
    expectReach("comb", "10.66.0.14", false); // nor another community
    expectReach("coma", "10.66.0.14", false);
}
