#include "samplerround.h"

#include "collectors/metering/procfile.h"

#include <algorithm>

namespace converge::collectors::metering {

void addSample(core::metering::SampleBatch &batch, core::metering::SeriesKey key,
               core::metering::Sample sample)
{
    batch.series.push_back({std::move(key), {sample}});
}

void ProblemLog::note(const QString &problem)
{
    if (m_now.size() < kMaxProblems || m_now.contains(problem))
        m_now.insert(problem);
    else
        ++m_unlisted;
}

void ProblemLog::noteLine(const QString &path, int line, const QString &what)
{
    if (++m_badLines[path] <= kMaxLinesPerFile)
        note(lineProblem(path, line, what));
}

QStringList ProblemLog::finishRound()
{
    for (const auto &[path, count] : m_badLines.asKeyValueRange())
        if (count > kMaxLinesPerFile)
            note(QStringLiteral("%1: %2 more malformed lines skipped")
                     .arg(path)
                     .arg(count - kMaxLinesPerFile));
    if (m_unlisted > 0)
        m_now.insert(QStringLiteral("%1 more problems not listed").arg(m_unlisted));
    m_unlisted = 0;
    m_badLines.clear();
    QStringList fresh;
    for (const QString &problem : std::as_const(m_now))
        if (!m_last.contains(problem))
            fresh.append(problem);
    fresh.sort();
    m_last = std::exchange(m_now, {});
    return fresh;
}

QStringList ProblemLog::current() const
{
    QStringList all(m_last.begin(), m_last.end());
    all.sort();
    return all;
}

bool isSeriesName(const QString &name)
{
    return name.size() <= 255 && std::ranges::none_of(name, [](QChar c) {
               return c == u'|' || c.category() == QChar::Other_Control ||
                      c.category() == QChar::Other_Format;
           });
}

} // namespace converge::collectors::metering
