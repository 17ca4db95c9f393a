// Golden bundle scripts: every sample design's apply.ps1 per host, and the linux-ovs lab
// design's apply.sh, compared byte for byte with tests/deploy/golden/. After an intended change,
// regenerate with CONVERGE_UPDATE_GOLDEN=1 and review the diff like code.
#include "core/deploy/bundle.h"
#include "core/io/designdocument.h"
#include "core/model/design.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>

using namespace converge;

namespace {

const QString kGolden = QStringLiteral(CONVERGE_SOURCE_DIR "/tests/deploy/golden");

void compareWithGolden(const QString &path, const QByteArray &actual)
{
    if (qEnvironmentVariableIntValue("CONVERGE_UPDATE_GOLDEN") == 1) {
        QDir().mkpath(QFileInfo(path).path());
        QFile out(path);
        ASSERT_TRUE(out.open(QIODevice::WriteOnly)) << path.toStdString();
        out.write(actual);
        return;
    }
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly))
        << path.toStdString() << " is missing (CONVERGE_UPDATE_GOLDEN=1 writes it)";
    EXPECT_EQ(QString::fromUtf8(f.readAll()).toStdString(), QString::fromUtf8(actual).toStdString())
        << path.toStdString() << " differs (CONVERGE_UPDATE_GOLDEN=1 rewrites it)";
}

// The bundle's scripts of FILE, without validating it (broken-lab has findings on purpose).
void checkDesign(const QString &file, const QString &goldenDir)
{
    auto design = core::designdocument::loadFile(file);
    ASSERT_TRUE(design) << design.error().message.toStdString();
    auto files = core::deploy::makeBundleFiles(*design, {});
    ASSERT_TRUE(files) << files.error().message.toStdString();
    int scripts = 0;
    for (const core::deploy::BundleFile &f : *files) {
        const QString host = f.path.section(u'/', 1, 1);
        if (f.path.endsWith(QLatin1String("/apply.ps1")))
            compareWithGolden(QDir(goldenDir).filePath(host + QStringLiteral(".ps1")), f.data);
        else if (f.path.endsWith(QLatin1String("/apply.sh")))
            compareWithGolden(QDir(goldenDir).filePath(host + QStringLiteral(".sh")), f.data);
        else
            continue;
        ++scripts;
    }
    EXPECT_GT(scripts, 0) << file.toStdString();
}

} // namespace

TEST(GoldenScripts, EverySampleDesignsPowerShell)
{
    const QDir samples(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples"));
    const QStringList files =
        samples.entryList({QStringLiteral("*.converge.json")}, QDir::Files, QDir::Name);
    ASSERT_GE(files.size(), 5);
    for (const QString &name : files) {
        SCOPED_TRACE(name.toStdString());
        const QString base = name.chopped(int(qstrlen(".converge.json")));
        checkDesign(samples.filePath(name), QDir(kGolden).filePath(base));
    }
}

TEST(GoldenScripts, OvsLabShellScript)
{
    checkDesign(QStringLiteral(CONVERGE_SOURCE_DIR "/tests/agent/data/ovs-lab.converge.json"),
                QDir(kGolden).filePath(QStringLiteral("ovs-lab")));
}

TEST(GoldenScripts, ScriptsDoNotDependOnTheTime)
{
    auto design = core::designdocument::loadFile(
        QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/smb-basic.converge.json"));
    ASSERT_TRUE(design);
    auto a = core::deploy::makeBundleFiles(*design, {}, QDateTime::fromSecsSinceEpoch(0, Qt::UTC));
    auto b = core::deploy::makeBundleFiles(*design, {}, QDateTime::currentDateTimeUtc());
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->size(), b->size());
    for (std::size_t i = 0; i + 1 < a->size(); ++i) // all but MANIFEST.json
        EXPECT_EQ((*a)[i], (*b)[i]) << (*a)[i].path.toStdString();
    EXPECT_NE(a->back().data, b->back().data);
}
