// PcapFile::fromBytes: the reader over bytes in memory reads what it reads from the file, and
// names the given name in its errors.
#include "captureframes.h"
#include "collectors/capture/pcapfile.h"

#include <gtest/gtest.h>

#include <QTemporaryDir>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

std::vector<QByteArray> frames()
{
    std::vector<QByteArray> out;
    for (const Fixture &f : fixtures())
        out.push_back(f.frame);
    return out;
}

} // namespace

TEST(PcapFileMemory, ReadsWhatTheFileReads)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QByteArray bytes = CaptureWriter(true).pcapng(frames(), true);
    const QString path = dir.filePath(QStringLiteral("f.pcapng"));
    ASSERT_TRUE(writeFile(path, bytes));
    auto file = PcapFile::open(path);
    auto memory = PcapFile::fromBytes(bytes);
    ASSERT_TRUE(file && memory);
    EXPECT_EQ(memory->format(), PcapFile::Format::PcapNg);
    const auto offsets = memory->index();
    ASSERT_TRUE(offsets);
    EXPECT_EQ(*offsets, *file->index());
    ASSERT_EQ(offsets->size(), frames().size());
    for (size_t i = 0; i < offsets->size(); ++i) {
        const auto a = file->readAt((*offsets)[i]);
        const auto b = memory->readAt((*offsets)[i]);
        ASSERT_TRUE(a && b);
        EXPECT_EQ(a->timestampNs, b->timestampNs);
        EXPECT_TRUE(std::ranges::equal(a->bytes, b->bytes));
        const QByteArray frame = frames()[i];
        EXPECT_EQ(
            QByteArray(reinterpret_cast<const char *>(b->bytes.data()), qsizetype(b->bytes.size())),
            frame);
    }
}

TEST(PcapFileMemory, ErrorsNameTheGivenName)
{
    QByteArray bytes = CaptureWriter(false).pcap(frames(), false);
    bytes.truncate(24 + 16 + 3); // the first record's bytes cut short
    auto memory = PcapFile::fromBytes(bytes, QStringLiteral("upload.pcap"));
    ASSERT_TRUE(memory);
    const auto next = memory->next();
    ASSERT_FALSE(next);
    EXPECT_TRUE(next.error().message.startsWith(QStringLiteral("upload.pcap: ")));
    EXPECT_TRUE(next.error().message.endsWith(QStringLiteral(", at offset 24")));
    EXPECT_EQ(PcapFile::fromBytes(QByteArray(5, 'x')).error().message,
              QStringLiteral("memory: 5 bytes are too short for pcap or pcapng"));
}
