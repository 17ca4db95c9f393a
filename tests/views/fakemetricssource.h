#pragma once

// A MetricsSource with known data for the chart tests and their screenshot: samples kept in
// memory, queries summarized per column as the store does (min, max, avg of the samples in each
// column), every call counted, and one query that can be held until the test lets it go.
#include "core/metering/metricssource.h"

#include <QHash>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace converge::views::test {

class FakeMetricsSource : public core::metering::MetricsSource
{
public:
    void add(const core::metering::SeriesKey &key, std::vector<core::metering::Sample> samples)
    {
        m_keys.push_back(key);
        m_samples.insert(key, std::move(samples));
    }

    std::vector<core::metering::SeriesKey> series(const QString &host = {}) const override
    {
        std::vector<core::metering::SeriesKey> out;
        for (const auto &k : m_keys) {
            if (host.isEmpty() || k.host == host)
                out.push_back(k);
        }
        return out;
    }

    core::Result<std::vector<core::metering::ChartPoint>>
    query(const core::metering::SeriesKey &key, qint64 fromMs, qint64 toMs,
          int maxPoints) const override
    {
        holdIfAsked(fromMs);
        calls.fetch_add(1);
        lastMaxPoints.store(maxPoints);
        lastFromMs.store(fromMs);
        lastToMs.store(toMs);
        if (maxPoints <= 0 || toMs <= fromMs)
            return core::invalid(QStringLiteral("query: bad range or columns"));
        if (!failure.isEmpty())
            return core::fail(core::Error::Code::Store, failure);
        auto columns = summarize(m_samples.value(key), fromMs, toMs, maxPoints);
        finished.fetch_add(1);
        return columns;
    }

    // The next query starting at fromMs waits in holdIfAsked() until release().
    void holdNextFrom(qint64 fromMs) { m_holdFrom.store(fromMs); }
    void release()
    {
        std::lock_guard lock(m_mutex);
        m_released = true;
        m_cv.notify_all();
    }

    mutable std::atomic<int> calls{0};
    mutable std::atomic<int> finished{0};
    mutable std::atomic<int> lastMaxPoints{0};
    mutable std::atomic<qint64> lastFromMs{0};
    mutable std::atomic<qint64> lastToMs{0};
    mutable std::atomic<bool> holding{false};
    QString failure; // set before the chart queries: every query fails with it

private:
    void holdIfAsked(qint64 fromMs) const
    {
        qint64 expected = fromMs;
        if (!m_holdFrom.compare_exchange_strong(expected, -1))
            return;
        holding.store(true);
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_released; });
    }

    static std::vector<core::metering::ChartPoint>
    summarize(const std::vector<core::metering::Sample> &samples, qint64 fromMs, qint64 toMs,
              int maxPoints)
    {
        const qint64 width = (toMs - fromMs + maxPoints - 1) / maxPoints;
        std::vector<core::metering::ChartPoint> out;
        for (const auto &s : samples) {
            if (s.tMs < fromMs || s.tMs >= toMs)
                continue;
            const qint64 t = fromMs + (s.tMs - fromMs) / width * width;
            if (out.empty() || out.back().tMs != t)
                out.push_back({t, s.value, s.value, 0, 0});
            auto &p = out.back();
            p.min = std::min(p.min, s.value);
            p.max = std::max(p.max, s.value);
            p.avg = (p.avg * double(p.count) + s.value) / double(p.count + 1);
            ++p.count;
        }
        return out;
    }

    std::vector<core::metering::SeriesKey> m_keys;
    QHash<core::metering::SeriesKey, std::vector<core::metering::Sample>> m_samples;
    mutable std::atomic<qint64> m_holdFrom{-1};
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    bool m_released = false;
};

} // namespace converge::views::test
