// A PVLAN across hosts (core/realize): what each host gets depends on its own ports only, so a
// VM added on one host changes no other host's plan; the PVLAN's secondary VLANs are what its
// ports carry (tests/wire/data/two-hosts-pvlan.converge.json).
#include "unitdesigns.h"

#include "core/realize/flows.h"
#include "core/realize/planner.h"

#include <gtest/gtest.h>

#include <QJsonArray>

using namespace converge;
using namespace converge::core::realize;

namespace {

core::Design pvlanDesign()
{
    return converge::testing::sourceDesign("tests/wire/data/two-hosts-pvlan.converge.json");
}

HostState desired(const core::Design &d, const char *host)
{
    return converge::testing::desiredOn(d, QLatin1String(host));
}

void add(core::Design &d, core::ElementKind kind, const char *parent, const char *id,
         const QJsonObject &props)
{
    auto e = core::commands::addElement(d, kind, QLatin1String(parent), props, QLatin1String(id));
    ASSERT_TRUE(e) << e.error().message.toStdString();
    ASSERT_TRUE(d.apply(*e));
}

// An isolated VM (secondary VLAN 301 of PVLAN 300) on hv2.
void addIsolatedVm(core::Design &d)
{
    add(d, core::ElementKind::VirtualMachine, "hv2", "hv2.isoc", {{"name", "isoc"}});
    add(d, core::ElementKind::VirtualNic, "hv2.isoc", "hv2.isoc.nic",
        {{"name", "nic"},
         {"switch", "hv2.lab"},
         {"hostInterface", "isoc"},
         {"mac", "02:66:00:00:00:15"},
         {"addresses", QJsonArray{QStringLiteral("10.66.0.15/24")}},
         {"vlanMode", "Pvlan"},
         {"pvlanPrimary", 300},
         {"pvlanSecondary", 301},
         {"pvlanMode", "Isolated"}});
}

} // namespace

// The other way to carry a PVLAN between hosts (the primary VLAN on the wire, isolation by
// OpenFlow matching the other hosts' isolated MACs) would change every host's flow table for a
// VM added on one; carrying the secondary VLANs changes only the host the VM runs on.
TEST(PvlanAcrossHosts, AVmAddedOnOneHostChangesNoOtherHost)
{
    const core::Design before = pvlanDesign();
    core::Design after = pvlanDesign();
    addIsolatedVm(after);
    if (HasFatalFailure())
        return;
    EXPECT_EQ(desired(after, "hv1"), desired(before, "hv1"));
    const Plan hv1 = makePlan(desired(after, "hv1"), afterApply(desired(before, "hv1")));
    EXPECT_TRUE(hv1.isEmpty()) << hv1.diffText().toStdString();

    const Plan hv2 = makePlan(desired(after, "hv2"), afterApply(desired(before, "hv2")));
    EXPECT_FALSE(hv2.isEmpty());
    EXPECT_TRUE(hv2.diffText().contains(QStringLiteral("+ port isoc on lab")))
        << hv2.diffText().toStdString();
    EXPECT_TRUE(hv2.diffText().contains(QStringLiteral("isolated in PVLAN 300 (secondary 301)")))
        << hv2.diffText().toStdString();
}

// What each host's table holds for the PVLAN grows with its own ports, not with the fleet.
TEST(PvlanAcrossHosts, AHostsPvlanFlowsNameOnlyItsOwnMacs)
{
    const core::Design d = pvlanDesign();
    const HostState hv1 = desired(d, "hv1");
    const HostState hv2 = desired(d, "hv2");
    const auto macsOf = [](const HostState &s) {
        QStringList macs;
        for (const Bridge &b : s.bridges)
            for (const Port &p : b.ports)
                if (!p.mac.isEmpty())
                    macs << p.mac;
        return macs;
    };
    for (const auto &[mine, theirs] : {std::pair{&hv1, &hv2}, std::pair{&hv2, &hv1}}) {
        const QStringList flows = pvlanForwarding(mine->bridges.front());
        ASSERT_FALSE(flows.isEmpty());
        for (const QString &mac : macsOf(*theirs))
            EXPECT_TRUE(flows.filter(mac).isEmpty()) << mac.toStdString();
    }
}
