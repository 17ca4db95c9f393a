#pragma once

#include "core/metering/sample.h"

#include <QHash>
#include <QSet>
#include <QStringList>

// What one round of a sampler gives: the samples, and what it could not read. A sampler keeps
// going when a source fails (an unprivileged console cannot read every file): the source's series
// are missing from the batch and the reason is in the problems.
namespace converge::collectors::metering {

struct SamplerRound
{
    core::metering::SampleBatch batch;
    // New problems of this round ("cannot read /proc/diskstats: Permission denied",
    // "/proc/diskstats:7: expected 14 fields"): each is reported once, in the round it
    // appears, and again only after it went away for a round.
    QStringList problems;
};

// Adds one sample of `key` to `batch` (a series of its own: a round has one sample per series).
void addSample(core::metering::SampleBatch &batch, core::metering::SeriesKey key,
               core::metering::Sample sample);

// Remembers which problems were already reported, so a file that stays unreadable or a line
// that stays malformed is not repeated every second. A round keeps at most kMaxLinesPerFile
// malformed lines of a file and kMaxProblems in all: a file of garbage must neither make a
// megabyte of problems nor hide the other sources' ones.
class ProblemLog
{
public:
    static constexpr qsizetype kMaxProblems = 100;
    static constexpr int kMaxLinesPerFile = 3;
    void note(const QString &problem);
    // "PATH:LINE: WHAT", the line skipped (past kMaxLinesPerFile: counted, not listed).
    void noteLine(const QString &path, int line, const QString &what);
    // The problems noted since the last call that were not noted in the round before it.
    QStringList finishRound();
    // Every problem of the last finished round: what is wrong now.
    QStringList current() const;

private:
    QSet<QString> m_now;
    QSet<QString> m_last;
    qsizetype m_unlisted = 0;       // noted this round past kMaxProblems
    QHash<QString, int> m_badLines; // file -> malformed lines this round
};

// An entity name a series key accepts (core::metering::SeriesKey::parse): at most 255
// characters, no '|', no control characters. Names come from the kernel (an interface, a mount
// point) and may be anything; those that are not are left out and reported.
bool isSeriesName(const QString &name);

} // namespace converge::collectors::metering
