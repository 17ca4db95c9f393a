// Report formats: what a CI pipeline or a person reading them relies on.
#include "rulestestsupport.h"

#include "core/io/designdocument.h"
#include "core/validation/catalog.h"
#include "core/validation/report.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
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
    Design design;
    ValidationReport report;
    explicit Fixture(const QByteArray &document = brokenTeam)
        : design(loadDesign(document))
    {
        // The team rules' findings only, so other rules' findings on this small host don't
        // change what the formats are checked against.
        std::vector<Finding> team;
        std::ranges::copy_if(allFindings(design), std::back_inserter(team), [](const Finding &f) {
            return f.ruleId.startsWith(QLatin1String("TEAM-"));
        });
        report = {QStringLiteral("lab.converge.json"), &design, team, {}, {}};
        for (const Rule &r : ruleCatalog())
            report.rules.push_back(r.info);
    }
};

QJsonObject sarifOf(const ValidationReport &report)
{
    return QJsonDocument::fromJson(renderReport(report, ReportFormat::Sarif)).object();
}

QJsonObject firstRun(const QJsonObject &log)
{
    return log.value(QStringLiteral("runs")).toArray().at(0).toObject();
}

QJsonObject physicalLocation(const QJsonObject &result)
{
    return result.value(QStringLiteral("locations"))
        .toArray()
        .at(0)
        .toObject()
        .value(QStringLiteral("physicalLocation"))
        .toObject();
}

// Where the team's object opens in `document`, found by its text: line and column, 1-based.
std::pair<int, int> teamOpensAt(const QByteArray &document)
{
    const qsizetype at = document.indexOf("{\"id\": \"t\"");
    EXPECT_GE(at, 0);
    return {int(document.left(at).count('\n')) + 1, int(at - document.lastIndexOf('\n', at))};
}

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

TEST(Report, SarifResultsPointAtTheElementsLineAndFollowItWhenItMoves)
{
    QByteArray moved = brokenTeam;
    moved.replace("\"teams\"", "\n\n\n        \"teams\"");
    int previousLine = 0;
    for (const QByteArray &document : {brokenTeam, moved}) {
        Fixture f(document);
        f.report.positions = designdocument::elementPositions(document);
        const QJsonObject run = firstRun(sarifOf(f.report));
        EXPECT_EQ(run.value(QStringLiteral("columnKind")).toString(),
                  QStringLiteral("utf16CodeUnits"));
        const QJsonArray results = run.value(QStringLiteral("results")).toArray();
        ASSERT_EQ(results.size(), 2);
        const auto [line, column] = teamOpensAt(document);
        for (const QJsonValue &result : results) {
            const QJsonObject physical = physicalLocation(result.toObject());
            const QJsonObject region = physical.value(QStringLiteral("region")).toObject();
            EXPECT_EQ(region.value(QStringLiteral("startLine")).toInt(), line);
            EXPECT_EQ(region.value(QStringLiteral("startColumn")).toInt(), column);
            EXPECT_EQ(physical.value(QStringLiteral("artifactLocation"))
                          .toObject()
                          .value(QStringLiteral("uri"))
                          .toString(),
                      QStringLiteral("lab.converge.json"));
        }
        EXPECT_GT(line, previousLine) << "the moved team is annotated on its new line";
        previousLine = line;
    }
    EXPECT_EQ(previousLine, teamOpensAt(brokenTeam).first + 3);
}

TEST(Report, SarifFromAProjectStoreLocatesResultsByElementAndNamesTheStore)
{
    Fixture f; // no positions: the design came from a store, which has no lines
    f.report.file = QStringLiteral("designs/lab.converge.db");
    const QJsonArray results =
        firstRun(sarifOf(f.report)).value(QStringLiteral("results")).toArray();
    ASSERT_EQ(results.size(), 2);
    const QJsonObject result = results.at(0).toObject();
    const QJsonObject location =
        result.value(QStringLiteral("locations")).toArray().at(0).toObject();
    EXPECT_FALSE(location.contains(QStringLiteral("physicalLocation")));
    EXPECT_EQ(location.value(QStringLiteral("logicalLocations"))
                  .toArray()
                  .at(0)
                  .toObject()
                  .value(QStringLiteral("fullyQualifiedName"))
                  .toString(),
              QStringLiteral("hv1 / LAN"));
    EXPECT_EQ(
        result.value(QStringLiteral("analysisTarget")).toObject().value(QStringLiteral("uri")),
        QStringLiteral("designs/lab.converge.db"));
}

TEST(Report, SarifToolEntryHasAnAbsoluteInformationUriAndVersions)
{
    Fixture f;
    const QJsonObject driver = firstRun(sarifOf(f.report))
                                   .value(QStringLiteral("tool"))
                                   .toObject()
                                   .value(QStringLiteral("driver"))
                                   .toObject();
    const QUrl info(driver.value(QStringLiteral("informationUri")).toString());
    EXPECT_TRUE(info.isValid() && !info.isRelative()) << info.toString().toStdString();
    const QUrl help(driver.value(QStringLiteral("rules"))
                        .toArray()
                        .at(0)
                        .toObject()
                        .value(QStringLiteral("helpUri"))
                        .toString());
    EXPECT_TRUE(help.isValid() && !help.isRelative()) << help.toString().toStdString();
    EXPECT_EQ(driver.value(QStringLiteral("version")).toString(), QStringLiteral(CONVERGE_VERSION));
    EXPECT_EQ(driver.value(QStringLiteral("semanticVersion")).toString(),
              QStringLiteral(CONVERGE_VERSION));
}

TEST(Report, TextNamesTheFileLineAndColumnOfADocumentsFinding)
{
    Fixture f;
    f.report.positions = designdocument::elementPositions(brokenTeam);
    const auto [line, column] = teamOpensAt(brokenTeam);
    const QString text = QString::fromUtf8(renderReport(f.report, ReportFormat::Text));
    EXPECT_TRUE(text.contains(
        QStringLiteral("  TEAM-007  hv1 / LAN\n      %1\n      at lab.converge.json:%2:%3\n")
            .arg(f.report.findings.at(0).message)
            .arg(line)
            .arg(column)))
        << text.toStdString();
}
