#include "fixtures.h"
#include "printers.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/store/projectstore.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QTemporaryDir>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace converge::core;

namespace {

Design small()
{
    auto d = designdocument::load(smallDocument());
    EXPECT_TRUE(d);
    return std::move(*d);
}

// One edit of two ops: the host's description says "edit i" and a VLAN i is added. A store
// that holds one without the other has half an edit.
Edit numberedEdit(const Design &d, int i)
{
    auto describe = commands::setProperty(d, QStringLiteral("h1"), QStringLiteral("description"),
                                          QStringLiteral("edit %1").arg(i));
    auto vlan =
        commands::addElement(d, ElementKind::Vlan, {},
                             {{"name", QStringLiteral("v%1").arg(i)}, {"vlanId", i % 4094 + 1}},
                             QStringLiteral("vlan%1").arg(i));
    return commands::combine(QStringLiteral("edit %1").arg(i), {*describe, *vlan});
}

[[noreturn]] void writeEditsForever(const QString &path, int reportFd)
{
    auto store = ProjectStore::open(path);
    if (!store)
        _exit(2);
    auto design = store->loadDesign();
    for (int i = 1;; ++i) {
        const Edit edit = numberedEdit(*design, i);
        if (!design->apply(edit) || !store->recordEdit(edit, QStringLiteral("writer")))
            _exit(3);
        if (write(reportFd, &i, sizeof i) != sizeof i) // tells the parent edit i is committed
            _exit(4);
    }
}

} // namespace

TEST(ProjectStore, CreateThenOpenGivesTheSameDesign)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.converge.db"));
    const Design d = small();
    ASSERT_TRUE(ProjectStore::create(path, d));
    auto store = ProjectStore::open(path);
    ASSERT_TRUE(store) << store.error().message.toStdString();
    auto loaded = store->loadDesign();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(designdocument::save(*loaded), designdocument::save(d));
}

TEST(ProjectStore, RefusesToOverwriteAndToOpenWhatIsNotAStore)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.converge.db"));
    ASSERT_TRUE(ProjectStore::create(path, small()));
    const auto again = ProjectStore::create(path, small());
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, path + QStringLiteral(": exists already; not overwritten"));

    const QString text = dir.filePath(QStringLiteral("notes.converge.db"));
    QFile f(text);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("these are not the tables you are looking for, just some text long enough to matter\n");
    f.close();
    const auto opened = ProjectStore::open(text);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, Error::Code::Store);
    EXPECT_FALSE(ProjectStore::open(dir.filePath(QStringLiteral("missing.converge.db"))));
}

TEST(ProjectStore, RecordedEditsAndTheirUndoPersistWithHistory)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p.converge.db"));
    Design d = small();
    {
        auto store = ProjectStore::create(path, d);
        ASSERT_TRUE(store);
        auto remove = commands::removeElements(d, {QStringLiteral("h1.vm1")});
        ASSERT_TRUE(remove && d.apply(*remove));
        ASSERT_TRUE(store->recordEdit(*remove, QStringLiteral("alice")));
        auto rename = commands::setProperty(d, QStringLiteral("h1"), QStringLiteral("name"),
                                            QStringLiteral("hv-a"));
        ASSERT_TRUE(rename && d.apply(*rename));
        ASSERT_TRUE(store->recordEdit(*rename, QStringLiteral("alice")));
        ASSERT_TRUE(d.apply(rename->inverted()));
        ASSERT_TRUE(store->recordEdit(rename->inverted(), QStringLiteral("alice")));
    }
    auto store = ProjectStore::open(path);
    ASSERT_TRUE(store);
    auto loaded = store->loadDesign();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(designdocument::save(*loaded), designdocument::save(d));
    EXPECT_EQ(loaded->find(QStringLiteral("h1.vm1")), nullptr);
    EXPECT_EQ(loaded->find(QStringLiteral("h1"))->name(), QStringLiteral("hv1"));
    auto history = store->history();
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 4u);
    EXPECT_EQ((*history)[0].description, QStringLiteral("Create project"));
    EXPECT_EQ((*history)[1].description, QStringLiteral("Delete VirtualMachine 'vm1'"));
    EXPECT_EQ((*history)[1].author, QStringLiteral("alice"));
    // The mirror session loses its source, then the vNIC and the VM go: three ops.
    EXPECT_EQ((*history)[1].edit.ops.size(), 3u);
    EXPECT_TRUE((*history)[1].at.isValid());
}

TEST(ProjectStore, AProcessKilledMidWriteLosesAtMostTheEditItWasWriting)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("crash.converge.db"));
    ASSERT_TRUE(ProjectStore::create(path, small()));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(fds[0]);
        writeEditsForever(path, fds[1]);
    }
    close(fds[1]);
    int committed = 0;
    int n = 0;
    // Let it commit a few hundred edits, then kill it in the middle of whatever it is doing.
    while (committed < 300 && read(fds[0], &n, sizeof n) == sizeof n)
        committed = n;
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    // Commits it reported before it died but we had not read yet count too: read them all.
    while (read(fds[0], &n, sizeof n) == sizeof n)
        committed = n;
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself with status " << status;
    ASSERT_GE(committed, 300);

    auto store = ProjectStore::open(path);
    ASSERT_TRUE(store) << store.error().message.toStdString();
    auto design = store->loadDesign();
    ASSERT_TRUE(design) << design.error().message.toStdString();
    const int vlans = int(design->count(ElementKind::Vlan));
    // Every edit the writer reported is there; at most the one it was writing after that.
    EXPECT_GE(vlans, committed);
    EXPECT_LE(vlans, committed + 1);
    // No half edit: the description names the last VLAN added.
    EXPECT_EQ(design->find(QStringLiteral("h1"))->value(QStringLiteral("description")).toString(),
              QStringLiteral("edit %1").arg(vlans));
    auto history = store->history();
    ASSERT_TRUE(history);
    EXPECT_EQ(history->size(), std::size_t(vlans) + 1);
    // And the store still takes edits.
    const Edit next = numberedEdit(*design, vlans + 1);
    ASSERT_TRUE(design->apply(next));
    EXPECT_TRUE(store->recordEdit(next));
}
