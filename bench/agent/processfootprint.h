#pragma once

// What a benchmark measures of a running process through /proc: its processor time (with the
// children it waited for) and its resident memory, and the processor time of other processes
// meanwhile (the daemons it asks for work).
#include "core/util/result.h"

#include <QElapsedTimer>
#include <QList>

#include <optional>

namespace converge::bench {

// What one phase measured of one process.
struct Footprint
{
    double cpuPercent = 0; // of one core
    double rssPeakMb = 0;
    double rssEndMb = 0;
    double rssAnonEndMb = 0;  // of which private (heap, stacks): not the libraries' mapped pages
    double ovsCpuPercent = 0; // the other processes (ovsdb-server, ovs-vswitchd) meanwhile
};

// kB (KiB, as /proc counts) to MB of 10^6 bytes.
double megabytes(qint64 kb);
// A "FIELD: N kB" line of /proc/PID/status; -1 when the process is gone.
qint64 statusKb(qint64 pid, const QByteArray &field);
// Processor time in clock ticks of PID and of the children it has waited for; -1 when it is gone.
qint64 cpuTicksWithChildren(qint64 pid);

// The CPU PIDS took together from construction to percent(), in % of one core.
class CpuMeter
{
public:
    explicit CpuMeter(QList<qint64> pids);
    // Nothing when there were no PIDS or one of them is gone.
    std::optional<double> percent() const;

private:
    qint64 ticks() const;

    QList<qint64> m_pids;
    qint64 m_ticks0;
    QElapsedTimer m_wall;
};

// CPU and memory of PID, and the CPU of the daemons OTHERPIDS (the Open vSwitch the process asks
// for work), from construction to finish().
class ProcessMeter
{
public:
    ProcessMeter(qint64 pid, const QList<qint64> &otherPids);
    // An error when the process or one of the others ended meanwhile.
    core::Result<Footprint> finish() const;

private:
    qint64 m_pid;
    CpuMeter m_cpu;
    CpuMeter m_otherCpu;
};

} // namespace converge::bench
