#include "rulestestsupport.h"

#include <gtest/gtest.h>

using namespace converge::testing;

namespace {

QByteArray doc(const char *allow)
{
    return hostDocument(
        (QByteArray(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}],
        "switches": [{"id": "vs", "name": "LAN", "type": "External", "uplink": "n1")") +
         allow + R"(}],
        "vnics": [{"id": "m", "name": "Mgmt", "switch": "vs"}],
        "vms": [{"id": "vm", "name": "vm1", "vnics": [{"id": "vm.lan", "name": "LAN", "switch": "vs"}]}])")
            .constData());
}

} // namespace

TEST(SwitchRules, Vsw011ManagementOsAllowedForHostVnics)
{
    const auto bad = findingsOf("VSW-011", doc(R"(, "allowManagementOs": false)"));
    ASSERT_EQ(bad.size(), 1u) << "the VM's vNIC needs no such setting";
    EXPECT_EQ(bad[0].elements, (QStringList{QStringLiteral("vs"), QStringLiteral("m")}));
    EXPECT_EQ(bad[0].message,
              QStringLiteral("vNIC 'Mgmt' on host 'hv1' is a management-OS vNIC on virtual switch "
                             "'LAN', which does not allow the management OS to share its uplink. "
                             "Allow management OS on the switch, or move the vNIC."));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_EQ(bad[0].fix->changes.front().key, QStringLiteral("allowManagementOs"));
    EXPECT_TRUE(bad[0].fix->changes.front().value.toBool());
    EXPECT_TRUE(findingsOf("VSW-011", doc(R"(, "allowManagementOs": true)")).empty());
}

// 003 §4.1 l.683: sharing the uplink with the management OS is selected by default when an
// external switch is created, so a switch that does not say shares it. (This test used to expect
// an error for the absent setting.)
TEST(SwitchRules, Vsw011AbsentAllowManagementOsIsOn)
{
    EXPECT_TRUE(findingsOf("VSW-011", doc("")).empty());
    EXPECT_TRUE(findingsOf("VSW-002", doc("")).empty());
}

TEST(SwitchRules, ManagementOsNotAllowedIsReportedOnce)
{
    const auto all = allFindings(loadDesign(doc(R"(, "allowManagementOs": false)")));
    std::vector<converge::core::Finding> about;
    for (const auto &f : all)
        if (f.elements.contains(QStringLiteral("m")) && f.ruleId.startsWith(QStringLiteral("VSW")))
            about.push_back(f);
    ASSERT_EQ(about.size(), 1u) << "VSW-002 and VSW-011 both reported the management-OS vNIC";
    EXPECT_EQ(about[0].ruleId, QStringLiteral("VSW-011"));
}
