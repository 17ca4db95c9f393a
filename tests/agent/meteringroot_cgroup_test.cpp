// collectors/metering/cgroupsampler.h on this machine's real cgroup v1 hierarchies (root only,
// skipped with the reason otherwise): a process that burns a core, moved into a group of its
// own, shows as that group's vm_cpu_cores. The group and the process are removed even when an
// assertion fails.
#include "collectors/metering/cgroupsampler.h"
#include "meteringfixture.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QThread>

#include <atomic>
#include <csignal>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace converge::collectors::metering;
using meteringtest::valueOf;

namespace {

const QString kV1 = QStringLiteral("/sys/fs/cgroup");

// A child that spins until killed, and the groups made for it; the destructor undoes both.
class BurnerInGroup
{
public:
    explicit BurnerInGroup(const QString &name)
        : m_name(name)
    {
    }
    ~BurnerInGroup()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        // A group can be removed once its last process is gone; the kernel may take a moment.
        for (const QString &dir : std::as_const(m_made))
            for (int tries = 0; tries < 50 && !QDir().rmdir(dir); ++tries)
                QThread::msleep(20);
    }
    BurnerInGroup(const BurnerInGroup &) = delete;
    BurnerInGroup &operator=(const BurnerInGroup &) = delete;

    QString makeGroup(const QString &controller)
    {
        const QString dir = kV1 + u'/' + controller + u'/' + m_name;
        if (!QDir().mkdir(dir))
            return QStringLiteral("cannot create %1").arg(dir);
        m_made.append(dir);
        return {};
    }
    // Forks the child, moves it into every group made, then lets it touch 8 MiB (charged to
    // its new memory group: v1 does not move what a process used before it moved) and spin.
    QString start()
    {
        int go[2];
        if (::pipe(go) != 0)
            return QStringLiteral("pipe failed");
        m_pid = ::fork();
        if (m_pid == 0)
            burn(go[0]);
        ::close(go[0]);
        if (m_pid < 0)
            return QStringLiteral("fork failed");
        QString why;
        for (const QString &dir : std::as_const(m_made)) {
            QFile procs(dir + QStringLiteral("/cgroup.procs"));
            if (!procs.open(QIODevice::WriteOnly) || procs.write(QByteArray::number(m_pid)) < 0)
                why = QStringLiteral("cannot move %1 into %2").arg(m_pid).arg(dir);
        }
        (void)::write(go[1], "g", 1);
        ::close(go[1]);
        return why;
    }

private:
    [[noreturn]] static void burn(int go)
    {
        char byte = 0;
        (void)::read(go, &byte, 1);
        std::vector<char> memory(size_t(8) * 1024 * 1024, 'x');
        std::atomic<quint64> spin = memory[4096];
        for (;;)
            spin.fetch_add(1, std::memory_order_relaxed);
    }

    QString m_name;
    QStringList m_made;
    pid_t m_pid = -1;
};

} // namespace

TEST(CgroupSamplerAsRoot, BurningProcessInAV1GroupShowsAsCores)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root: it creates cgroups under /sys/fs/cgroup/{cpuacct,memory}";
    if (!QFileInfo(kV1 + QStringLiteral("/cpuacct/cpuacct.usage")).isFile() ||
        !QFileInfo(kV1 + QStringLiteral("/memory/memory.usage_in_bytes")).isFile())
        GTEST_SKIP() << "needs cgroup v1 cpuacct and memory hierarchies at /sys/fs/cgroup";
    const QString name = QStringLiteral("converge-sampler-test-%1-%2")
                             .arg(::getpid())
                             .arg(QRandomGenerator::global()->generate());
    BurnerInGroup burner(name);
    for (const char *controller : {"cpuacct", "memory"}) {
        const QString why = burner.makeGroup(QLatin1String(controller));
        ASSERT_TRUE(why.isEmpty()) << why.toStdString();
    }
    // The machine's other work (other sessions' builds, each an autogroup as heavy as a nice-0
    // process) must not starve the child below the half core the test looks for: a cpu group
    // of its own with the most shares v1 allows outweighs them all.
    if (QFileInfo(kV1 + QStringLiteral("/cpu/cpu.shares")).isFile()) {
        const QString why = burner.makeGroup(QStringLiteral("cpu"));
        ASSERT_TRUE(why.isEmpty()) << why.toStdString();
        QFile shares(kV1 + QStringLiteral("/cpu/") + name + QStringLiteral("/cpu.shares"));
        ASSERT_TRUE(shares.open(QIODevice::WriteOnly) && shares.write("262144") > 0);
    }
    const QString started = burner.start();
    ASSERT_TRUE(started.isEmpty()) << started.toStdString();

    auto made = CgroupSampler::create(
        {QStringLiteral("h1"), QStringLiteral("/"), {{QStringLiteral("burner"), {}, name, {}}}});
    ASSERT_TRUE(made) << made.error().message.toStdString();
    made->sample(QDateTime::currentMSecsSinceEpoch());
    QThread::msleep(1500);
    const SamplerRound round = made->sample(QDateTime::currentMSecsSinceEpoch());
    EXPECT_TRUE(round.problems.isEmpty()) << round.problems.join(u'\n').toStdString();
    const auto cores = valueOf(round, QStringLiteral("vm/burner"), "vm_cpu_cores");
    ASSERT_TRUE(cores);
    std::cout << "vm_cpu_cores of the spinning child: " << *cores << '\n';
    EXPECT_GT(*cores, 0.5);
    EXPECT_LT(*cores, 1.1) << "one spinning thread uses at most one core";
    const auto memory = valueOf(round, QStringLiteral("vm/burner"), "vm_memory_bytes");
    ASSERT_TRUE(memory);
    EXPECT_GT(*memory, 4.0 * 1024 * 1024) << "the 8 MiB the child touched after it moved";
}
