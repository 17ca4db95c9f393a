#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "views/session/autosave.h"
#include "views/session/designsession.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>

#include <csignal>
#include <unistd.h>

using namespace converge;
using namespace converge::views;
using core::ElementKind;
namespace commands = core::commands;

namespace {

const QString originalPath = QStringLiteral("/designs/lab.converge.json");

class AutosaveTest : public testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_session = newSession();
        ASSERT_TRUE(m_session);
    }

    static std::unique_ptr<DesignSession> newSession()
    {
        auto loaded = test::loadSample("smb-converged");
        if (!loaded)
            return nullptr;
        return std::make_unique<DesignSession>(std::make_unique<core::Design>(std::move(*loaded)));
    }

    std::unique_ptr<Autosave> autosave(const QString &identity = originalPath) const
    {
        auto a = std::make_unique<Autosave>(m_session.get(), identity);
        a->setDirectory(m_dir.path());
        a->setInterval(50);
        return a;
    }

    // Edits of every kind: a property, an added and a removed element, the design's name.
    static void edit(DesignSession &session, int round)
    {
        const core::Design &d = session.design();
        ASSERT_TRUE(
            session.apply(commands::setProperty(d, QStringLiteral("h1"), QStringLiteral("name"),
                                                QStringLiteral("HV01-r%1").arg(round))));
        ASSERT_TRUE(session.apply(commands::addElement(
            d, ElementKind::PhysicalNic, QStringLiteral("h1"),
            {{QStringLiteral("name"), QStringLiteral("extra%1").arg(round)},
             {QStringLiteral("interfaceName"), QStringLiteral("extra%1").arg(round)}},
            QStringLiteral("h1.extra%1").arg(round)))); // a fixed id: the crash test repeats it
        ASSERT_TRUE(session.apply(commands::setDesignInfo(d, QStringLiteral("name"),
                                                          QStringLiteral("Lab %1").arg(round))));
    }

    QStringList files() const
    {
        return QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden, QDir::Name);
    }

    static QString document(const core::Design &design)
    {
        return QString::fromUtf8(core::designdocument::save(design));
    }

    QTemporaryDir m_dir;
    std::unique_ptr<DesignSession> m_session;
};

TEST_F(AutosaveTest, WritesAfterTheIntervalOnlyWhenSomethingChanged)
{
    auto a = autosave();
    QSignalSpy saved(a.get(), &Autosave::saved);
    EXPECT_FALSE(saved.wait(200)) << "nothing changed, nothing written";
    EXPECT_TRUE(files().isEmpty());

    edit(*m_session, 1);
    EXPECT_TRUE(a->hasPendingChanges());
    EXPECT_FALSE(QFile::exists(a->storePath())) << "not before the interval";
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_EQ(saved.count(), 1) << "three edits, one write";
    EXPECT_FALSE(a->hasPendingChanges());
    EXPECT_TRUE(QFile::exists(a->storePath()));
    EXPECT_TRUE(a->storePath().startsWith(m_dir.path() + QStringLiteral("/lab-")));
    EXPECT_TRUE(Autosave::recoverable(m_dir.path()).isEmpty())
        << "a running session is not offered for recovery";
}

TEST_F(AutosaveTest, WhatACrashLeavesIsListedAndRestoresTheEditedDesign)
{
    auto a = autosave();
    QSignalSpy saved(a.get(), &Autosave::saved);
    edit(*m_session, 1);
    ASSERT_TRUE(saved.wait(5000)); // the whole design
    // Then only what changed: more edits, a removal with everything it owns, an undo.
    edit(*m_session, 2);
    ASSERT_TRUE(
        m_session->apply(commands::removeElements(m_session->design(), {QStringLiteral("h2")})));
    m_session->undoStack()->undo();
    ASSERT_TRUE(m_session->apply(
        commands::removeElements(m_session->design(), {QStringLiteral("h2.eth1")})));
    ASSERT_TRUE(saved.wait(5000));
    edit(*m_session, 3);
    a->abandon(); // writes what is pending and leaves it, like a crash after that write
    a.reset();

    const auto found = Autosave::recoverable(m_dir.path());
    ASSERT_EQ(found.size(), 1);
    const Autosave::Recoverable &r = found.front();
    EXPECT_EQ(r.originalPath, originalPath);
    EXPECT_EQ(r.name, QStringLiteral("Lab 3"));
    EXPECT_EQ(r.elementCount, qint64(m_session->design().size()));
    EXPECT_LE(qAbs(r.savedAt.secsTo(QDateTime::currentDateTimeUtc())), 60);
    auto restored = Autosave::restore(r);
    ASSERT_TRUE(restored) << restored.error().message.toStdString();
    EXPECT_EQ(document(**restored), document(m_session->design()));

    EXPECT_EQ(Autosave::recoverable(m_dir.path()).size(), 1) << "restore keeps it";
    Autosave::discard(r);
    EXPECT_TRUE(Autosave::recoverable(m_dir.path()).isEmpty());
    EXPECT_TRUE(files().isEmpty()) << files().join(QLatin1Char(' ')).toStdString();
}

TEST_F(AutosaveTest, MarkCleanRemovesItAndTheNextChangeStartsAnew)
{
    auto a = autosave();
    QSignalSpy saved(a.get(), &Autosave::saved);
    edit(*m_session, 1);
    ASSERT_TRUE(saved.wait(5000));
    edit(*m_session, 2); // pending when the design is saved: dropped
    a->markClean();
    EXPECT_FALSE(a->hasPendingChanges());
    ASSERT_TRUE(a->waitForIdle());
    EXPECT_FALSE(QFile::exists(a->storePath()));
    EXPECT_EQ(files(),
              QStringList{QFileInfo(a->storePath())
                              .fileName()
                              .replace(QStringLiteral(".converge.db"), QStringLiteral(".lock"))})
        << "only the session's lock is left";

    edit(*m_session, 3);
    ASSERT_TRUE(saved.wait(5000));
    a->abandon();
    a.reset();
    const auto found = Autosave::recoverable(m_dir.path());
    ASSERT_EQ(found.size(), 1);
    auto restored = Autosave::restore(found.front());
    ASSERT_TRUE(restored) << restored.error().message.toStdString();
    EXPECT_EQ(document(**restored), document(m_session->design()));
}

TEST_F(AutosaveTest, ANewDesignSavedUnderANameIsRecoveredUnderIt)
{
    auto a = autosave(QString());
    QSignalSpy saved(a.get(), &Autosave::saved);
    edit(*m_session, 1);
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_TRUE(QFileInfo(a->storePath()).fileName().startsWith(QStringLiteral("untitled-")));
    const QString named = QStringLiteral("/designs/new.converge.json");
    a->setOriginalPath(named);
    ASSERT_TRUE(saved.wait(5000)) << "the sidecar is rewritten";
    a->abandon();
    a.reset();
    const auto found = Autosave::recoverable(m_dir.path());
    ASSERT_EQ(found.size(), 1);
    EXPECT_EQ(found.front().originalPath, named);
}

TEST_F(AutosaveTest, ANormalCloseRemovesEverything)
{
    {
        auto a = autosave();
        QSignalSpy saved(a.get(), &Autosave::saved);
        edit(*m_session, 1);
        ASSERT_TRUE(saved.wait(5000));
        edit(*m_session, 2);
        a->flush(); // a write in progress when the window closes
    }
    EXPECT_TRUE(files().isEmpty()) << files().join(QLatin1Char(' ')).toStdString();

    {
        auto a = autosave();
        QSignalSpy saved(a.get(), &Autosave::saved);
        edit(*m_session, 4);
        ASSERT_TRUE(saved.wait(5000));
        a->markClean(); // saved, then closed at once
    }
    EXPECT_TRUE(files().isEmpty()) << files().join(QLatin1Char(' ')).toStdString();

    // Owned by the session, going with it.
    auto *owned = new Autosave(m_session.get(), {}, m_session.get());
    owned->setDirectory(m_dir.path());
    owned->setInterval(0);
    QSignalSpy saved(owned, &Autosave::saved);
    edit(*m_session, 3);
    ASSERT_TRUE(saved.wait(5000));
    EXPECT_TRUE(QFileInfo(owned->storePath()).fileName().startsWith(QStringLiteral("untitled-")));
    m_session.reset();
    EXPECT_TRUE(files().isEmpty()) << files().join(QLatin1Char(' ')).toStdString();
}

TEST_F(AutosaveTest, AFailedWriteIsReported)
{
    QFile blocker(m_dir.filePath(QStringLiteral("file")));
    ASSERT_TRUE(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    auto a = autosave();
    a->setDirectory(blocker.fileName() + QStringLiteral("/autosave")); // under a file
    QSignalSpy failed(a.get(), &Autosave::failed);
    edit(*m_session, 1);
    ASSERT_TRUE(failed.wait(5000));
    EXPECT_TRUE(failed.front().front().toString().contains(blocker.fileName()))
        << failed.front().front().toString().toStdString();
    EXPECT_TRUE(a->hasPendingChanges()) << "retried later";
}

// A real crash: a child process autosaves, then dies by SIGKILL holding its lock.
TEST_F(AutosaveTest, AKilledSessionIsRecoverable)
{
    const std::string style = GTEST_FLAG_GET(death_test_style);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // The threadsafe style runs this test again in the child: both use the parent's folder.
    const char *variable = "CONVERGE_AUTOSAVE_CRASH_DIR";
    const QString dir =
        qEnvironmentVariableIsSet(variable) ? qEnvironmentVariable(variable) : m_dir.path();
    qputenv(variable, dir.toLocal8Bit());
    EXPECT_EXIT(
        {
            Autosave a(m_session.get(), originalPath);
            a.setDirectory(dir);
            edit(*m_session, 1);
            a.flush();
            a.waitForIdle();
            ::kill(::getpid(), SIGKILL);
        },
        testing::KilledBySignal(SIGKILL), "");
    qunsetenv(variable);
    GTEST_FLAG_SET(death_test_style, style);

    edit(*m_session, 1); // what the child did
    const auto found = Autosave::recoverable(dir);
    ASSERT_EQ(found.size(), 1);
    EXPECT_EQ(found.front().originalPath, originalPath);
    EXPECT_EQ(found.front().elementCount, qint64(m_session->design().size()));
    auto restored = Autosave::restore(found.front());
    ASSERT_TRUE(restored) << restored.error().message.toStdString();
    EXPECT_EQ(document(**restored), document(m_session->design()));
    Autosave::discard(found.front());
    EXPECT_TRUE(QDir(dir).entryList(QDir::Files).isEmpty());
}

} // namespace
