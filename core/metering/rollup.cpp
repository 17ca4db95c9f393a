#include "rollup.h"

#include <algorithm>

namespace converge::core::metering {

qint64 tierWidthMs(Tier tier)
{
    switch (tier) {
    case Tier::Raw:
        return 0;
    case Tier::Minute:
        return 60'000;
    case Tier::Hour:
        return 3'600'000;
    }
    return 0;
}

qint64 alignDown(qint64 t, qint64 width)
{
    const qint64 r = t % width;
    return r < 0 ? t - r - width : t - r;
}

void Bucket::add(const Sample &sample)
{
    if (count == 0) {
        min = max = sample.value;
    } else {
        min = std::min(min, sample.value);
        max = std::max(max, sample.value);
    }
    ++count;
    sum += sample.value;
    area += sample.value * double(sample.spanMs) / 1000.0;
}

void Bucket::merge(const Bucket &other)
{
    if (other.count == 0)
        return;
    if (count == 0) {
        min = other.min;
        max = other.max;
    } else {
        min = std::min(min, other.min);
        max = std::max(max, other.max);
    }
    count += other.count;
    sum += other.sum;
    area += other.area;
}

RollupAccumulator::RollupAccumulator(Tier tier)
    : m_widthMs(std::max<qint64>(tierWidthMs(tier), 1))
{
}

// Starts the period at startMs; the bucket it ends, when that held samples.
std::optional<Bucket> RollupAccumulator::moveTo(qint64 startMs)
{
    if (m_open.count > 0 && m_open.startMs == startMs)
        return std::nullopt;
    std::optional<Bucket> closed;
    if (m_open.count > 0)
        closed = m_open;
    m_open = Bucket{};
    m_open.startMs = startMs;
    return closed;
}

std::optional<Bucket> RollupAccumulator::add(const Sample &sample)
{
    auto closed = moveTo(alignDown(sample.tMs, m_widthMs));
    m_open.add(sample);
    return closed;
}

std::optional<Bucket> RollupAccumulator::add(const Bucket &finer)
{
    auto closed = moveTo(alignDown(finer.startMs, m_widthMs));
    m_open.merge(finer);
    return closed;
}

std::optional<Bucket> RollupAccumulator::take()
{
    if (m_open.count == 0)
        return std::nullopt;
    const Bucket open = m_open;
    m_open = Bucket{};
    m_open.startMs = open.startMs;
    return open;
}

} // namespace converge::core::metering
