// The capture window's packet list (views/capture/packetlistmodel.h): rows from pcap and
// pcapng files, malformed rows coloured, a followed file's packets inserted in batches, the
// filter in slices, Save As in both formats.
#include "capturetestsupport.h"
#include "viewstestsupport.h"

#include "views/capture/packetlistmodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <malloc.h>

using converge::collectors::PacketSummary;
using converge::collectors::PcapFile;
using converge::collectors::Protocol;
using converge::views::capture::PacketListModel;
using namespace converge::views::test;
using namespace converge::capturetest;

namespace {

QString cell(const PacketListModel &model, int row, int column, int role = Qt::DisplayRole)
{
    return model.data(model.index(row, column), role).toString();
}

bool isUdp(const PacketSummary &s, std::span<const quint8>)
{
    return std::find(s.layers.begin(), s.layers.begin() + s.layerCount, Protocol::Udp) !=
           s.layers.begin() + s.layerCount;
}

class PacketListModelTest : public testing::Test
{
protected:
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    QTemporaryDir m_dir;
};

TEST_F(PacketListModelTest, ShowsEveryPacketOfAPcapAndAPcapng)
{
    const auto frames = fixtureFrames();
    ASSERT_TRUE(writeFile(path("a.pcap"), CaptureWriter(true).pcap(frames, false)));
    ASSERT_TRUE(writeFile(path("a.pcapng"), CaptureWriter(false).pcapng(frames, true)));
    for (const char *name : {"a.pcap", "a.pcapng"}) {
        PacketListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        ASSERT_TRUE(model.open(path(name))) << name;
        ASSERT_EQ(model.rowCount(), int(frames.size()));
        const int dns = fixtureRow("dns-query");
        EXPECT_EQ(cell(model, dns, PacketListModel::NumberColumn), QString::number(dns + 1));
        EXPECT_EQ(cell(model, dns, PacketListModel::SourceColumn), QStringLiteral("10.0.0.1"));
        EXPECT_EQ(cell(model, dns, PacketListModel::DestinationColumn),
                  QStringLiteral("10.0.0.53"));
        EXPECT_EQ(cell(model, dns, PacketListModel::ProtocolColumn), QStringLiteral("DNS"));
        EXPECT_EQ(cell(model, dns, PacketListModel::LengthColumn),
                  QString::number(frames[size_t(dns)].size()));
        EXPECT_TRUE(cell(model, dns, PacketListModel::InfoColumn)
                        .contains(QLatin1String("www.example.org")));
        EXPECT_EQ(cell(model, fixtureRow("vxlan-icmp"), PacketListModel::ProtocolColumn),
                  QStringLiteral("ICMP"));
        // The ping's own Info, not the outer UDP ports (its data is no protocol).
        EXPECT_EQ(cell(model, fixtureRow("vxlan-icmp"), PacketListModel::InfoColumn),
                  QStringLiteral("Echo (ping) request"));
        EXPECT_EQ(cell(model, 0, PacketListModel::TimeColumn), QStringLiteral("0.000000"));
        EXPECT_EQ(cell(model, 1, PacketListModel::TimeColumn),
                  QString::fromLatin1(name) == QLatin1String("a.pcap")
                      ? QStringLiteral("1.000000")
                      : QStringLiteral("0.000001"));
    }
}

TEST_F(PacketListModelTest, AMalformedRowIsColouredAsAnErrorWithWhatBrokeAsTooltip)
{
    ASSERT_TRUE(writeFile(path("a.pcapng"), mixedPcapng(12)));
    PacketListModel model;
    ASSERT_TRUE(model.open(path("a.pcapng")));
    const int bad = fixtureRow("truncated-ipv4"), good = fixtureRow("tcp-syn");
    const QVariant background = model.data(model.index(bad, 3), Qt::BackgroundRole);
    ASSERT_TRUE(background.canConvert<QColor>());
    const QColor colour = background.value<QColor>();
    EXPECT_GT(colour.red(), 200);
    EXPECT_LT(colour.green(), 150);
    // Readable: dark text on it.
    EXPECT_LT(model.data(model.index(bad, 3), Qt::ForegroundRole).value<QColor>().lightness(), 80);
    EXPECT_TRUE(cell(model, bad, 0, Qt::ToolTipRole)
                    .startsWith(QLatin1String("IPv4: header length 60 exceeds")));
    EXPECT_FALSE(model.data(model.index(good, 3), Qt::BackgroundRole).isValid());
    EXPECT_TRUE(cell(model, good, 0, Qt::ToolTipRole).isEmpty());
}

TEST_F(PacketListModelTest, AFileCutInTheMiddleShowsThePacketsBeforeAndSaysWhere)
{
    QByteArray bytes = mixedPcapng(5);
    bytes.chop(10);
    ASSERT_TRUE(writeFile(path("cut.pcapng"), bytes));
    PacketListModel model;
    ASSERT_TRUE(model.open(path("cut.pcapng")));
    EXPECT_EQ(model.rowCount(), 4);
    EXPECT_TRUE(model.warning().contains(QLatin1String("at offset")))
        << model.warning().toStdString();
    EXPECT_FALSE(model.open(path("missing.pcapng")));
    EXPECT_EQ(model.rowCount(), 4); // what it showed stays
}

// A live capture lands as a file the console appends to: three writes, three batches of rows
// (never a signal per packet), and a block cut off by the end of a write waits for the rest.
TEST_F(PacketListModelTest, FollowingAFileWrittenInThreeStepsInsertsThreeBatches)
{
    const CaptureWriter w(false);
    const auto frames = fixtureFrames();
    ASSERT_TRUE(writeFile(path("live.pcapng"), w.pcapng({})));
    PacketListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    ASSERT_TRUE(model.open(path("live.pcapng"), true));
    EXPECT_TRUE(model.isFollowing());
    QSignalSpy inserted(&model, &PacketListModel::rowsInserted);
    QSignalSpy errors(&model, &PacketListModel::errorOccurred);
    QByteArray blocks;
    std::vector<qsizetype> starts; // where each packet's block begins
    for (int i = 0; i < 13; ++i) {
        starts.push_back(blocks.size());
        blocks += w.enhanced(frames[size_t(i) % frames.size()], 1700000000000000000ULL + i);
    }
    // Step 1: five packets. Step 2: five more and the first 20 bytes of the eleventh.
    // Step 3: the rest.
    const qsizetype five = starts[5], cut = starts[10] + 20;
    ASSERT_TRUE(appendFile(path("live.pcapng"), blocks.left(five)));
    ASSERT_TRUE(QTest::qWaitFor([&] { return model.rowCount() == 5; }, 3000));
    ASSERT_TRUE(appendFile(path("live.pcapng"), blocks.mid(five, cut - five)));
    ASSERT_TRUE(QTest::qWaitFor([&] { return model.rowCount() == 10; }, 3000));
    QTest::qWait(250); // two more ticks with the cut-off block in the file
    EXPECT_EQ(model.rowCount(), 10);
    ASSERT_TRUE(appendFile(path("live.pcapng"), blocks.mid(cut)));
    ASSERT_TRUE(QTest::qWaitFor([&] { return model.rowCount() == 13; }, 3000));
    EXPECT_EQ(inserted.count(), 3);
    EXPECT_EQ(errors.count(), 0);
    EXPECT_EQ(cell(model, 12, PacketListModel::NumberColumn), QStringLiteral("13"));
}

// Closing a capture gives its records' memory back (24 bytes a packet), not only its rows: a
// window kept open after File > Close must not hold a million packets' worth.
TEST_F(PacketListModelTest, ClosingACaptureFreesItsRecords)
{
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "mallinfo2 does not see AddressSanitizer's allocator";
#else
    constexpr int packets = 200000;
    ASSERT_TRUE(writeFile(path("big.pcapng"), mixedPcapng(packets)));
    const auto heapInUse = [] {
        const struct mallinfo2 m = ::mallinfo2();
        return qint64(m.uordblks + m.hblkhd);
    };
    PacketListModel model;
    ASSERT_TRUE(model.open(path("big.pcapng")));
    ASSERT_EQ(model.rowCount(), packets);
    const qint64 open = heapInUse();
    model.close();
    EXPECT_EQ(model.rowCount(), 0);
    EXPECT_GE(open - heapInUse(), qint64(packets) * 24 * 9 / 10)
        << "closing kept the records' memory";
#endif
}

// The console creates the live file before the agent's first block lands.
TEST_F(PacketListModelTest, AFollowedFileWithoutItsHeaderYetIsReadOnceItComes)
{
    ASSERT_TRUE(writeFile(path("live.pcapng"), QByteArray()));
    PacketListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy errors(&model, &PacketListModel::errorOccurred);
    EXPECT_FALSE(model.open(path("live.pcapng"))) << "not followed: an empty file is an error";
    ASSERT_TRUE(model.open(path("live.pcapng"), true));
    EXPECT_EQ(model.rowCount(), 0);
    QTest::qWait(250);
    EXPECT_EQ(errors.count(), 0);
    ASSERT_TRUE(appendFile(path("live.pcapng"), mixedPcapng(3)));
    ASSERT_TRUE(QTest::qWaitFor([&] { return model.rowCount() == 3; }, 3000));
    // A file that is not a capture at all is an error once it is long enough to tell.
    ASSERT_TRUE(writeFile(path("junk"), QByteArray()));
    ASSERT_TRUE(model.open(path("junk"), true));
    ASSERT_TRUE(appendFile(path("junk"), QByteArray(64, 'x')));
    ASSERT_TRUE(QTest::qWaitFor([&] { return errors.count() == 1; }, 3000));
    EXPECT_FALSE(model.isFollowing());
    EXPECT_TRUE(errors.first().first().toString().contains(QLatin1String("neither a pcap nor")));
}

TEST_F(PacketListModelTest, TheFilterRunsInSlicesAndChangesTheRowsOnceWhenDone)
{
    const int count = 3 * PacketListModel::filterSlice + 7;
    ASSERT_TRUE(writeFile(path("big.pcapng"), mixedPcapng(count)));
    PacketListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    ASSERT_TRUE(model.open(path("big.pcapng")));
    QSignalSpy progress(&model, &PacketListModel::filterProgressed);
    QSignalSpy finished(&model, &PacketListModel::filterFinished);
    model.setFilter(isUdp);
    EXPECT_TRUE(model.isFiltering());
    EXPECT_EQ(model.rowCount(), count); // nothing changes until the filter is done
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() == 1; }, 10000));
    EXPECT_GE(progress.count(), 3); // the event loop ran between slices
    int udp = 0;
    for (int i = 0; i < count; ++i) {
        const QByteArray frame = fixtureFrames()[size_t(i) % 12];
        const auto s = converge::collectors::dissectSummary(
            {reinterpret_cast<const quint8 *>(frame.constData()), size_t(frame.size())});
        udp += isUdp(s, {}) ? 1 : 0;
    }
    EXPECT_EQ(model.rowCount(), udp);
    EXPECT_GT(udp, 0);
    for (int row = 0; row < std::min(model.rowCount(), 50); ++row)
        EXPECT_NE(cell(model, row, PacketListModel::ProtocolColumn), QStringLiteral("TCP"));
    const int dhcp = fixtureRow("dhcp-discover") + 1;
    EXPECT_EQ(model.packetNumber(model.rowOfPacket(dhcp)), dhcp);
    EXPECT_EQ(model.rowOfPacket(fixtureRow("tcp-syn") + 1), -1);
    model.setFilter({});
    EXPECT_EQ(model.rowCount(), count);
}

TEST_F(PacketListModelTest, FollowedPacketsThatTheFilterHidesAreNotInserted)
{
    const CaptureWriter w(false);
    const auto frames = fixtureFrames();
    ASSERT_TRUE(writeFile(path("live.pcapng"), w.pcapng({})));
    PacketListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    ASSERT_TRUE(model.open(path("live.pcapng"), true));
    model.setFilter(isUdp);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !model.isFiltering(); }, 3000));
    QByteArray blocks;
    for (size_t i = 0; i < frames.size(); ++i)
        blocks += w.enhanced(frames[i], 1700000000000000000ULL + i);
    ASSERT_TRUE(appendFile(path("live.pcapng"), blocks));
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return model.packetCount() == qint64(frames.size()); }, 3000));
    EXPECT_EQ(model.rowCount(), 4); // dns, dhcp, vxlan, nvgre's inner udp
    EXPECT_EQ(model.packetNumber(0), fixtureRow("dns-query") + 1);
}

TEST_F(PacketListModelTest, SaveAsPcapAndPcapngReadBackTheSamePackets)
{
    const auto frames = fixtureFrames();
    ASSERT_TRUE(writeFile(path("a.pcap"), CaptureWriter(true).pcap(frames, true)));
    PacketListModel model;
    ASSERT_TRUE(model.open(path("a.pcap")));
    for (auto [name, format] :
         {std::pair{"b.pcapng", PcapFile::Format::PcapNg}, {"b.pcap", PcapFile::Format::Pcap}}) {
        ASSERT_TRUE(model.saveAs(path(name), format)) << name;
        auto back = PcapFile::open(path(name));
        ASSERT_TRUE(back) << name;
        EXPECT_EQ(back->format(), format);
        for (size_t i = 0; i < frames.size(); ++i) {
            auto packet = back->next();
            ASSERT_TRUE(packet && *packet) << name << " packet " << i;
            const auto &p = **packet;
            EXPECT_EQ(QByteArray(reinterpret_cast<const char *>(p.bytes.data()),
                                 qsizetype(p.bytes.size())),
                      frames[i]);
            // pcap keeps microseconds: the fixture's 123456789 ns come back as 123456 µs.
            EXPECT_EQ(p.timestampNs,
                      (1700000000LL + qint64(i)) * 1000000000LL +
                          (format == PcapFile::Format::Pcap ? 123456000 : 123456789));
        }
        auto end = back->next();
        EXPECT_TRUE(end && !*end) << name;
    }
    // A pcapng saved as pcapng is a copy: every block kept, byte for byte.
    ASSERT_TRUE(writeFile(path("c.pcapng"), CaptureWriter(false).pcapng(frames, true)));
    ASSERT_TRUE(model.open(path("c.pcapng")));
    ASSERT_TRUE(model.saveAs(path("d.pcapng"), PcapFile::Format::PcapNg));
    QFile c(path("c.pcapng")), d(path("d.pcapng"));
    ASSERT_TRUE(c.open(QIODevice::ReadOnly) && d.open(QIODevice::ReadOnly));
    EXPECT_EQ(c.readAll(), d.readAll());
    EXPECT_FALSE(
        model.saveAs(m_dir.filePath(QStringLiteral("no/such/dir/e.pcap")), PcapFile::Format::Pcap));
}

} // namespace
