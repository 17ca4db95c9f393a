#include "samplerround.h"

#include <algorithm>

namespace converge::collectors::metering {

void addSample(core::metering::SampleBatch &batch, core::metering::SeriesKey key,
               core::metering::Sample sample)
{
    batch.series.push_back({std::move(key), {sample}});
}

QStringList ProblemLog::finishRound()
{
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
