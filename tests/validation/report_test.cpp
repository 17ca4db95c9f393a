// Report formats: what a CI pipeline or a person reading them relies on.
#include "rulestestsupport.h"

#include "core/validation/catalog.h"
#include "core/validation/report.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QXmlStreamReader>

using namespace converge::core;
using namespace converge::testing;

namespace {

const QByteArray brokenTeam = hostDocument(
    R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}],
       "teams": [{"id": "t", "name": "LAN", "members": ["n1"]}])",
    R"("suppressions": [{"id": "s1", "name": "lab", "rule": "TEAM-002", "elements": ["t"],
                         "justification": "Lab host with one NIC."}], )");

struct Fixture
{
    Design design = loadDesign(brokenTeam);
    ValidationReport report;
    Fixture()
    {
        // The team rules' findings only, so other rules' findings on this small host don't
        // change what the formats are checked against.
        std::vector<Finding> team;
        std::ranges::copy_if(allFindings(design), std::back_inserter(team), [](const Finding &f) {
            return f.ruleId.startsWith(QLatin1String("TEAM-"));
        });
        report = {QStringLiteral("lab.converge.json"), &design, team, {}};
        for (const Rule &r : ruleCatalog())
            report.rules.push_back(r.info);
    }
};

} // namespace

TEST(Report, TextGroupsBySeverityAndShowsSourceFixAndAcceptance)
{
    Fixture f;
    const QString text = QString::fromUtf8(renderReport(f.report, ReportFormat::Text));
    EXPECT_TRUE(text.startsWith(QStringLiteral("lab.converge.json: 2 finding(s), 1 blocking\n")))
        << text.toStdString();
    EXPECT_LT(text.indexOf(QStringLiteral("ERRORS (1)")),
              text.indexOf(QStringLiteral("WARNINGS (1)")));
    EXPECT_TRUE(text.contains(QStringLiteral("  TEAM-007  hv1 / LAN\n")));
    EXPECT_TRUE(text.contains(QStringLiteral("quick fix: Set queue mode to RSS")));
    EXPECT_TRUE(text.contains(QStringLiteral("ACCEPTED: Lab host with one NIC.")));
}

TEST(Report, JsonCarriesEveryFindingWithPathsAndAcceptance)
{
    Fixture f;
    const QJsonObject o =
        QJsonDocument::fromJson(renderReport(f.report, ReportFormat::Json)).object();
    EXPECT_EQ(o.value(QStringLiteral("blocking")).toInt(), 1);
    const QJsonArray findings = o.value(QStringLiteral("findings")).toArray();
    ASSERT_EQ(findings.size(), 2);
    const QJsonObject first = findings.at(0).toObject();
    EXPECT_EQ(first.value(QStringLiteral("rule")).toString(), QStringLiteral("TEAM-007"));
    EXPECT_EQ(first.value(QStringLiteral("elements"))
                  .toArray()
                  .at(0)
                  .toObject()
                  .value(QStringLiteral("path"))
                  .toString(),
              QStringLiteral("hv1 / LAN"));
    EXPECT_EQ(findings.at(1).toObject().value(QStringLiteral("accepted")).toString(),
              QStringLiteral("Lab host with one NIC."));
}

TEST(Report, SarifHasRulesResultsLogicalLocationsAndSuppressions)
{
    Fixture f;
    const QJsonObject log =
        QJsonDocument::fromJson(renderReport(f.report, ReportFormat::Sarif)).object();
    EXPECT_EQ(log.value(QStringLiteral("version")).toString(), QStringLiteral("2.1.0"));
    const QJsonObject run = log.value(QStringLiteral("runs")).toArray().at(0).toObject();
    const QJsonArray rules = run.value(QStringLiteral("tool"))
                                 .toObject()
                                 .value(QStringLiteral("driver"))
                                 .toObject()
                                 .value(QStringLiteral("rules"))
                                 .toArray();
    EXPECT_EQ(std::size_t(rules.size()), ruleCatalog().size());
    const QJsonArray results = run.value(QStringLiteral("results")).toArray();
    ASSERT_EQ(results.size(), 2);
    const QJsonObject r0 = results.at(0).toObject();
    EXPECT_EQ(rules.at(r0.value(QStringLiteral("ruleIndex")).toInt())
                  .toObject()
                  .value(QStringLiteral("id"))
                  .toString(),
              r0.value(QStringLiteral("ruleId")).toString());
    const QJsonObject logical = r0.value(QStringLiteral("locations"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QStringLiteral("logicalLocations"))
                                    .toArray()
                                    .at(0)
                                    .toObject();
    EXPECT_EQ(logical.value(QStringLiteral("fullyQualifiedName")).toString(),
              QStringLiteral("hv1 / LAN"));
    EXPECT_TRUE(results.at(1).toObject().contains(QStringLiteral("suppressions")));
}

TEST(Report, JunitParsesWithOneTestCasePerRule)
{
    Fixture f;
    QXmlStreamReader xml(renderReport(f.report, ReportFormat::Junit));
    int testcases = 0, failures = 0, systemOut = 0;
    QString suiteFailures;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("testsuite"))
            suiteFailures = xml.attributes().value(QStringLiteral("failures")).toString();
        testcases += xml.name() == QLatin1String("testcase");
        failures += xml.name() == QLatin1String("failure");
        systemOut += xml.name() == QLatin1String("system-out");
    }
    ASSERT_FALSE(xml.hasError()) << xml.errorString().toStdString();
    EXPECT_EQ(std::size_t(testcases), ruleCatalog().size());
    EXPECT_EQ(failures, 1) << "the accepted warning is not a failure";
    EXPECT_EQ(systemOut, 1);
    EXPECT_EQ(suiteFailures, QStringLiteral("1"));
}

TEST(Report, SeverityFilterAndBlockingCount)
{
    Fixture f;
    EXPECT_EQ(atLeast(f.report.findings, Severity::Error).size(), 1u);
    EXPECT_EQ(atLeast(f.report.findings, Severity::Info).size(), 2u);
    EXPECT_EQ(blockingCount(f.report.findings), 1u);
}
