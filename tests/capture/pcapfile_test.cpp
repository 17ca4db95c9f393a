// The pcap/pcapng reader: both formats in both byte orders, written here, read back packet by
// packet and by offset; a corrupt length is an error that names its file offset.
#include "captureframes.h"
#include "collectors/capture/pcapfile.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

std::vector<QByteArray> frames()
{
    std::vector<QByteArray> all;
    for (const Fixture &f : fixtures())
        all.push_back(f.frame);
    return all;
}

QByteArray bytesOf(const PcapPacket &p)
{
    return QByteArray(reinterpret_cast<const char *>(p.bytes.data()), qsizetype(p.bytes.size()));
}

// Reads the whole file and checks each packet, then reads them again by offset, last first.
void expectReadsBack(const QString &path, PcapFile::Format format, qint64 firstStampNs)
{
    auto file = PcapFile::open(path);
    ASSERT_TRUE(file) << file.error().message.toStdString();
    EXPECT_EQ(file->format(), format);
    const std::vector<QByteArray> expected = frames();
    std::vector<qint64> offsets;
    for (size_t i = 0;; ++i) {
        auto packet = file->next();
        ASSERT_TRUE(packet) << packet.error().message.toStdString();
        if (!*packet) {
            EXPECT_EQ(i, expected.size());
            break;
        }
        ASSERT_LT(i, expected.size());
        EXPECT_EQ(bytesOf(**packet), expected[i]) << "packet " << i;
        EXPECT_EQ((*packet)->linkType, 1);
        EXPECT_EQ((*packet)->originalLength, quint32(expected[i].size()));
        if (i == 0) {
            EXPECT_EQ((*packet)->timestampNs, firstStampNs);
        }
        offsets.push_back((*packet)->offset);
    }
    auto index = file->index();
    ASSERT_TRUE(index);
    EXPECT_EQ(*index, offsets);
    for (size_t i = offsets.size(); i-- > 0;) {
        auto packet = file->readAt(offsets[i]);
        ASSERT_TRUE(packet) << packet.error().message.toStdString();
        EXPECT_EQ(bytesOf(*packet), expected[i]);
    }
}

class PcapFileTest : public ::testing::Test
{
protected:
    QString write(const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(QStringLiteral("f%1").arg(++m_count));
        EXPECT_TRUE(writeFile(path, bytes));
        return path;
    }
    QTemporaryDir m_dir;
    int m_count = 0;
};

} // namespace

TEST_F(PcapFileTest, PcapInBothByteOrdersAndResolutions)
{
    for (bool big : {false, true}) {
        const CaptureWriter w(big);
        expectReadsBack(write(w.pcap(frames(), false)), PcapFile::Format::Pcap,
                        1700000000LL * 1000000000 + 123456000);
        expectReadsBack(write(w.pcap(frames(), true)), PcapFile::Format::Pcap,
                        1700000000LL * 1000000000 + 123456789);
    }
}

TEST_F(PcapFileTest, PcapNgInBothByteOrdersWithSimpleAndUnknownBlocks)
{
    // The writer's interface says if_tsresol 9 (nanoseconds); its unknown block is skipped.
    for (bool big : {false, true}) {
        const CaptureWriter w(big);
        expectReadsBack(write(w.pcapng(frames(), false)), PcapFile::Format::PcapNg,
                        1700000000000000000LL);
        expectReadsBack(write(w.pcapng(frames(), true)), PcapFile::Format::PcapNg,
                        1700000000000000000LL);
    }
}

TEST_F(PcapFileTest, CorruptBlockLengthNamesTheOffset)
{
    const CaptureWriter w(false);
    QByteArray bytes = w.pcapng(frames());
    // The first packet block follows the SHB (28), the IDB (32) and the unknown block (20).
    const qint64 at = 28 + 32 + 20;
    bytes[at + 4] = char(0x0d); // a length that is not a multiple of 4
    const QString path = write(bytes);
    auto file = PcapFile::open(path);
    ASSERT_TRUE(file);
    auto packet = file->next();
    ASSERT_FALSE(packet);
    EXPECT_TRUE(packet.error().message.endsWith(QStringLiteral(", at offset %1").arg(at)))
        << packet.error().message.toStdString();
    EXPECT_TRUE(packet.error().message.contains(QStringLiteral("block length")));
}

TEST_F(PcapFileTest, PcapRecordPastTheEndIsAnError)
{
    QByteArray bytes = CaptureWriter(true).pcap(frames(), false);
    bytes.chop(5);
    auto file = PcapFile::open(write(bytes));
    ASSERT_TRUE(file);
    auto index = file->index();
    ASSERT_FALSE(index);
    EXPECT_TRUE(index.error().message.contains(QStringLiteral("exceeds the")))
        << index.error().message.toStdString();
}

TEST_F(PcapFileTest, NotACaptureIsRefused)
{
    auto file = PcapFile::open(write(QByteArray("this is not a capture file at all")));
    ASSERT_FALSE(file);
    EXPECT_TRUE(file.error().message.contains(QStringLiteral("neither a pcap nor a pcapng")))
        << file.error().message.toStdString();
}

TEST_F(PcapFileTest, EveryPrefixOfAFileReadsOrFailsCleanly)
{
    const QByteArray whole = CaptureWriter(false).pcapng(frames(), true);
    for (qsizetype length = 0; length < whole.size(); length += 7) {
        auto file = PcapFile::open(write(whole.left(length)));
        if (!file)
            continue;
        auto index = file->index();
        if (index) {
            EXPECT_LT(index->size(), frames().size()) << "cut at " << length;
        }
    }
}
