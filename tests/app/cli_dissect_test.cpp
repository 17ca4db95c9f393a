// convergectl dissect (issue 16, "Ecosystem"), the real binary on capture files written here
// from the dissector fixtures: the packet list as text, every field as JSON, the display filter
// (the same frames as tshark's -Y), and errors that print nothing but where and what.
#include "captureframes.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace converge::capturetest;

namespace {

struct Outcome
{
    int code = -1;
    QString out;
    QString err;
};

Outcome run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

Outcome ctl(const QStringList &args)
{
    return run(QStringLiteral(CONVERGE_BINARY_DIR "/app/convergectl"), args);
}

const QString tsharkPath = QStringLiteral("/usr/bin/tshark");

// The frame numbers a listing shows: the first column of each line.
QStringList numbers(const QString &listing)
{
    QStringList out;
    for (const QString &line : listing.split(u'\n', Qt::SkipEmptyParts))
        out << line.simplified().section(u' ', 0, 0);
    return out;
}

class CliDissectTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        for (const Fixture &f : fixtures())
            m_frames.push_back(f.frame);
        m_pcap = m_dir.filePath(QStringLiteral("fixtures.pcap"));
        m_pcapng = m_dir.filePath(QStringLiteral("fixtures.pcapng"));
        ASSERT_TRUE(writeFile(m_pcap, CaptureWriter(false).pcap(m_frames, false)));
        ASSERT_TRUE(writeFile(m_pcapng, CaptureWriter(true).pcapng(m_frames, true)));
    }

    QTemporaryDir m_dir;
    std::vector<QByteArray> m_frames;
    QString m_pcap, m_pcapng;
};

} // namespace

TEST_F(CliDissectTest, TextIsOneLineAPacketLikeTshark)
{
    for (const QString &file : {m_pcap, m_pcapng}) {
        const Outcome r = ctl({QStringLiteral("dissect"), file});
        ASSERT_EQ(r.code, 0) << r.err.toStdString();
        EXPECT_TRUE(r.err.isEmpty());
        const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
        ASSERT_EQ(lines.size(), qsizetype(m_frames.size())) << r.out.toStdString();
        EXPECT_EQ(lines[0].simplified(),
                  QStringLiteral("1 0.000000 10.0.0.1 → 10.0.0.53 DNS 75 Standard query "
                                 "www.example.org"));
        EXPECT_EQ(
            lines[4].simplified(),
            QStringLiteral("5 %1 10.0.0.1 → 10.0.0.53 TCP 74 40000 → 80 [SYN]")
                .arg(file == m_pcap ? QStringLiteral("4.000000") : QStringLiteral("0.000004")));
        EXPECT_TRUE(lines[10].contains(QStringLiteral(
            "[Malformed Packet: IPv4: header length 60 exceeds the 34 bytes captured, at offset "
            "14]")));
    }
}

TEST_F(CliDissectTest, FilterShowsOnlyMatchingPacketsWithTheirFileNumbers)
{
    const Outcome r = ctl({QStringLiteral("dissect"), m_pcap, QStringLiteral("--filter"),
                           QStringLiteral("vlan or tcp.flags.syn == 1")});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(numbers(r.out), QStringList({"2", "3", "5"}));
    const Outcome none = ctl({QStringLiteral("dissect"), m_pcap, QStringLiteral("--filter"),
                              QStringLiteral("udp.port == 9")});
    EXPECT_EQ(none.code, 0);
    EXPECT_TRUE(none.out.isEmpty());
}

TEST_F(CliDissectTest, JsonHasEachPacketsSummaryAndProtocolTree)
{
    const Outcome r = ctl(
        {QStringLiteral("dissect"), m_pcap, QStringLiteral("--format"), QStringLiteral("json")});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    QJsonParseError error;
    const QJsonArray packets = QJsonDocument::fromJson(r.out.toUtf8(), &error).array();
    ASSERT_EQ(error.error, QJsonParseError::NoError) << error.errorString().toStdString();
    ASSERT_EQ(packets.size(), qsizetype(m_frames.size()));
    const QJsonObject dns = packets[0].toObject();
    EXPECT_EQ(dns[QStringLiteral("number")].toInt(), 1);
    EXPECT_EQ(dns[QStringLiteral("protocols")].toString(), QStringLiteral("eth:ip:udp:dns"));
    EXPECT_EQ(dns[QStringLiteral("dnsQueryName")].toString(), QStringLiteral("www.example.org"));
    EXPECT_EQ(dns[QStringLiteral("destinationPort")].toInt(), 53);
    QStringList layers;
    for (const QJsonValue &layer : dns[QStringLiteral("layers")].toArray()) {
        layers << layer[QStringLiteral("name")].toString();
        for (const QJsonValue &field : layer[QStringLiteral("fields")].toArray()) {
            const int offset = field[QStringLiteral("offset")].toInt();
            EXPECT_GE(offset, 0);
            EXPECT_LE(offset + field[QStringLiteral("length")].toInt(), m_frames[0].size());
        }
    }
    EXPECT_EQ(layers, QStringList({"eth", "ip", "udp", "dns"}));
    const QJsonObject vxlan = packets[6].toObject();
    EXPECT_EQ(vxlan[QStringLiteral("vni")].toInt(), 5001);
    const QJsonObject broken = packets[10].toObject();
    EXPECT_EQ(broken[QStringLiteral("malformed")][QStringLiteral("offset")].toInt(), 14);
    EXPECT_EQ(broken[QStringLiteral("layers")].toArray().last()[QStringLiteral("name")].toString(),
              QStringLiteral("Malformed Packet"));
    const Outcome filtered =
        ctl({QStringLiteral("dissect"), m_pcap, QStringLiteral("--format"), QStringLiteral("json"),
             QStringLiteral("--filter"), QStringLiteral("lldp")});
    const QJsonArray lldp = QJsonDocument::fromJson(filtered.out.toUtf8()).array();
    ASSERT_EQ(lldp.size(), 1);
    EXPECT_EQ(lldp[0][QStringLiteral("number")].toInt(), 9);
}

TEST_F(CliDissectTest, ErrorsSayWhereAndWhatAndPrintNothingElse)
{
    const QString missing = m_dir.filePath(QStringLiteral("missing.pcap"));
    const Outcome noFile = ctl({QStringLiteral("dissect"), missing});
    EXPECT_EQ(noFile.code, 2);
    EXPECT_TRUE(noFile.out.isEmpty());
    EXPECT_EQ(noFile.err, QStringLiteral("convergectl dissect: %1: cannot open: No such file or "
                                         "directory\n")
                              .arg(missing));

    // The third record says it holds 2 GiB: everything before it is fine, and is not printed.
    QByteArray bytes = CaptureWriter(false).pcap(m_frames, false);
    const qsizetype third = 24 + 16 + m_frames[0].size() + 16 + m_frames[1].size();
    bytes[third + 11] = char(0x7f);
    const QString corrupt = m_dir.filePath(QStringLiteral("corrupt.pcap"));
    ASSERT_TRUE(writeFile(corrupt, bytes));
    for (const char *format : {"text", "json"}) {
        const Outcome r = ctl({QStringLiteral("dissect"), corrupt, QStringLiteral("--format"),
                               QLatin1String(format)});
        EXPECT_EQ(r.code, 2);
        EXPECT_TRUE(r.out.isEmpty()) << r.out.toStdString();
        EXPECT_TRUE(r.err.endsWith(QStringLiteral(", at offset %1\n").arg(third)))
            << r.err.toStdString();
    }

    const Outcome badFilter = ctl({QStringLiteral("dissect"), m_pcap, QStringLiteral("--filter"),
                                   QStringLiteral("udp and ip.sorce == 10.0.0.1")});
    EXPECT_EQ(badFilter.code, 2);
    EXPECT_TRUE(badFilter.out.isEmpty());
    EXPECT_EQ(
        badFilter.err,
        QStringLiteral("convergectl dissect: --filter: column 9: unknown field 'ip.sorce'\n"));

    const Outcome badFormat =
        ctl({QStringLiteral("dissect"), m_pcap, QStringLiteral("--format"), QStringLiteral("xml")});
    EXPECT_EQ(badFormat.code, 2);
    EXPECT_TRUE(badFormat.out.isEmpty());
    EXPECT_TRUE(badFormat.err.startsWith(
        QStringLiteral("convergectl dissect: --format \"xml\": expected text or json\n")));
}

// The oracle: for each filter, the frames tshark -Y displays are the frames convergectl shows.
TEST_F(CliDissectTest, FilterShowsTheSameFramesAsTshark)
{
    if (!QFile::exists(tsharkPath))
        GTEST_SKIP()
            << "tshark is not installed (apt-get install tshark): no oracle to compare with";
    const QStringList filters = {
        QStringLiteral("udp.port == 53"),
        QStringLiteral("vlan.id == 100"),
        QStringLiteral("ip.addr == 192.168.0.0/16"),
        QStringLiteral("ip.addr == 10.0.0.0/8 and not icmp"),
        QStringLiteral("tcp.flags.syn == 1"),
        QStringLiteral("not arp"),
        QStringLiteral("ip.addr != 10.0.0.1"),
        QStringLiteral("udp.port == 4789 || gre.key == 1792005"),
        QStringLiteral("ieee8021ad.id == 200 or icmpv6.type == 135"),
        QStringLiteral("eth.dst == ff:ff:ff:ff:ff:ff and !vlan"),
        QStringLiteral("dns.qry.name contains \"example\" or dhcp.option.dhcp == 1"),
        QStringLiteral("tcp.port >= 3000 and tcp.flags.ack == 1"),
        QStringLiteral("_ws.malformed or lldp"),
        QStringLiteral("(icmp.type == 8 or arp.opcode == 1) and frame.len < 100"),
    };
    for (const QString &filter : filters) {
        const Outcome ours =
            ctl({QStringLiteral("dissect"), m_pcap, QStringLiteral("--filter"), filter});
        ASSERT_EQ(ours.code, 0) << ours.err.toStdString();
        const Outcome theirs =
            run(tsharkPath,
                {QStringLiteral("-r"), m_pcap, QStringLiteral("-Y"), filter, QStringLiteral("-T"),
                 QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("frame.number")});
        ASSERT_EQ(theirs.code, 0) << theirs.err.toStdString();
        EXPECT_FALSE(numbers(theirs.out).isEmpty()) << "a filter that shows nothing proves little";
        EXPECT_EQ(numbers(ours.out), numbers(theirs.out)) << filter.toStdString();
    }
}
