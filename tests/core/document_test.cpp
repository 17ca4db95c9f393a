#include "fixtures.h"
#include "printers.h"

#include "generator/designgenerator.h"

#include "core/io/designdocument.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace converge::core;

namespace {

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// The small fixture with one textual replacement, to make each malformed case.
QByteArray smallWith(const char *from, const char *to)
{
    QByteArray doc = smallDocument();
    const qsizetype at = doc.indexOf(from);
    EXPECT_GE(at, 0) << "fixture lacks " << from;
    return doc.replace(at, qstrlen(from), to);
}

struct Malformed
{
    const char *name;
    QByteArray document;
    const char *error;
};

std::vector<Malformed> malformedCases()
{
    return {
        {"NotJson", "{\"schemaVersion\": 1,\n  \"hosts\": [",
         "$: not valid JSON at line 2, column 13: unterminated array"},
        {"NotAnObject", "[1, 2]", "$: expected an object (a design document)"},
        {"NoSchemaVersion", "{\"name\": \"x\"}", "$.schemaVersion: missing (required)"},
        {"SchemaVersionText", "{\"schemaVersion\": \"1\"}",
         "$.schemaVersion: expected a positive integer"},
        {"UnknownTopLevelKey", "{\"schemaVersion\": 1, \"hostz\": []}", "$.hostz: unknown key"},
        {"HostsNotArray", "{\"schemaVersion\": 1, \"hosts\": {}}", "$.hosts: expected an array"},
        {"HostNotObject", "{\"schemaVersion\": 1, \"hosts\": [42]}",
         "$.hosts[0]: expected an object (a Host)"},
        {"NegativeSpeed",
         smallWith("\"interfaceName\": \"eth2\", \"speed\": 10000000000",
                   "\"interfaceName\": \"eth2\", \"speed\": -5"),
         "$.hosts[0].nics[1].speed: expected a positive number (bits per second)"},
        {"PositionNotAPair",
         smallWith("\"name\": \"hv1\", ", "\"name\": \"hv1\", \"position\": [5], "),
         "$.hosts[0].position: expected [x, y], two numbers -10000000 to 10000000"},
        {"MissingId", smallWith("{\"id\": \"sw1\", ", "{"),
         "$.physicalSwitches[0].id: missing (every element needs an id)"},
        {"BadId", smallWith("\"id\": \"l2\"", "\"id\": \"cable two\""),
         "$.links[1].id: expected an id of 1-64 letters, digits or _.:- starting with a letter or "
         "digit"},
        {"DuplicateId", smallWith("\"id\": \"l2\"", "\"id\": \"h1.eth1\""),
         "$.links[1].id: duplicate id 'h1.eth1' (first used at $.hosts[0].nics[0])"},
        {"MissingRequiredName", smallWith("\"name\": \"hv1\", ", ""),
         "$.hosts[0].name: missing (required for a Host)"},
        {"UnknownProperty", smallWith("\"vcpus\": 2", "\"vcpu\": 2"),
         "$.hosts[0].vms[0].vcpu: unknown property of a VirtualMachine"},
        {"BadEnum", smallWith("\"type\": \"External\"", "\"type\": \"external\""),
         "$.hosts[0].switches[0].type: expected one of External, Internal, Private"},
        {"BadAddress", smallWith("10.127.4.50/22", "10.127.4.500/22"),
         "$.hosts[0].vnics[0].addresses: expected an array of IP prefixes such as 10.0.0.5/24"},
        {"BadGateway", smallWith("\"gateway\": \"10.127.4.1\"", "\"gateway\": \"10.127.4.1/22\""),
         "$.hosts[0].vnics[0].gateway: expected an IP address"},
        {"WeightOutOfRange", smallWith("\"defaultFlowWeight\": 40", "\"defaultFlowWeight\": 140"),
         "$.hosts[0].switches[0].defaultFlowWeight: expected an integer 0-100"},
        {"DanglingReference", smallWith("\"uplink\": \"h1.team\"", "\"uplink\": \"h1.team9\""),
         "$.hosts[0].switches[0].uplink: no element with id 'h1.team9'"},
        {"ReferenceOfWrongKind",
         smallWith("\"destination\": \"h1.mgmt\"", "\"destination\": \"h1.eth1\""),
         "$.mirrorSessions[0].destination: 'h1.eth1' is a PhysicalNic, expected a VirtualNic"},
        {"DuplicateTeamMember",
         smallWith("[\"h1.eth1\", \"h1.eth2\"]", "[\"h1.eth1\", \"h1.eth1\"]"),
         "$.hosts[0].teams[0].members: duplicate entry h1.eth1 in the list"},
        {"BadAclRecord", smallWith("\"action\": \"Deny\"", "\"action\": \"Drop\""),
         "$.hosts[0].vms[0].vnics[0].acls[0].action: expected one of Allow, Deny, Meter"},
        {"AclMissingDirection", smallWith("\"direction\": \"Inbound\", ", ""),
         "$.hosts[0].vms[0].vnics[0].acls[0].direction: missing (required)"},
        {"VlanListOutOfRange",
         smallWith("\"allowedVlans\": [1, 10]}", "\"allowedVlans\": [1, 5000]}"),
         "$.physicalSwitches[0].ports[0].allowedVlans: expected an array of integers 0-4095"},
        {"ChildUnderWrongOwner", smallWith("\"ports\": [", "\"nics\": ["),
         "$.physicalSwitches[0].nics: unknown property of a PhysicalSwitch"},
        {"NameNotString", "{\"schemaVersion\": 1, \"name\": 7}", "$.name: expected a string"},
    };
}

void PrintTo(const Malformed &m, std::ostream *os)
{
    *os << m.name;
}

class MalformedDocument : public testing::TestWithParam<Malformed>
{
};

} // namespace

TEST(Document, SmallFixtureLoads)
{
    auto d = designdocument::load(smallDocument());
    ASSERT_TRUE(d) << d.error().message.toStdString();
    EXPECT_EQ(d->size(), 14u);
    EXPECT_EQ(d->info().value(QStringLiteral("name")).toString(), QStringLiteral("Small"));
}

TEST_P(MalformedDocument, IsRefusedWithThePathAndTheProblem)
{
    const auto result = designdocument::load(GetParam().document);
    ASSERT_FALSE(result) << "a malformed document loaded";
    EXPECT_EQ(result.error().code, Error::Code::InvalidInput);
    EXPECT_EQ(result.error().message, QString::fromUtf8(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedDocument, testing::ValuesIn(malformedCases()),
                         [](const auto &p) { return std::string(p.param.name); });

TEST(Document, NewerSchemaVersionIsRefusedSayingSo)
{
    const auto result = designdocument::load("{\"schemaVersion\": 7, \"futureThing\": {}}");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Error::Code::NewerSchema);
    EXPECT_EQ(result.error().message,
              QStringLiteral("$.schemaVersion: the document uses schema version 7, newer than this "
                             "Converge reads (up to 1); open it with a newer Converge"));
}

TEST(Document, SaveOfLoadIsTheSameDocument)
{
    auto d = designdocument::load(smallDocument());
    ASSERT_TRUE(d);
    const QByteArray saved = designdocument::save(*d);
    EXPECT_EQ(parse(saved), parse(smallDocument()));
    auto again = designdocument::load(saved);
    ASSERT_TRUE(again);
    EXPECT_EQ(designdocument::save(*again), saved) << "saving is stable";
}

TEST(Document, SavedDocumentPutsIdsAndNamesFirst)
{
    auto d = designdocument::load(smallDocument());
    ASSERT_TRUE(d);
    const QByteArray saved = designdocument::save(*d);
    EXPECT_TRUE(saved.startsWith("{\n  \"schemaVersion\": 1,\n  \"name\": \"Small\",\n"));
    EXPECT_TRUE(saved.contains("{\n      \"id\": \"h1\",\n      \"name\": \"hv1\",\n"));
}

TEST(Document, GeneratedDesignRoundTripsPropertyByProperty)
{
    const Design generated = converge::bench::generateDesign(3, 4);
    const QByteArray saved = designdocument::save(generated);
    auto loaded = designdocument::load(saved);
    ASSERT_TRUE(loaded) << loaded.error().message.toStdString();
    ASSERT_EQ(loaded->size(), generated.size());
    for (const Element *e : generated.allElements()) {
        const Element *l = loaded->find(e->id);
        ASSERT_NE(l, nullptr) << e->id.toStdString();
        EXPECT_EQ(l->kind, e->kind);
        EXPECT_EQ(l->parent, e->parent);
        EXPECT_EQ(l->props, e->props) << e->id.toStdString();
    }
    EXPECT_EQ(designdocument::save(*loaded), saved);
}

TEST(Document, NothingIsWrittenWhenTheTargetCannotBeSaved)
{
    auto d = designdocument::load(smallDocument());
    ASSERT_TRUE(d);
    const auto result =
        designdocument::saveFile(*d, QStringLiteral("/nonexistent-dir/x.converge.json"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Error::Code::Io);
    EXPECT_TRUE(result.error().message.startsWith(
        QStringLiteral("/nonexistent-dir/x.converge.json: cannot save")));
}

TEST(Document, LoadFileNamesTheFileInErrors)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("broken.converge.json"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("{\"schemaVersion\": 1, \"hosts\": [{\"id\": \"h\", \"name\": \"h\", \"platform\": "
            "\"esx\"}]}");
    f.close();
    const auto result = designdocument::loadFile(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message,
              path + QStringLiteral(": $.hosts[0].platform: expected one of linux-ovs, hyperv"));
    EXPECT_FALSE(designdocument::loadFile(dir.filePath(QStringLiteral("missing.converge.json"))));
}
