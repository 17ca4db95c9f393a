// The ustar writer and reader: round trips (also through GNU tar), and the malformed or hostile
// archives the reader must refuse, each with the entry named.
#include "core/deploy/tar.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <cstring>

using namespace converge::core::deploy;

namespace {

const QString kLongPath = QStringLiteral("hosts/") + QString(80, QLatin1Char('d')) +
                          QStringLiteral("/") + QString(90, QLatin1Char('f'));

std::vector<TarFile> sampleFiles()
{
    QByteArray binary;
    for (int i = 0; i < 1300; ++i)
        binary.append(char(i * 7));
    return {{QStringLiteral("README.md"), "hello\n"},
            {QStringLiteral("hosts/hv01/apply.sh"), "#!/bin/sh\necho hi\n", 0755},
            {QStringLiteral("empty"), QByteArray()},
            {QStringLiteral("binary.bin"), binary},
            {kLongPath, "long\n"}};
}

// Rewrites the header checksum of the entry at OFFSET after a test changed the header.
void fixChecksum(QByteArray &tar, qsizetype offset)
{
    char *h = tar.data() + offset;
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; ++i)
        sum += static_cast<unsigned char>(h[i]);
    const QByteArray digits = QByteArray::number(sum, 8).rightJustified(6, '0');
    std::memcpy(h + 148, digits.constData(), 6);
    h[154] = '\0';
}

void setName(QByteArray &tar, qsizetype offset, const QByteArray &name)
{
    std::memset(tar.data() + offset, 0, 100);
    std::memcpy(tar.data() + offset, name.constData(), size_t(name.size()));
    fixChecksum(tar, offset);
}

QByteArray oneFile(const QString &path = QStringLiteral("a.txt"), const QByteArray &data = "abc")
{
    return *writeTar({{path, data}});
}

QString readError(const QByteArray &tar)
{
    auto r = readTar(tar);
    return r ? QString() : r.error().message;
}

} // namespace

TEST(Tar, RoundTripKeepsPathsDataModesAndOrder)
{
    auto tar = writeTar(sampleFiles(), 1700000000);
    ASSERT_TRUE(tar) << tar.error().message.toStdString();
    EXPECT_EQ(tar->size() % 512, 0);
    auto back = readTar(*tar);
    ASSERT_TRUE(back) << back.error().message.toStdString();
    EXPECT_EQ(*back, sampleFiles());
}

TEST(Tar, GnuTarReadsWhatWeWriteAndWeReadWhatItWrites)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString archive = dir.filePath(QStringLiteral("b.tar"));
    QFile f(archive);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(*writeTar(sampleFiles(), 1700000000));
    f.close();
    const QString out = dir.filePath(QStringLiteral("x"));
    QDir().mkpath(out);
    QProcess tar;
    tar.start(QStringLiteral("tar"), {QStringLiteral("-xf"), archive, QStringLiteral("-C"), out});
    ASSERT_TRUE(tar.waitForFinished(10000));
    ASSERT_EQ(tar.exitCode(), 0) << tar.readAllStandardError().toStdString();
    for (const TarFile &t : sampleFiles()) {
        QFile x(QDir(out).filePath(t.path));
        ASSERT_TRUE(x.open(QIODevice::ReadOnly)) << t.path.toStdString();
        EXPECT_EQ(x.readAll(), t.data) << t.path.toStdString();
    }
    EXPECT_TRUE(
        QFileInfo(QDir(out).filePath(QStringLiteral("hosts/hv01/apply.sh"))).isExecutable());

    // And back: GNU tar in ustar format, as an admin would repack a bundle.
    const QString repacked = dir.filePath(QStringLiteral("c.tar"));
    tar.start(QStringLiteral("tar"),
              {QStringLiteral("--format=ustar"), QStringLiteral("-cf"), repacked,
               QStringLiteral("-C"), out, QStringLiteral("README.md"), QStringLiteral("hosts")});
    ASSERT_TRUE(tar.waitForFinished(10000));
    ASSERT_EQ(tar.exitCode(), 0) << tar.readAllStandardError().toStdString();
    QFile c(repacked);
    ASSERT_TRUE(c.open(QIODevice::ReadOnly));
    auto files = readTar(c.readAll());
    ASSERT_TRUE(files) << files.error().message.toStdString();
    QStringList paths;
    for (const TarFile &t : *files)
        paths << t.path;
    EXPECT_TRUE(paths.contains(QStringLiteral("hosts/hv01/apply.sh")))
        << paths.join(u' ').toStdString();
    EXPECT_TRUE(paths.contains(kLongPath));
}

TEST(Tar, WriterRefusesPathsTheReaderWouldRefuse)
{
    for (const char *path : {"/etc/passwd", "../x", "a/../../b", "a//b", "./a", "", "a\\b"}) {
        auto r = writeTar({{QString::fromLatin1(path), "x"}});
        EXPECT_FALSE(r) << path;
    }
    EXPECT_FALSE(writeTar({{QStringLiteral("a"), "x"}, {QStringLiteral("a"), "y"}}));
    EXPECT_FALSE(writeTar({{QString(120, QLatin1Char('n')), "x"}})); // no '/' to split at
}

TEST(Tar, DamagedHeaderChecksumIsRefused)
{
    QByteArray tar = oneFile();
    tar[10] = 'X'; // inside the name, checksum not updated
    EXPECT_TRUE(readError(tar).contains(QStringLiteral("checksum")))
        << readError(tar).toStdString();
}

TEST(Tar, TruncatedArchivesAreRefusedNamingTheEntry)
{
    const QByteArray tar = *writeTar({{QStringLiteral("big.bin"), QByteArray(2000, 'b')}});
    EXPECT_TRUE(readError(tar.left(1024)).startsWith(QStringLiteral("big.bin: truncated")))
        << readError(tar.left(1024)).toStdString();
    EXPECT_TRUE(readError(tar.left(512 + 2048)).contains(QStringLiteral("no end-of-archive")));
    EXPECT_FALSE(readTar(QByteArray(100, 'x')));
}

TEST(Tar, AbsoluteAndParentPathsAreRefused)
{
    QByteArray tar = oneFile();
    setName(tar, 0, "/etc/cron.d/x");
    EXPECT_EQ(readError(tar), QStringLiteral("/etc/cron.d/x: absolute path"));
    setName(tar, 0, "hosts/../../x");
    EXPECT_EQ(readError(tar), QStringLiteral("hosts/../../x: \"..\" in the path"));
}

TEST(Tar, LinksDevicesAndFifosAreRefused)
{
    const QList<std::pair<char, QString>> kinds{
        {'1', QStringLiteral("a hard link")}, {'2', QStringLiteral("a symbolic link")},
        {'3', QStringLiteral("a device")},    {'4', QStringLiteral("a device")},
        {'6', QStringLiteral("a FIFO")},      {'x', QStringLiteral("an entry of type 'x'")}};
    for (const auto &[type, name] : kinds) {
        QByteArray tar = oneFile(QStringLiteral("hosts/hv01/apply.sh"));
        tar[156] = type;
        fixChecksum(tar, 0);
        EXPECT_EQ(readError(tar),
                  QStringLiteral("hosts/hv01/apply.sh: %1 (only regular files allowed)").arg(name));
    }
}

TEST(Tar, DuplicatePathsAreRefused)
{
    QByteArray tar = *writeTar({{QStringLiteral("a.txt"), "1"}, {QStringLiteral("b.txt"), "2"}});
    setName(tar, 1024, "a.txt"); // the second header
    EXPECT_EQ(readError(tar), QStringLiteral("a.txt: appears twice in the archive"));
}

TEST(Tar, SizesBeyondTheCapAreRefusedBeforeReading)
{
    QByteArray tar = oneFile(QStringLiteral("huge.bin"));
    const QByteArray size = QByteArray::number(qint64(65) * 1024 * 1024, 8).rightJustified(11, '0');
    std::memcpy(tar.data() + 124, size.constData(), 11);
    fixChecksum(tar, 0);
    EXPECT_EQ(readError(tar), QStringLiteral("huge.bin: the archive's files exceed 64 MiB"));
}

TEST(Tar, NonUstarHeadersAreRefused)
{
    QByteArray tar = oneFile();
    std::memcpy(tar.data() + 257, "xxxxx", 5);
    fixChecksum(tar, 0);
    EXPECT_EQ(readError(tar), QStringLiteral("entry at byte 0: not a ustar header"));
}
