#include "rulestestsupport.h"

#include <gtest/gtest.h>

using namespace converge::testing;

namespace {

QByteArray nicWithClasses(int n)
{
    QByteArray classes;
    for (int i = 0; i < n; ++i)
        classes += (i ? ", " : "") + QByteArray("{\"name\": \"tc") + QByteArray::number(i) +
                   "\", \"priority\": " + QByteArray::number(i % 8) + "}";
    return hostDocument(
        ("\"nics\": [{\"id\": \"n1\", \"name\": \"eth1\", \"interfaceName\": \"eth1\", "
         "\"dcb\": true, \"dcbTrafficClasses\": [" +
         classes + "]}]")
            .constData());
}

} // namespace

TEST(DcbRules, Qos007AtMostEightTrafficClasses)
{
    const auto bad = findingsOf("QOS-007", nicWithClasses(9));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].severity, converge::core::Severity::Error);
    EXPECT_TRUE(bad[0].message.startsWith(
        QStringLiteral("NIC 'eth1' on host 'hv1' defines 9 DCB traffic classes")));
    EXPECT_TRUE(findingsOf("QOS-007", nicWithClasses(8)).empty());
}
