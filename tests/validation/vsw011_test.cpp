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
    const auto bad = findingsOf("VSW-011", doc(""));
    ASSERT_EQ(bad.size(), 1u) << "the VM's vNIC needs no such setting";
    EXPECT_EQ(bad[0].elements, (QStringList{QStringLiteral("vs"), QStringLiteral("m")}));
    ASSERT_TRUE(bad[0].fix);
    EXPECT_TRUE(findingsOf("VSW-011", doc(R"(, "allowManagementOs": true)")).empty());
}
