// Runs the real convergectl and converged binaries as a user or a script would.
#include "core/io/designdocument.h"
#include "core/io/schemadoc.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

namespace {

struct Outcome
{
    int code = -1;
    QString out;
    QString err;
};

Outcome run(const char *program, const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(CONVERGE_BINARY_DIR "/app/") + QLatin1String(program), args);
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

Outcome ctl(const QStringList &args)
{
    return run("convergectl", args);
}

const QString sample = QStringLiteral(CONVERGE_SOURCE_DIR "/tests/app/two-hosts.converge.json");

QJsonObject parseFile(const QString &path)
{
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << path.toStdString();
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

TEST(Convergectl, InfoCountsElementsByKind)
{
    const Outcome r = ctl({QStringLiteral("info"), sample});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral("Design:   Two hosts\n")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("Elements: 9\n")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("  Host                   2\n")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("  PhysicalNic            2\n")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("  VirtualNic             2\n")));
    EXPECT_TRUE(r.err.isEmpty());
}

TEST(Convergectl, InfoAsJson)
{
    const Outcome r =
        ctl({QStringLiteral("info"), sample, QStringLiteral("--format"), QStringLiteral("json")});
    ASSERT_EQ(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    EXPECT_EQ(o.value(QStringLiteral("elements")).toInt(), 9);
    EXPECT_EQ(
        o.value(QStringLiteral("counts")).toObject().value(QStringLiteral("VirtualSwitch")).toInt(),
        2);
    EXPECT_EQ(o.value(QStringLiteral("counts")).toObject().value(QStringLiteral("Link")).toInt(),
              0);
}

TEST(Convergectl, ConvertsToAStoreAndBackLosslessly)
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("p.converge.db"));
    const QString back = dir.filePath(QStringLiteral("back.converge.json"));
    Outcome r = ctl({QStringLiteral("convert"), sample, db});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(r.out, QStringLiteral("wrote %1 (9 elements)\n").arg(db));
    r = ctl({QStringLiteral("info"), db});
    EXPECT_TRUE(r.out.contains(QStringLiteral("Elements: 9\n")));
    r = ctl({QStringLiteral("convert"), db, back});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(parseFile(back), parseFile(sample));
    // Existing outputs are not replaced without --force.
    r = ctl({QStringLiteral("convert"), sample, db});
    EXPECT_EQ(r.code, 3);
    EXPECT_EQ(r.err,
              QStringLiteral("convergectl convert: %1: exists already; not overwritten\n").arg(db));
    r = ctl({QStringLiteral("convert"), sample, db, QStringLiteral("--force")});
    EXPECT_EQ(r.code, 0) << r.err.toStdString();
}

TEST(Convergectl, BadInputExitsTwoWithTheProblemOnStderr)
{
    QTemporaryDir dir;
    const QString broken = dir.filePath(QStringLiteral("broken.converge.json"));
    QFile f(broken);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"schemaVersion": 1, "hosts": [{"id": "h1", "name": "hv1", "platform": "hyperv",
               "nics": [{"id": "n", "name": "eth1", "interfaceName": "eth1", "speed": 0}]}]})");
    f.close();
    for (const char *command : {"info", "validate"}) {
        const Outcome r = ctl({QLatin1String(command), broken});
        EXPECT_EQ(r.code, 2) << command;
        EXPECT_TRUE(r.out.isEmpty());
        EXPECT_EQ(r.err, QStringLiteral(
                             "convergectl %1: %2: $.hosts[0].nics[0].speed: expected a positive "
                             "number (bits per second)\n")
                             .arg(QLatin1String(command), broken));
    }
    EXPECT_EQ(ctl({QStringLiteral("info"), dir.filePath(QStringLiteral("x.txt"))}).code, 2);
    EXPECT_EQ(ctl({QStringLiteral("frobnicate")}).code, 2);
    EXPECT_EQ(ctl({}).code, 2);
    EXPECT_EQ(ctl({QStringLiteral("info")}).code, 2);
    EXPECT_EQ(
        ctl({QStringLiteral("info"), sample, QStringLiteral("--format"), QStringLiteral("xml")})
            .code,
        2);
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("out.converge.db"))));
    EXPECT_EQ(
        ctl({QStringLiteral("convert"), broken, dir.filePath(QStringLiteral("out.converge.db"))})
            .code,
        2);
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("out.converge.db"))))
        << "nothing written for bad input";
}

TEST(Convergectl, ValidateReportsFindingsAndExitsOneOnErrors)
{
    // The fixture's hosts have one NIC each and no VMs: no error-severity finding.
    Outcome r = ctl({QStringLiteral("validate"), sample});
    EXPECT_EQ(r.code, 0) << r.out.toStdString() << r.err.toStdString();
    EXPECT_TRUE(r.out.startsWith(sample + QStringLiteral(": "))) << r.out.toStdString();
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("team.converge.json"));
    QFile f(bad);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"schemaVersion": 1, "hosts": [{"id": "h1", "name": "hv1", "platform": "hyperv",
               "nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}],
               "teams": [{"id": "t", "name": "LAN", "members": ["n1"]}]}]})");
    f.close();
    r = ctl({QStringLiteral("validate"), bad});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.out.contains(QStringLiteral("TEAM-007  hv1 / LAN\n"))) << r.out.toStdString();
    EXPECT_TRUE(
        r.out.contains(QStringLiteral("source: 003_8b87448cefe986c9.txt §4.1.3 l.823-825")));
    r = ctl({QStringLiteral("validate"), bad, QStringLiteral("--severity"), QStringLiteral("error"),
             QStringLiteral("--format"), QStringLiteral("json")});
    EXPECT_EQ(r.code, 1);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    for (const QJsonValue v : o.value(QStringLiteral("findings")).toArray())
        EXPECT_EQ(v.toObject().value(QStringLiteral("severity")).toString(),
                  QStringLiteral("error"));
    EXPECT_EQ(
        ctl({QStringLiteral("validate"), bad, QStringLiteral("--format"), QStringLiteral("xml")})
            .code,
        2);
    EXPECT_EQ(ctl({QStringLiteral("validate"), bad, QStringLiteral("--severity")}).code, 2);
}

// The location and analysisTarget of rule `ruleId`'s result in `validate FILE --format sarif`.
std::pair<QJsonObject, QJsonObject> sarifLocation(const QString &file, const QString &ruleId)
{
    const Outcome r = ctl(
        {QStringLiteral("validate"), file, QStringLiteral("--format"), QStringLiteral("sarif")});
    EXPECT_EQ(r.code, 1) << r.err.toStdString();
    const QJsonArray results = QJsonDocument::fromJson(r.out.toUtf8())
                                   .object()
                                   .value(QStringLiteral("runs"))
                                   .toArray()
                                   .at(0)
                                   .toObject()
                                   .value(QStringLiteral("results"))
                                   .toArray();
    for (const QJsonValue &v : results) {
        const QJsonObject result = v.toObject();
        if (result.value(QStringLiteral("ruleId")).toString() == ruleId)
            return {result.value(QStringLiteral("locations")).toArray().at(0).toObject(),
                    result.value(QStringLiteral("analysisTarget")).toObject()};
    }
    ADD_FAILURE() << "no " << ruleId.toStdString() << " result for " << file.toStdString();
    return {};
}

QJsonObject regionOf(const QJsonObject &location)
{
    return location.value(QStringLiteral("physicalLocation"))
        .toObject()
        .value(QStringLiteral("region"))
        .toObject();
}

QJsonObject lineColumn(int line, int column)
{
    return {{QStringLiteral("startLine"), line}, {QStringLiteral("startColumn"), column}};
}

TEST(Convergectl, ValidateSarifPointsAtTheDocumentLineAndLocatesStoreResultsByElement)
{
    QTemporaryDir dir;
    const QString doc = dir.filePath(QStringLiteral("team.converge.json"));
    QFile f(doc);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("{\"schemaVersion\": 1,\r\n\"hosts\": [{\"id\": \"h1\", \"name\": \"hv1\","
            " \"platform\": \"hyperv\", \"hardwareVirtualization\": false,\r\n  \"nics\": "
            "[{\"id\": \"n1\", \"name\": \"eth1\","
            " \"interfaceName\": \"eth1\"}],\r\n\r\n  \"teams\": [\r\n    {\"id\": \"t\","
            " \"name\": \"LAN\", \"members\": [\"n1\"]}]}]}\r\n");
    f.close();
    const auto [team, noTarget] = sarifLocation(doc, QStringLiteral("TEAM-007"));
    EXPECT_EQ(regionOf(team), lineColumn(6, 5)) << "the team's '{', CR LF line ends";
    EXPECT_EQ(regionOf(sarifLocation(doc, QStringLiteral("HOST-001")).first), lineColumn(2, 11));
    EXPECT_EQ(QUrl(team.value(QStringLiteral("physicalLocation"))
                       .toObject()
                       .value(QStringLiteral("artifactLocation"))
                       .toObject()
                       .value(QStringLiteral("uri"))
                       .toString())
                  .toLocalFile(),
              doc);
    EXPECT_TRUE(noTarget.isEmpty());
    const QString db = dir.filePath(QStringLiteral("team.converge.db"));
    ASSERT_EQ(ctl({QStringLiteral("convert"), doc, db}).code, 0);
    const auto [logical, target] = sarifLocation(db, QStringLiteral("TEAM-007"));
    EXPECT_FALSE(logical.contains(QStringLiteral("physicalLocation")));
    EXPECT_EQ(logical.value(QStringLiteral("logicalLocations")).toArray().size(), 1);
    EXPECT_EQ(QUrl(target.value(QStringLiteral("uri")).toString()).toLocalFile(), db);
}

TEST(Convergectl, SchemaDocumentIsCurrent)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/docs/design-document.md"));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QString doc = QString::fromUtf8(f.readAll());
    const QString begin = QStringLiteral("<!-- BEGIN GENERATED SCHEMA -->\n");
    const auto from = doc.indexOf(begin) + begin.size();
    const auto to = doc.indexOf(QStringLiteral("<!-- END GENERATED SCHEMA -->"));
    ASSERT_GT(to, from);
    EXPECT_EQ(doc.mid(from, to - from), converge::core::schemaReferenceMarkdown())
        << "regenerate the reference in docs/design-document.md with docs/regenerate.sh";
}

TEST(Convergectl, RulesDocumentIsCurrent)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/docs/rules.md"));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QString doc = QString::fromUtf8(f.readAll());
    const QString begin = QStringLiteral("<!-- BEGIN GENERATED RULES -->\n");
    const auto from = doc.indexOf(begin) + begin.size();
    const auto to = doc.indexOf(QStringLiteral("<!-- END GENERATED RULES -->"));
    ASSERT_GT(to, from);
    const Outcome r =
        ctl({QStringLiteral("rules"), QStringLiteral("--format"), QStringLiteral("markdown")});
    ASSERT_EQ(r.code, 0);
    EXPECT_EQ(doc.mid(from, to - from), r.out)
        << "regenerate docs/rules.md with docs/regenerate.sh";
}

TEST(Converged, PrintsItsVersion)
{
    const Outcome r = run("converged", {QStringLiteral("--version")});
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(r.out.startsWith(QStringLiteral("converged " CONVERGE_VERSION)));
}
