// The ring of pcapng files an offline capture writes (collectors::RingWriter): a new file at
// fileBytes or fileSeconds, the oldest deleted past `files`, each file readable alone (by our
// reader and by tshark), the capture over at durationSeconds, and a write error reported.
#include "collectors/capture/captureengine.h"
#include "collectors/capture/pcapfile.h"

#include "captureframes.h"
#include "capturetools.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QtEndian>

using namespace converge;
using namespace converge::capturetest;
using collectors::RingOptions;
using collectors::RingWriter;
namespace pcapng = collectors::pcapng;

namespace {

QByteArray header()
{
    collectors::PcapNgInterface i;
    i.name = QStringLiteral("vnet7");
    return pcapng::sectionHeader(QStringLiteral("ring test")) + pcapng::interfaceBlock(i);
}

// A 1000-byte frame whose last four bytes carry its sequence number.
QByteArray numbered(quint32 n)
{
    QByteArray f = ethernet(mac(2), mac(1), 0x0800,
                            ipv4(17, 0x0A000001, 0x0A000002, udp(1, 2, QByteArray(954, 'p'))));
    f.resize(996);
    f.append(char(n >> 24)).append(char(n >> 16)).append(char(n >> 8)).append(char(n));
    return f;
}

bool write(RingWriter &ring, quint32 n)
{
    const QByteArray f = numbered(n);
    return ring.packet(qint64(n) * 1000,
                       {reinterpret_cast<const quint8 *>(f.constData()), size_t(f.size())},
                       quint32(f.size()));
}

// The sequence numbers in FILE, read by PcapFile alone; empty with *error set when unreadable.
std::vector<quint32> numbersIn(const QString &file, QString *error)
{
    std::vector<quint32> out;
    auto pcap = collectors::PcapFile::open(file);
    if (!pcap) {
        *error = pcap.error().message;
        return out;
    }
    for (;;) {
        auto p = pcap->next();
        if (!p) {
            *error = p.error().message;
            return out;
        }
        if (!*p)
            return out;
        out.push_back(qFromBigEndian<quint32>((*p)->bytes.data() + (*p)->bytes.size() - 4));
    }
}

class Ring : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(dir.isValid());
        options.directory = dir.path();
        options.baseName = QStringLiteral("vm1-eth0");
        options.fileBytes = 64 * 1024;
        options.files = 3;
    }
    std::unique_ptr<RingWriter> make()
    {
        auto ring = RingWriter::create(options, header());
        EXPECT_TRUE(ring) << (ring ? "" : ring.error().message.toStdString());
        return ring ? std::move(*ring) : nullptr;
    }
    QString file(int n) const
    {
        return dir.filePath(QStringLiteral("vm1-eth0_%1.pcapng").arg(n, 5, 10, QLatin1Char('0')));
    }
    QTemporaryDir dir;
    RingOptions options;
};

} // namespace

TEST_F(Ring, RotatesBySizeKeepsTheNewestFilesAndEachReadsAlone)
{
    auto ring = make();
    ASSERT_TRUE(ring);
    // 300 blocks of 1032 bytes: 63 to a 64 KiB file, so five files; three kept.
    for (quint32 n = 0; n < 300; ++n) {
        ASSERT_TRUE(write(*ring, n)) << n;
        if (n % 50 == 0) {
            ASSERT_TRUE(ring->flush());
        }
    }
    ASSERT_TRUE(ring->finish(pcapng::statistics(0, 1, {})));
    EXPECT_EQ(ring->files(), (QStringList{file(3), file(4), file(5)}));
    EXPECT_FALSE(QFile::exists(file(1)));
    EXPECT_FALSE(QFile::exists(file(2)));
    EXPECT_FALSE(QFile::exists(file(6)));
    quint32 expected = 0;
    for (const QString &f : ring->files()) {
        EXPECT_LE(QFileInfo(f).size(), options.fileBytes) << f.toStdString();
        QString error;
        const auto numbers = numbersIn(f, &error);
        ASSERT_TRUE(error.isEmpty()) << f.toStdString() << ": " << error.toStdString();
        ASSERT_FALSE(numbers.empty());
        if (expected == 0)
            expected = numbers.front();
        for (const quint32 n : numbers)
            EXPECT_EQ(n, expected++) << "packets in order, none lost between files";
        if (QFile::exists(tsharkPath)) {
            const ToolRun r = runTool(tsharkPath, {QStringLiteral("-r"), f});
            EXPECT_EQ(r.exitCode, 0) << f.toStdString() << ": " << r.err.toStdString();
            EXPECT_EQ(r.out.count(QLatin1Char('\n')), qsizetype(numbers.size()));
        }
    }
    EXPECT_EQ(expected, 300u) << "the last file ends with the last packet";
}

TEST_F(Ring, OneFileRingKeepsOnlyTheNewest)
{
    options.files = 1;
    auto ring = make();
    ASSERT_TRUE(ring);
    for (quint32 n = 0; n < 200; ++n)
        ASSERT_TRUE(write(*ring, n));
    ASSERT_TRUE(ring->finish(pcapng::statistics(0, 1, {})));
    ASSERT_EQ(ring->files().size(), 1);
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files).size(), 1);
    QString error;
    const auto numbers = numbersIn(ring->files().front(), &error);
    ASSERT_TRUE(error.isEmpty()) << error.toStdString();
    ASSERT_FALSE(numbers.empty());
    EXPECT_EQ(numbers.back(), 199u);
}

TEST_F(Ring, FileSecondsStartsANewFileAtAFlush)
{
    options.fileSeconds = 1;
    auto ring = make();
    ASSERT_TRUE(ring);
    ASSERT_TRUE(write(*ring, 1));
    ASSERT_TRUE(ring->flush());
    EXPECT_EQ(ring->files().size(), 1);
    QThread::msleep(1100);
    ASSERT_TRUE(ring->flush());
    ASSERT_TRUE(write(*ring, 2));
    ASSERT_TRUE(ring->finish(pcapng::statistics(0, 1, {})));
    ASSERT_EQ(ring->files(), (QStringList{file(1), file(2)}));
    QString error;
    EXPECT_EQ(numbersIn(file(1), &error), std::vector<quint32>{1});
    EXPECT_EQ(numbersIn(file(2), &error), std::vector<quint32>{2});
    EXPECT_TRUE(error.isEmpty()) << error.toStdString();
}

TEST_F(Ring, AnIdleFileIsNotRotatedByTime)
{
    // An idle capture would otherwise replace real packets with empty files.
    options.fileSeconds = 1;
    auto ring = make();
    ASSERT_TRUE(ring);
    QThread::msleep(1100);
    ASSERT_TRUE(ring->flush());
    EXPECT_EQ(ring->files().size(), 1);
}

TEST_F(Ring, DurationEndsTheCaptureWithoutAnError)
{
    options.durationSeconds = 1;
    auto ring = make();
    ASSERT_TRUE(ring);
    ASSERT_TRUE(write(*ring, 1));
    EXPECT_TRUE(ring->flush());
    QThread::msleep(1100);
    EXPECT_FALSE(ring->flush());
    EXPECT_TRUE(ring->error().isEmpty()) << ring->error().toStdString();
    ASSERT_TRUE(ring->finish(pcapng::statistics(0, 1, {})));
    QString error;
    EXPECT_EQ(numbersIn(file(1), &error), std::vector<quint32>{1});
}

TEST_F(Ring, ARemovedDirectoryIsAWriteErrorThatSaysWhere)
{
    auto ring = make();
    ASSERT_TRUE(ring);
    ASSERT_TRUE(write(*ring, 0));
    ASSERT_TRUE(QDir(dir.path()).removeRecursively());
    bool refused = false;
    for (quint32 n = 1; n < 100 && !refused; ++n)
        refused = !write(*ring, n);
    EXPECT_TRUE(refused) << "the next file cannot be created: packets are refused";
    EXPECT_FALSE(ring->flush());
    const QString error = ring->error();
    EXPECT_TRUE(error.startsWith(QStringLiteral("cannot create ") + file(2)))
        << error.toStdString();
    EXPECT_TRUE(error.contains(QStringLiteral("No such file or directory"))) << error.toStdString();
    auto finished = ring->finish({});
    ASSERT_FALSE(finished);
    EXPECT_EQ(finished.error().message, error);
}

TEST_F(Ring, AnEarlierCapturesFilesAreNeverOverwritten)
{
    auto first = make();
    ASSERT_TRUE(first);
    ASSERT_TRUE(write(*first, 7));
    ASSERT_TRUE(first->finish({}));
    auto second = RingWriter::create(options, header());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message,
              QStringLiteral("ring: cannot create %1: File exists").arg(file(1)));
    QString error;
    EXPECT_EQ(numbersIn(file(1), &error), std::vector<quint32>{7});
}

TEST_F(Ring, CreateNamesTheBadOption)
{
    const auto rejection = [&](RingOptions o) {
        auto r = RingWriter::create(o, header());
        return r ? QStringLiteral("accepted") : r.error().message;
    };
    RingOptions o = options;
    o.baseName = QStringLiteral("../escape");
    EXPECT_TRUE(rejection(o).startsWith(QStringLiteral("ring.baseName: \"../escape\"")));
    o = options;
    o.baseName = QStringLiteral(".hidden");
    EXPECT_TRUE(rejection(o).startsWith(QStringLiteral("ring.baseName:")));
    o = options;
    o.directory = dir.filePath(QStringLiteral("missing"));
    EXPECT_EQ(rejection(o),
              QStringLiteral("ring.directory: \"%1\" is not a directory").arg(o.directory));
    o = options;
    o.fileBytes = 1000;
    EXPECT_EQ(rejection(o), QStringLiteral("ring.fileBytes: 1000 is not in 64 KiB-4 GiB"));
    o = options;
    o.files = 0;
    EXPECT_EQ(rejection(o), QStringLiteral("ring.files: 0 is not in 1-10000"));
    o = options;
    o.durationSeconds = -1;
    EXPECT_EQ(rejection(o), QStringLiteral("ring.durationSeconds: must not be negative"));
    EXPECT_TRUE(QDir(dir.path()).entryList(QDir::Files).isEmpty()) << "nothing created";
}
