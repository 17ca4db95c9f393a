#include "fixtures.h"
#include "printers.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/store/autosavechanges.h"
#include "core/store/autosavefiles.h"
#include "core/store/autosaverecovery.h"
#include "core/store/autosavewriter.h"
#include "core/store/projectstore.h"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <csignal>
#include <mutex>
#include <sys/wait.h>
#include <unistd.h>

using namespace converge::core;

namespace {

const QString originalPath = QStringLiteral("/designs/lab.converge.json");

Design small()
{
    auto d = designdocument::load(smallDocument());
    EXPECT_TRUE(d);
    return std::move(*d);
}

QString document(const Design &design)
{
    return QString::fromUtf8(designdocument::save(design));
}

// Edits of every kind: a property, an added and a removed element, the design's name.
void edit(Design &d, int round)
{
    auto rename = commands::setProperty(d, QStringLiteral("h1"), QStringLiteral("name"),
                                        QStringLiteral("hv-r%1").arg(round));
    ASSERT_TRUE(rename && d.apply(*rename));
    auto add = commands::addElement(d, ElementKind::Vlan, {},
                                    {{"name", QStringLiteral("v%1").arg(round)}, {"vlanId", round}},
                                    QStringLiteral("vlan%1").arg(round));
    ASSERT_TRUE(add && d.apply(*add));
    if (auto remove = commands::removeElements(d, {QStringLiteral("h1.vm1")}); remove) {
        ASSERT_TRUE(d.apply(*remove));
    }
    auto name =
        commands::setDesignInfo(d, QStringLiteral("name"), QStringLiteral("Lab %1").arg(round));
    ASSERT_TRUE(name && d.apply(*name));
}

// A design that an AutosaveChanges follows, as an Autosave follows its session's design.
struct Followed
{
    Followed()
        : design(small())
    {
        listener =
            design.addListener([this](const std::vector<Change> &noted) { changes.note(noted); });
    }
    ~Followed() { design.removeListener(listener); }

    Design design;
    AutosaveChanges changes;
    int listener = 0;
};

// What the writer reports, collected from its thread.
class Reports
{
public:
    AutosaveWriter::Done done()
    {
        return [this](const Result<void> &ok) {
            std::lock_guard guard(m_mutex);
            m_results.push_back(ok ? QString() : ok.error().message);
        };
    }
    QStringList results()
    {
        std::lock_guard guard(m_mutex);
        return m_results;
    }

private:
    std::mutex m_mutex;
    QStringList m_results; // "" for a write that succeeded, else its error
};

AutosaveSidecar sidecarOf(const Design &d)
{
    return {originalPath, d.info().value(QLatin1String("name")).toString(),
            QDateTime::currentDateTimeUtc(), qint64(d.size())};
}

class AutosaveWriterTest : public testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(m_dir.isValid()); }

    AutosaveFiles files(const QString &identity = originalPath) const
    {
        return AutosaveFiles(
            QDir(m_dir.path())
                .filePath(AutosaveFiles::uniqueName(identity, QDateTime::currentDateTimeUtc())));
    }

    // Writes the whole design, edits it, writes what changed: what a session does.
    static void writeAndEdit(AutosaveWriter &writer, Followed &f, Reports &reports)
    {
        edit(f.design, 1);
        writer.writeWhole(f.changes.takeWhole(f.design), sidecarOf(f.design).toJson(false),
                          reports.done());
        edit(f.design, 2);
        writer.writeChanges(f.changes.takeEdit(f.design), sidecarOf(f.design).toJson(false),
                            reports.done());
        ASSERT_TRUE(writer.waitForIdle(30000));
        ASSERT_EQ(reports.results(), QStringList({QString(), QString()}));
    }

    QStringList fileNames() const
    {
        return QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden, QDir::Name);
    }

    QTemporaryDir m_dir;
};

} // namespace

TEST(AutosaveFiles, NamesFollowTheDesignsIdentity)
{
    const QDateTime at = QDateTime::currentDateTimeUtc();
    EXPECT_TRUE(AutosaveFiles::uniqueName(QStringLiteral("/x/lab-a.converge.json"), at)
                    .startsWith(QStringLiteral("lab-a-") +
                                at.toLocalTime().toString(QStringLiteral("yyyyMMdd-HHmmss-"))));
    EXPECT_TRUE(AutosaveFiles::uniqueName(QStringLiteral("smb-basic"), at)
                    .startsWith(QStringLiteral("smb-basic-")));
    EXPECT_TRUE(AutosaveFiles::uniqueName({}, at).startsWith(QStringLiteral("untitled-")));
    EXPECT_TRUE(AutosaveFiles::uniqueName(QStringLiteral("/x/.hidden.json"), at)
                    .startsWith(QStringLiteral("untitled-")));
    EXPECT_TRUE(AutosaveFiles::uniqueName(QStringLiteral("/x/my lab (2).json"), at)
                    .startsWith(QStringLiteral("my_lab_2_-")));
    EXPECT_NE(AutosaveFiles::uniqueName({}, at), AutosaveFiles::uniqueName({}, at));

    const AutosaveFiles files(QStringLiteral("/tmp/a/lab-1"));
    EXPECT_EQ(files.store(), QStringLiteral("/tmp/a/lab-1.converge.db"));
    EXPECT_EQ(files.sidecar(), QStringLiteral("/tmp/a/lab-1.autosave.json"));
    EXPECT_EQ(files.lock(), QStringLiteral("/tmp/a/lab-1.lock"));
    EXPECT_EQ(AutosaveFiles::ofStore(files.store())->base(), files.base());
    EXPECT_FALSE(AutosaveFiles::ofStore(QStringLiteral("/tmp/a/lab-1.converge.json")));
}

TEST(AutosaveChanges, WritesTheWholeDesignFirstThenOnlyWhatChanged)
{
    Followed f;
    EXPECT_TRUE(f.changes.wholeRequired());
    edit(f.design, 1);
    EXPECT_TRUE(f.changes.wholeRequired());
    const AutosaveSnapshot snapshot = f.changes.takeWhole(f.design);
    EXPECT_FALSE(f.changes.wholeRequired());
    EXPECT_EQ(snapshot.info, f.design.info());
    ASSERT_EQ(snapshot.elements.size(), f.design.size());

    QTemporaryDir dir;
    Design whole;
    whole.setInfo(snapshot.info);
    for (const Element &e : snapshot.elements)
        whole.insert(e);
    EXPECT_EQ(document(whole), document(f.design));
    auto store = ProjectStore::create(dir.filePath(QStringLiteral("a.converge.db")), whole);
    ASSERT_TRUE(store) << store.error().message.toStdString();

    edit(f.design, 2); // a rename, an added VLAN, the design's name
    auto remove = commands::removeElements(f.design, {QStringLiteral("h1.team")});
    ASSERT_TRUE(remove && f.design.apply(*remove));
    const Edit changes = f.changes.takeEdit(f.design);
    EXPECT_EQ(changes.description, QStringLiteral("Autosave"));
    // Removes first, then the adds in creation order, then the information.
    std::size_t removes = 0;
    while (removes < changes.ops.size() && changes.ops[removes].type == Op::Type::Remove)
        ++removes;
    ASSERT_GT(removes, 0u);
    qint64 lastSeq = -1;
    std::size_t i = removes;
    for (; i < changes.ops.size() && changes.ops[i].type == Op::Type::Add; ++i) {
        EXPECT_GT(changes.ops[i].element.seq, lastSeq);
        lastSeq = changes.ops[i].element.seq;
    }
    ASSERT_EQ(changes.ops.size(), i + 1) << "one change of the information";
    EXPECT_EQ(changes.ops.back().key, QStringLiteral("name"));
    EXPECT_EQ(changes.ops.back().after.toString(), QStringLiteral("Lab 2"));

    ASSERT_TRUE(store->recordEdit(changes, QStringLiteral("autosave")));
    auto loaded = store->loadDesign();
    ASSERT_TRUE(loaded) << loaded.error().message.toStdString();
    EXPECT_EQ(document(*loaded), document(f.design));
    EXPECT_TRUE(f.changes.takeEdit(f.design).isEmpty()) << "nothing changed since";
}

TEST(AutosaveChanges, AfterRequireWholeTheNextWriteTakesEverything)
{
    Followed f;
    (void)f.changes.takeWhole(f.design);
    edit(f.design, 1);
    f.changes.requireWhole();
    EXPECT_TRUE(f.changes.wholeRequired());
    edit(f.design, 2); // not noted: the whole design goes anyway
    EXPECT_EQ(f.changes.takeWhole(f.design).elements.size(), f.design.size());
    EXPECT_TRUE(f.changes.takeEdit(f.design).isEmpty());
}

TEST_F(AutosaveWriterTest, WhatAStoppedWriterLeavesIsListedAndRestoresTheEditedDesign)
{
    Followed f;
    Reports reports;
    const AutosaveFiles at = files();
    {
        AutosaveWriter writer(at);
        writeAndEdit(writer, f, reports);
        EXPECT_TRUE(autosaverecovery::find(m_dir.path()).isEmpty())
            << "a running session is not offered for recovery";
    } // stopped as a crash would: the files stay, the lock goes

    const auto found = autosaverecovery::find(m_dir.path());
    ASSERT_EQ(found.size(), 1);
    const RecoverableAutosave &r = found.front();
    EXPECT_EQ(r.storePath, at.store());
    EXPECT_EQ(r.sidecarPath, at.sidecar());
    EXPECT_EQ(r.originalPath, originalPath);
    EXPECT_EQ(r.name, QStringLiteral("Lab 2"));
    EXPECT_EQ(r.elementCount, qint64(f.design.size()));
    EXPECT_LE(qAbs(r.savedAt.secsTo(QDateTime::currentDateTimeUtc())), 60);
    auto restored = autosaverecovery::restore(r);
    ASSERT_TRUE(restored) << restored.error().message.toStdString();
    EXPECT_EQ(document(**restored), document(f.design));

    EXPECT_EQ(autosaverecovery::find(m_dir.path()).size(), 1) << "restore keeps it";
    autosaverecovery::discard(r);
    EXPECT_TRUE(autosaverecovery::find(m_dir.path()).isEmpty());
    EXPECT_TRUE(fileNames().isEmpty()) << fileNames().join(QLatin1Char(' ')).toStdString();
}

TEST_F(AutosaveWriterTest, RemoveLeavesOnlyTheLockUntilTheWriterStops)
{
    Followed f;
    Reports reports;
    const AutosaveFiles at = files();
    AutosaveWriter writer(at);
    writeAndEdit(writer, f, reports);
    writer.remove(sidecarOf(f.design).toJson(false));
    ASSERT_TRUE(writer.waitForIdle(30000));
    EXPECT_EQ(fileNames(), QStringList{QFileInfo(at.lock()).fileName()});
    writer.stop();
    EXPECT_TRUE(fileNames().isEmpty()) << fileNames().join(QLatin1Char(' ')).toStdString();
    EXPECT_TRUE(autosaverecovery::find(m_dir.path()).isEmpty());
}

TEST_F(AutosaveWriterTest, LeftoversOfCleanEndsAndLocksWithoutAutosaveAreRemoved)
{
    // A sidecar that says the session ended cleanly (a crash after it was written).
    const AutosaveFiles clean = files(QStringLiteral("clean"));
    ASSERT_TRUE(clean.writeSidecar(sidecarOf(small()).toJson(true)));
    QFile store(clean.store());
    ASSERT_TRUE(store.open(QIODevice::WriteOnly));
    store.close();
    // A lock of a session that crashed before its first write (no process holds it).
    QFile lock(files(QStringLiteral("early")).lock());
    ASSERT_TRUE(lock.open(QIODevice::WriteOnly));
    lock.write("999999999\nnothing\n\n");
    lock.close();
    // A sidecar whose store is gone.
    ASSERT_TRUE(files(QStringLiteral("gone")).writeSidecar(sidecarOf(small()).toJson(false)));

    EXPECT_TRUE(autosaverecovery::find(m_dir.path()).isEmpty());
    EXPECT_TRUE(fileNames().isEmpty()) << fileNames().join(QLatin1Char(' ')).toStdString();
}

TEST_F(AutosaveWriterTest, ALiveAutosaveIsNeitherOfferedNorRestoredNorDiscarded)
{
    Followed f;
    Reports reports;
    AutosaveWriter writer(files());
    writeAndEdit(writer, f, reports);
    EXPECT_TRUE(autosaverecovery::find(m_dir.path()).isEmpty());

    RecoverableAutosave live;
    live.storePath = writer.files().store();
    const auto restored = autosaverecovery::restore(live);
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error().code, Error::Code::Conflict);
    autosaverecovery::discard(live);
    EXPECT_TRUE(QFile::exists(writer.files().store()));

    // Another instance's autosave: a copy of the files, the lock included, is not offered either.
    QTemporaryDir other;
    ASSERT_TRUE(writer.waitForIdle(30000));
    for (const QString &name : fileNames())
        ASSERT_TRUE(QFile::copy(m_dir.filePath(name), other.filePath(name))) << name.toStdString();
    EXPECT_TRUE(autosaverecovery::find(other.path()).isEmpty());
    // Without the lock (the process that held it is gone), it is.
    for (const QString &name : QDir(other.path()).entryList({QStringLiteral("*.lock")}))
        QFile::remove(other.filePath(name));
    const auto found = autosaverecovery::find(other.path());
    ASSERT_EQ(found.size(), 1);
    auto copy = autosaverecovery::restore(found.front());
    ASSERT_TRUE(copy) << copy.error().message.toStdString();
    EXPECT_EQ(document(**copy), document(f.design));
}

TEST_F(AutosaveWriterTest, ADamagedAutosaveIsAnErrorNotACrash)
{
    {
        Followed f;
        Reports reports;
        AutosaveWriter writer(files());
        writeAndEdit(writer, f, reports);
    }
    auto found = autosaverecovery::find(m_dir.path());
    ASSERT_EQ(found.size(), 1);
    const QString store = found.front().storePath;

    QFile file(store);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QByteArray(8192, 'x'));
    file.close();
    auto restored = autosaverecovery::restore(found.front());
    ASSERT_FALSE(restored);
    EXPECT_TRUE(restored.error().message.contains(store)) << restored.error().message.toStdString();

    ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.close();
    restored = autosaverecovery::restore(found.front());
    ASSERT_FALSE(restored) << "an empty file is no design either";
    EXPECT_TRUE(restored.error().message.contains(QStringLiteral("damaged")))
        << restored.error().message.toStdString();

    // A damaged sidecar still lists the autosave, so that it can be discarded.
    QFile sidecar(found.front().sidecarPath);
    ASSERT_TRUE(sidecar.open(QIODevice::WriteOnly | QIODevice::Truncate));
    sidecar.write("{ not json");
    sidecar.close();
    found = autosaverecovery::find(m_dir.path());
    ASSERT_EQ(found.size(), 1);
    EXPECT_TRUE(found.front().originalPath.isEmpty());
    autosaverecovery::discard(found.front());
    EXPECT_TRUE(fileNames().isEmpty()) << fileNames().join(QLatin1Char(' ')).toStdString();
}

TEST_F(AutosaveWriterTest, AFailedWriteIsReportedAndTheNextWholeWriteSucceeds)
{
    QFile blocker(m_dir.filePath(QStringLiteral("file")));
    ASSERT_TRUE(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    Followed f;
    Reports reports;
    AutosaveWriter blocked(AutosaveFiles(blocker.fileName() + QStringLiteral("/autosave/x")));
    blocked.writeWhole(f.changes.takeWhole(f.design), sidecarOf(f.design).toJson(false),
                       reports.done());
    ASSERT_TRUE(blocked.waitForIdle(30000));
    ASSERT_EQ(reports.results().size(), 1);
    EXPECT_TRUE(reports.results().front().contains(blocker.fileName()))
        << reports.results().front().toStdString();

    // Changes without a store (its whole write failed) are an error too, not a crash.
    AutosaveWriter fresh(files());
    fresh.writeChanges(f.changes.takeEdit(f.design), sidecarOf(f.design).toJson(false),
                       reports.done());
    ASSERT_TRUE(fresh.waitForIdle(30000));
    ASSERT_EQ(reports.results().size(), 2);
    EXPECT_EQ(reports.results().back(), QStringLiteral("the autosave store is not open"));
    f.changes.requireWhole();
    fresh.writeWhole(f.changes.takeWhole(f.design), sidecarOf(f.design).toJson(false),
                     reports.done());
    ASSERT_TRUE(fresh.waitForIdle(30000));
    EXPECT_EQ(reports.results().back(), QString());
}

// A real crash: a child process autosaves, then dies by SIGKILL holding its lock.
TEST_F(AutosaveWriterTest, AKilledWriterLeavesARecoverableAutosave)
{
    Followed f;
    const AutosaveFiles at = files();
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        Reports reports;
        AutosaveWriter writer(at);
        writeAndEdit(writer, f, reports);
        ::kill(::getpid(), SIGKILL);
        _exit(3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended with status " << status;
    EXPECT_TRUE(QFile::exists(at.lock())) << "a crash leaves its lock";

    edit(f.design, 1); // what the child did
    edit(f.design, 2);
    const auto found = autosaverecovery::find(m_dir.path());
    ASSERT_EQ(found.size(), 1);
    EXPECT_EQ(found.front().originalPath, originalPath);
    EXPECT_EQ(found.front().elementCount, qint64(f.design.size()));
    auto restored = autosaverecovery::restore(found.front());
    ASSERT_TRUE(restored) << restored.error().message.toStdString();
    EXPECT_EQ(document(**restored), document(f.design));
    autosaverecovery::discard(found.front());
    EXPECT_TRUE(fileNames().isEmpty()) << fileNames().join(QLatin1Char(' ')).toStdString();
}
