// The samples against the whole catalog: the designs from the sources validate without errors
// (and without warnings: none of them is accepted by its source); the broken sample shows the
// catalog at work.
#include "rulestestsupport.h"

#include "core/io/designdocument.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonDocument>
#include <QSet>

using namespace converge::core;
using namespace converge::testing;

namespace {

QByteArray sample(const char *name)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/%1.converge.json")
                .arg(QLatin1String(name)));
    EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << name;
    return f.readAll();
}

class CorrectSample : public ::testing::TestWithParam<const char *>
{
};

} // namespace

TEST_P(CorrectSample, HasNoErrorOrWarningFindings)
{
    for (const Finding &f : allFindings(loadDesign(sample(GetParam()))))
        EXPECT_EQ(f.severity, Severity::Info) << ::testing::PrintToString(f);
}

INSTANTIATE_TEST_SUITE_P(Samples, CorrectSample,
                         ::testing::Values("smb-basic", "smb-converged", "smb-iscsi-highperf",
                                           "multitenant-overlay"),
                         [](const auto &p) {
                             std::string name = p.param;
                             std::erase(name, '-');
                             return name;
                         });

TEST(BrokenSample, FiresAtLeastFifteenDifferentRules)
{
    const QByteArray json = sample("broken-lab");
    const Design design = loadDesign(json);
    QSet<QString> rules;
    for (const Finding &f : allFindings(design))
        rules.insert(f.ruleId);
    EXPECT_GE(rules.size(), 15) << QStringList(rules.values()).join(QLatin1Char(' ')).toStdString();
    for (const char *id : {"TEAM-004",  "TEAM-005", "TEAM-006", "TEAM-007", "QOS-002",  "QOS-004",
                           "VLAN-001",  "VLAN-003", "VLAN-004", "IP-001",   "IP-002",   "SEC-001",
                           "GTEAM-001", "MON-001",  "DHCP-001", "HNV-001",  "HOST-001", "HOST-002",
                           "VSW-001",   "VSW-002",  "VSW-003",  "ISCSI-001"})
        EXPECT_TRUE(rules.contains(QLatin1String(id))) << id;
    // It is still a well-formed document that round-trips.
    EXPECT_EQ(QJsonDocument::fromJson(designdocument::save(design)).object(),
              QJsonDocument::fromJson(json).object());
}
