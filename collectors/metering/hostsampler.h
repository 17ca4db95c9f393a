#pragma once

#include "collectors/metering/samplerround.h"
#include "core/metering/counterrate.h"
#include "core/util/result.h"

// A Linux host's own resource use, read from /proc and /sys (issue 15, "Samplers"): processors
// (all and per core), memory, block devices, mounted file systems and network interfaces. Needs
// no privilege: what an unprivileged console cannot read is reported per source and left out.
namespace converge::collectors::metering {

struct HostSamplerConfig
{
    QString host;                       // the design's host name: every series' host
    QString root = QStringLiteral("/"); // where proc/ and sys/ are (tests: a fixture tree)
    // The width of /proc/diskstats' and the interfaces' counters: the kernel's unsigned long,
    // whose width this build's pointers share. A wrap of a counter that width is a wrap; any
    // other decrease is a reset (see core::metering::CounterRates).
    int counterBits = QT_POINTER_SIZE * 8;
};

// Used by one thread at a time (the agent's sampling thread, or the console's).
class HostSampler
{
public:
    // Checks the configuration (a host name a series key takes, an absolute root, a counter
    // width of 32 or 64) and says what is wrong.
    static core::Result<HostSampler> create(HostSamplerConfig config);

    // One round at nowMs (milliseconds since the epoch): gauges now, and for counters the
    // average since the previous round (nothing for a counter's first reading).
    SamplerRound sample(qint64 nowMs);
    // What is wrong at the last round (all of it, not only what is new).
    QStringList currentProblems() const { return m_problems.current(); }

private:
    struct Round;
    explicit HostSampler(HostSamplerConfig config);
    void sampleCpu(Round &round);
    void sampleMemory(Round &round);
    void sampleDisks(Round &round);
    void sampleFileSystems(Round &round);
    void sampleInterfaces(Round &round);
    void sampleInterface(Round &round, const QString &name);

    HostSamplerConfig m_config;
    QString m_root; // the root without its trailing '/': "" for "/"
    core::metering::CounterRates m_rates;
    ProblemLog m_problems;
    qint64 m_lastRoundMs = -1;
};

} // namespace converge::collectors::metering
