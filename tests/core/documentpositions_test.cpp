// Where elements start in a design document's text: the lines SARIF regions point code review at.
#include "printers.h"

#include "core/io/designdocument.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QRegularExpression>

using namespace converge::core;
using designdocument::elementPositions;

namespace {

// Line numbers on the right; a host, its NIC, a VM and the VM's vNIC (three levels deep).
const QByteArray layered = R"({
  "schemaVersion": 1,
  "name": "Layered",
  "hosts": [
    {
      "id": "h1",
      "name": "hv1", "platform": "hyperv",
      "nics": [
        {"id": "h1.eth1", "name": "eth1", "interfaceName": "eth1"}
      ],
      "vms": [
          {
            "name": "web",
            "vnics": [ {"id": "h1.web.lan", "name": "LAN"} ],
            "id": "h1.web"
          }
      ]
    }
  ],
  "subnets": [{"id": "s1", "name": "lan", "prefix": "10.0.0.0/24"}]
}
)";
//  line 5: host '{' at column 5; line 9: NIC at 9; line 12: VM at 11 (its id comes last);
//  line 14: vNIC at 24; line 20: subnet at 15.

TextPosition at(int line, int column)
{
    return {line, column};
}

void expectLoads(const QByteArray &json)
{
    const auto design = designdocument::load(json);
    ASSERT_TRUE(design) << design.error().message.toStdString();
}

} // namespace

TEST(DocumentPositions, ElementsAtEveryDepthStartWhereTheirObjectOpens)
{
    expectLoads(layered);
    const auto positions = elementPositions(layered);
    EXPECT_EQ(positions.size(), 5);
    EXPECT_EQ(positions.value(QStringLiteral("h1")), at(5, 5));
    EXPECT_EQ(positions.value(QStringLiteral("h1.eth1")), at(9, 9));
    EXPECT_EQ(positions.value(QStringLiteral("h1.web")), at(12, 11));
    EXPECT_EQ(positions.value(QStringLiteral("h1.web.lan")), at(14, 24));
    EXPECT_EQ(positions.value(QStringLiteral("s1")), at(20, 15));
}

TEST(DocumentPositions, CrLfLineEndsGiveTheSameLinesAndColumns)
{
    QByteArray crlf = layered;
    crlf.replace("\n", "\r\n");
    expectLoads(crlf);
    EXPECT_EQ(elementPositions(crlf), elementPositions(layered));
}

TEST(DocumentPositions, EscapesAndWideCharactersInStringsDoNotShiftColumns)
{
    // Quotes, brackets and backslashes inside strings are not structure; an escaped id is the
    // id the parser reads; columns count UTF-16 code units (é is 1, 😀 is 2).
    const QByteArray json =
        "{\"schemaVersion\": 1,\n"
        "\"hosts\": [{\"id\": \"h\\u0031\", \"name\": \"a \\\"}]{[\\\\\","
        " \"description\": \"\xC3\xA9\xF0\x9F\x98\x80\","
        " \"nics\": [{\"\\u0069d\": \"n1\", \"name\": \"e\\\\\", \"interfaceName\": \"eth1\"}],"
        " \"platform\": \"hyperv\"}]}\n";
    expectLoads(json);
    const auto positions = elementPositions(json);
    EXPECT_EQ(positions.keys().size(), 2);
    EXPECT_EQ(positions.value(QStringLiteral("h1")), at(2, 11));
    // "hosts": [{"id": "h\u0031", "name": "a \"}]{[\\", "description": "é😀", "nics": [{
    EXPECT_EQ(positions.value(QStringLiteral("n1")), at(2, 82));
}

TEST(DocumentPositions, ARawLineBreakInsideAStringStillEndsALine)
{
    // Qt's parser accepts a raw line break inside a string; the file has one more line.
    QByteArray json = layered;
    json.replace("\"name\": \"Layered\"", "\"name\": \"Lay\r\nered\"");
    expectLoads(json);
    const auto positions = elementPositions(json);
    EXPECT_EQ(positions.value(QStringLiteral("h1")), at(6, 5));
    EXPECT_EQ(positions.value(QStringLiteral("h1.web.lan")), at(15, 24));
}

TEST(DocumentPositions, AnElementMovedDownGetsItsNewLine)
{
    QByteArray moved = layered;
    moved.replace("      \"nics\": [\n",
                  "      \"description\": \"two lines\",\n      \"edition\": \"Standard\",\n"
                  "      \"nics\": [\n");
    expectLoads(moved);
    const auto positions = elementPositions(moved);
    EXPECT_EQ(positions.value(QStringLiteral("h1")), at(5, 5));
    EXPECT_EQ(positions.value(QStringLiteral("h1.eth1")), at(11, 9));
    EXPECT_EQ(positions.value(QStringLiteral("h1.web.lan")), at(16, 24));
}

TEST(DocumentPositions, ArraysAndObjectsThatAreNotElementsAreNotPlaced)
{
    // "id" members only count in element objects of the collections load() reads.
    const QByteArray json = R"({"schemaVersion": 1, "description": "{\"id\": \"fake\"}",
        "hosts": [{"id": "h", "name": "x", "nics": [],
                   "tags": [{"id": "notAnElement"}]}]})";
    const auto positions = elementPositions(json);
    EXPECT_EQ(positions.keys(), QList<QString>{QStringLiteral("h")});
}

TEST(DocumentPositions, EveryElementOfEverySampleIsPlacedOnItsOpeningBrace)
{
    const QDir samples(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples"));
    const auto files = samples.entryList({QStringLiteral("*.converge.json")});
    ASSERT_GE(files.size(), 5);
    for (const QString &name : files) {
        QFile file(samples.filePath(name));
        ASSERT_TRUE(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        const auto design = designdocument::load(text);
        ASSERT_TRUE(design) << name.toStdString();
        const auto positions = elementPositions(text);
        EXPECT_EQ(std::size_t(positions.size()), design->size()) << name.toStdString();
        const QList<QByteArray> lines = text.split('\n');
        for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
            // The samples are ASCII and saved with the id first: '{' then the id's member.
            const QByteArray from = lines.value(it->line - 1).mid(it->column - 1) + '\n' +
                                    lines.value(it->line).trimmed();
            const QRegularExpression opens(QStringLiteral(R"re(^\{\s*"id": "([^"]+)")re"));
            const auto match = opens.match(QString::fromUtf8(from));
            EXPECT_TRUE(match.hasMatch() && match.captured(1) == it.key())
                << name.toStdString() << ": " << it.key().toStdString() << " at line " << it->line
                << ", column " << it->column;
            EXPECT_TRUE(design->find(it.key())) << it.key().toStdString();
        }
    }
}
