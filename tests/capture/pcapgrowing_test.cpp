// PcapFile following a file another process appends to (setGrowing, refresh): a record or
// block cut off by the end of the file is "not yet" and is read once the rest is there; without
// setGrowing the same cut is an error naming its offset. And PcapWriter's files read back.
#include "captureframes.h"
#include "collectors/capture/pcapfile.h"
#include "collectors/capture/pcapwriter.h"

#include <QBuffer>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

bool appendTo(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::Append) && file.write(bytes) == bytes.size();
}

// The file's first half-written packet, then the rest: for pcap (both byte orders) and pcapng.
TEST(PcapGrowing, ACutOffLastPacketIsReadOnceTheRestArrives)
{
    const QByteArray frame = fixtures()[0].frame;
    for (bool pcapng : {false, true}) {
        for (bool big : {false, true}) {
            const CaptureWriter w(big);
            const QByteArray whole =
                pcapng ? w.pcapng({frame, frame}) : w.pcap({frame, frame}, false);
            QTemporaryDir dir;
            const QString path = dir.filePath(QStringLiteral("live"));
            const qsizetype cut = whole.size() - frame.size() / 2;
            ASSERT_TRUE(writeFile(path, whole.left(cut)));
            auto file = PcapFile::open(path);
            ASSERT_TRUE(file);
            file->setGrowing(true);
            auto first = file->next();
            ASSERT_TRUE(first && *first);
            auto notYet = file->next();
            ASSERT_TRUE(notYet) << notYet.error().message.toStdString();
            EXPECT_FALSE(*notYet);
            const qint64 complete = file->position();
            ASSERT_TRUE(appendTo(path, whole.mid(cut)));
            ASSERT_TRUE(file->refresh());
            EXPECT_EQ(file->size(), whole.size());
            auto second = file->next();
            ASSERT_TRUE(second && *second) << (pcapng ? "pcapng" : "pcap") << (big ? " big" : "");
            EXPECT_EQ((*second)->offset, complete);
            EXPECT_EQ(QByteArray(reinterpret_cast<const char *>((*second)->bytes.data()),
                                 qsizetype((*second)->bytes.size())),
                      frame);
            // Without setGrowing the cut is what it is in a finished file: an error.
            ASSERT_TRUE(writeFile(path, whole.left(cut)));
            auto finished = PcapFile::open(path);
            ASSERT_TRUE(finished && finished->next());
            auto broken = finished->next();
            ASSERT_FALSE(broken);
            EXPECT_TRUE(broken.error().message.contains(QStringLiteral("offset %1").arg(complete)))
                << broken.error().message.toStdString();
        }
    }
}

TEST(PcapGrowing, AFileThatShrankIsAnError)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.pcap"));
    const QByteArray whole = CaptureWriter(false).pcap({fixtures()[0].frame}, false);
    ASSERT_TRUE(writeFile(path, whole));
    auto file = PcapFile::open(path);
    ASSERT_TRUE(file);
    ASSERT_TRUE(writeFile(path, whole.left(24)));
    auto refreshed = file->refresh();
    ASSERT_FALSE(refreshed);
    EXPECT_TRUE(refreshed.error().message.contains(QLatin1String("shrank")));
}

TEST(PcapWriter, AFileOfTwoLinkTypesIsRefusedAtTheSecond)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    PcapWriter writer(&buffer, PcapFile::Format::Pcap);
    const QByteArray frame = fixtures()[0].frame;
    PcapPacket packet;
    packet.linkType = 1;
    packet.originalLength = quint32(frame.size());
    packet.bytes = {reinterpret_cast<const quint8 *>(frame.constData()), size_t(frame.size())};
    ASSERT_TRUE(writer.write(packet));
    packet.linkType = 113; // Linux cooked capture
    auto second = writer.write(packet);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message,
              QStringLiteral("packet 2 has link type 113, the file's is 1"));
}

} // namespace
