// converged --apply-bundle with a file it must not read (issue 13): a huge (sparse) file and a
// device are refused before a byte is read, with what and why.
#include "collectors/agent/agentconfig.h"
#include "collectors/agent/bundleapply.h"

#include <gtest/gtest.h>

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

using namespace converge;

namespace {

collectors::AgentConfig configIn(const QTemporaryDir &dir)
{
    collectors::AgentConfig c;
    c.stateDir = dir.filePath(QStringLiteral("state"));
    c.bundleSigner = dir.filePath(QStringLiteral("signer.pub"));
    QFile key(c.bundleSigner);
    EXPECT_TRUE(key.open(QIODevice::WriteOnly));
    key.write("not checked before the bundle's size\n");
    return c;
}

} // namespace

TEST(ApplyBundle, AHugeFileIsRefusedBeforeItIsRead)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("huge.tar"));
    QFile huge(path);
    ASSERT_TRUE(huge.open(QIODevice::WriteOnly));
    ASSERT_TRUE(huge.resize(qint64(2) * 1024 * 1024 * 1024)) << "a sparse 2 GiB file";
    huge.close();
    QElapsedTimer t;
    t.start();
    auto r = collectors::applyBundle(configIn(dir), path, QStringLiteral("h1"));
    ASSERT_FALSE(r);
    EXPECT_LT(t.elapsed(), 1000) << "nothing was read";
    EXPECT_EQ(r.error().message,
              path + QStringLiteral(" is 2048.0 MiB; a bundle is at most 72.0 MiB"));
}

TEST(ApplyBundle, ADeviceIsNotABundle)
{
    QTemporaryDir dir;
    auto r =
        collectors::applyBundle(configIn(dir), QStringLiteral("/dev/zero"), QStringLiteral("h1"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, QStringLiteral("/dev/zero is not a regular file (a bundle is)"));
    auto missing = collectors::applyBundle(configIn(dir), dir.filePath(QStringLiteral("none.tar")),
                                           QStringLiteral("h1"));
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().message.contains(QLatin1String("no such file")));
}
