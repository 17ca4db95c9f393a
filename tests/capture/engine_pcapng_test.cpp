// The pcapng blocks the agent writes (collectors::pcapng), read back by our PcapFile and by
// tshark and capinfos (Debian's, the oracle; skipped with a message when not installed):
// packets, nanosecond timestamps, the interface's name, description and filter, the capture's
// comment, the names of addresses, the statistics.
#include "collectors/capture/captureengine.h"
#include "collectors/capture/pcapfile.h"

#include "captureframes.h"
#include "capturetools.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>
#include <QtEndian>

using namespace converge;
using namespace converge::capturetest;
namespace pcapng = collectors::pcapng;

namespace {

const QString kComment = QStringLiteral("host h1, VM web1, vNIC eth0, filter: udp port 53");
const QString kDescription = QStringLiteral("host h1, VM web1, vNIC eth0 (port vnet3)");
constexpr qint64 kStart = 1'700'000'000'123'456'789;

QByteArray udpFrame(quint32 src, quint32 dst, quint16 dport, int payload)
{
    return ethernet(mac(2), mac(1), 0x0800,
                    ipv4(17, src, dst, udp(40000, dport, QByteArray(payload, 'x'))));
}

std::span<const quint8> span(const QByteArray &b)
{
    return {reinterpret_cast<const quint8 *>(b.constData()), size_t(b.size())};
}

struct Written
{
    QByteArray file;
    std::vector<QByteArray> frames; // as captured (the last one cut to 20 bytes)
    std::vector<qint64> stamps;
};

// Five frames of every padding remainder, one cut short by the snap length, after the blocks
// a capture file starts with; the statistics block last.
Written capture()
{
    Written w;
    w.file = pcapng::sectionHeader(kComment);
    collectors::PcapNgInterface i;
    i.name = QStringLiteral("vnet3");
    i.description = kDescription;
    i.filter = QStringLiteral("(udp) and (port 53)");
    w.file += pcapng::interfaceBlock(i);
    w.file += pcapng::nameResolution({{QStringLiteral("192.0.2.7"), QStringLiteral("web1.example")},
                                      {QStringLiteral("not an address"), QStringLiteral("x")},
                                      {QStringLiteral("2001:db8::7"), QStringLiteral("web1v6")}});
    for (int n = 0; n < 5; ++n) {
        w.frames.push_back(udpFrame(0xC0000207, 0xC0000208, 53, n));
        w.stamps.push_back(kStart + qint64(n) * 1'000'000'001);
    }
    for (size_t n = 0; n < w.frames.size(); ++n)
        pcapng::appendPacket(w.file, w.stamps[n], span(w.frames[n]), quint32(w.frames[n].size()));
    const QByteArray whole = udpFrame(0xC0000208, 0xC0000207, 53, 100);
    w.frames.push_back(whole.left(20));
    w.stamps.push_back(kStart + 9'000'000'000);
    pcapng::appendPacket(w.file, w.stamps.back(), span(w.frames.back()), quint32(whole.size()));
    w.file += pcapng::statistics(kStart - 1, kStart + 10'000'000'000,
                                 collectors::CaptureCounters{6, 400, 5, 3});
    return w;
}

bool haveTshark()
{
    return QFile::exists(tsharkPath);
}

// The options of the file's interface statistics block: code -> value.
std::map<quint16, QByteArray> statisticsOptions(const QByteArray &file)
{
    std::map<quint16, QByteArray> out;
    qsizetype at = 0;
    while (at + 12 <= file.size()) {
        const quint32 type = qFromLittleEndian<quint32>(file.constData() + at);
        const quint32 length = qFromLittleEndian<quint32>(file.constData() + at + 4);
        if (length < 12 || at + length > file.size())
            break;
        for (qsizetype o = at + 8 + 12; type == 5 && o + 4 <= at + length - 4;) {
            const quint16 code = qFromLittleEndian<quint16>(file.constData() + o);
            const quint16 size = qFromLittleEndian<quint16>(file.constData() + o + 2);
            out[code] = file.mid(o + 4, size);
            o += 4 + ((size + 3) & ~3);
        }
        at += length;
    }
    return out;
}

quint64 u64(const QByteArray &b)
{
    return b.size() == 8 ? qFromLittleEndian<quint64>(b.constData()) : ~0ull;
}

class PcapNgWritten : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(dir.isValid());
        written = capture();
        path = dir.filePath(QStringLiteral("c.pcapng"));
        ASSERT_TRUE(writeFile(path, written.file));
    }
    QTemporaryDir dir;
    Written written;
    QString path;
};

} // namespace

TEST_F(PcapNgWritten, EveryBlockIsPaddedAndFramedByItsLength)
{
    EXPECT_EQ(written.file.size() % 4, 0);
    QByteArray one;
    const QByteArray odd(61, '\x5a');
    pcapng::appendPacket(one, 1, span(odd), 61);
    ASSERT_EQ(one.size(), 32 + 64);
    EXPECT_EQ(qFromLittleEndian<quint32>(one.constData() + 4), 96u);
    EXPECT_EQ(qFromLittleEndian<quint32>(one.constData() + 92), 96u);
    EXPECT_EQ(one.mid(28 + 61, 3), QByteArray(3, '\0'));
    EXPECT_TRUE(pcapng::nameResolution({}).isEmpty());
    EXPECT_TRUE(
        pcapng::nameResolution({{QStringLiteral("10.0.0.300"), QStringLiteral("a")}}).isEmpty());
}

TEST_F(PcapNgWritten, OurReaderGetsPacketsAndNanosecondStampsBack)
{
    auto file = collectors::PcapFile::open(path);
    ASSERT_TRUE(file) << file.error().message.toStdString();
    EXPECT_EQ(file->format(), collectors::PcapFile::Format::PcapNg);
    for (size_t n = 0; n < written.frames.size(); ++n) {
        auto p = file->next();
        ASSERT_TRUE(p && *p) << "packet " << n;
        EXPECT_EQ((*p)->timestampNs, written.stamps[n]);
        EXPECT_EQ((*p)->linkType, 1);
        const QByteArray bytes(reinterpret_cast<const char *>((*p)->bytes.data()),
                               qsizetype((*p)->bytes.size()));
        EXPECT_EQ(bytes, written.frames[n]) << "packet " << n;
    }
    auto end = file->next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(end->has_value());
}

TEST_F(PcapNgWritten, TsharkReadsPacketsStampsAndTheInterface)
{
    if (!haveTshark())
        GTEST_SKIP()
            << "tshark is not installed (apt-get install tshark): no oracle to compare with";
    QString error;
    const auto rows =
        tsharkFields(path,
                     {QStringLiteral("frame.time_epoch"), QStringLiteral("frame.len"),
                      QStringLiteral("frame.cap_len"), QStringLiteral("frame.interface_name"),
                      QStringLiteral("frame.interface_description")},
                     {}, &error);
    ASSERT_TRUE(error.isEmpty()) << error.toStdString();
    ASSERT_EQ(rows.size(), written.frames.size());
    for (size_t n = 0; n < rows.size(); ++n) {
        const qint64 ns = written.stamps[n];
        const QString stamp = QStringLiteral("%1.%2")
                                  .arg(ns / 1'000'000'000)
                                  .arg(ns % 1'000'000'000, 9, 10, QLatin1Char('0'));
        EXPECT_EQ(rows[n].value(0), stamp) << "packet " << n;
        EXPECT_EQ(rows[n].value(2).toInt(), written.frames[n].size()) << "packet " << n;
        EXPECT_EQ(rows[n].value(3), QStringLiteral("vnet3"));
        EXPECT_EQ(rows[n].value(4), kDescription);
    }
    EXPECT_EQ(rows.back().value(1).toInt(), 142) << "the original length of the cut frame";
}

TEST_F(PcapNgWritten, TsharkNamesAddressesFromTheNameResolutionBlock)
{
    if (!haveTshark())
        GTEST_SKIP()
            << "tshark is not installed (apt-get install tshark): no oracle to compare with";
    // -N n: names from the file only (no DNS lookups); the destination has no name.
    const auto rows =
        tsharkFields(path, {QStringLiteral("ip.src_host"), QStringLiteral("ip.dst_host")},
                     {QStringLiteral("-N"), QStringLiteral("n")});
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.front().value(0), QStringLiteral("web1.example"));
    EXPECT_EQ(rows.front().value(1), QStringLiteral("192.0.2.8"));
}

TEST_F(PcapNgWritten, CapinfosReadsTheCommentFilterAndStatistics)
{
    if (!QFile::exists(QStringLiteral("/usr/bin/capinfos")))
        GTEST_SKIP() << "capinfos is not installed (apt-get install tshark): no oracle";
    const ToolRun r = runTool(QStringLiteral("/usr/bin/capinfos"), {path});
    ASSERT_EQ(r.exitCode, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral("Capture comment:     ") + kComment))
        << r.out.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral("Capture application: converged ")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("Capture oper-sys:    Linux")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("Filter string = (udp) and (port 53)")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("Time precision = nanoseconds (9)")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("Number of stat entries = 1")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("Number of resolved IPv4 addresses in file: 1")));
    EXPECT_TRUE(r.out.contains(QStringLiteral("Number of resolved IPv6 addresses in file: 1")));
}

TEST_F(PcapNgWritten, TheStatisticsBlockHoldsTheCounters)
{
    // capinfos counts the block but prints none of its values: read them here.
    const auto options = statisticsOptions(written.file);
    ASSERT_EQ(options.count(4), 1u) << "isb_ifrecv";
    EXPECT_EQ(u64(options.at(4)), 6u + 5u + 3u); // kept + dropped by the kernel + by us
    EXPECT_EQ(u64(options.at(5)), 5u);           // isb_ifdrop: the kernel's
    EXPECT_EQ(u64(options.at(7)), 3u);           // isb_osdrop: ours
    EXPECT_EQ(u64(options.at(8)), 6u);           // isb_usrdeliv
    const auto stampOf = [](const QByteArray &b) {
        return qint64(quint64(qFromLittleEndian<quint32>(b.constData())) << 32 |
                      qFromLittleEndian<quint32>(b.constData() + 4));
    };
    ASSERT_EQ(options.at(2).size(), 8);
    EXPECT_EQ(stampOf(options.at(2)), kStart - 1);
    EXPECT_EQ(stampOf(options.at(3)), kStart + 10'000'000'000);
}
