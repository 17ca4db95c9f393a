#include "processfootprint.h"

#include <QFile>

#include <unistd.h>

namespace converge::bench {

double megabytes(qint64 kb)
{
    return double(kb) * 1024 / 1e6;
}

qint64 statusKb(qint64 pid, const QByteArray &field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
    return -1;
}

// Processor time in clock ticks of PID and of its children it has waited for (converged runs
// ovs-ofctl for the meter flows' counters: that is metering's cost too); -1 when it is gone.
qint64 cpuTicksWithChildren(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() <= 14)
        return -1;
    qint64 ticks = 0;
    for (int i = 11; i <= 14; ++i) // utime, stime, cutime, cstime
        ticks += fields[i].toLongLong();
    return ticks;
}

CpuMeter::CpuMeter(QList<qint64> pids)
    : m_pids(std::move(pids))
    , m_ticks0(ticks())
{
    m_wall.start();
}

std::optional<double> CpuMeter::percent() const
{
    const qint64 now = ticks();
    if (m_pids.isEmpty() || m_ticks0 < 0 || now < 0)
        return std::nullopt;
    const double cpuSec = double(now - m_ticks0) / double(::sysconf(_SC_CLK_TCK));
    return 100.0 * cpuSec / (double(m_wall.nsecsElapsed()) / 1e9);
}

qint64 CpuMeter::ticks() const
{
    qint64 sum = 0;
    for (qint64 pid : m_pids) {
        const qint64 t = cpuTicksWithChildren(pid);
        if (t < 0)
            return -1;
        sum += t;
    }
    return sum;
}

ProcessMeter::ProcessMeter(qint64 pid, const QList<qint64> &otherPids)
    : m_pid(pid)
    , m_cpu({pid})
    , m_otherCpu(otherPids)
{
}

core::Result<Footprint> ProcessMeter::finish() const
{
    const std::optional<double> cpu = m_cpu.percent(), otherCpu = m_otherCpu.percent();
    const qint64 rss = statusKb(m_pid, "VmRSS"), peak = statusKb(m_pid, "VmHWM");
    const qint64 anon = statusKb(m_pid, "RssAnon");
    if (!cpu || rss < 0 || peak < 0 || anon < 0)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("process %1 ended during the measurement").arg(m_pid));
    if (!otherCpu)
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("the processes measured alongside %1 (the Open vSwitch "
                                         "daemons, by their pid files) are gone or unknown")
                              .arg(m_pid));
    return Footprint{*cpu, megabytes(peak), megabytes(rss), megabytes(anon), *otherCpu};
}

} // namespace converge::bench
