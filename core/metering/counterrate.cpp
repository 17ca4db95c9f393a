#include "counterrate.h"

#include <limits>

namespace converge::core::metering {

namespace {

// How much a counter of BITS width rose from OLD to NOW: a decrease is a wrap when a 32-bit
// counter's wrapped rise is plausible (below 2^31), else a reset to 0 (the rise is NOW).
quint64 increase(quint64 old, quint64 now, int bits)
{
    if (now >= old)
        return now - old;
    constexpr quint64 k32 = 0x1'0000'0000ULL;
    if (bits == 32 && old < k32 && k32 - old + now < k32 / 2)
        return k32 - old + now;
    return now;
}

} // namespace

std::optional<Sample> CounterRates::feed(const CounterReading &r)
{
    const auto it = m_last.find(r.key);
    if (it == m_last.end()) {
        m_last.insert(r.key, Last{r.tMs, r.value, r.instance});
        return std::nullopt;
    }
    const Last last = *it;
    *it = Last{r.tMs, r.value, r.instance};
    const qint64 span = r.tMs - last.tMs;
    if (span <= 0 || span > std::numeric_limits<qint32>::max())
        return std::nullopt; // time went backwards or stood still: start again from here
    const quint64 delta = r.instance == last.instance ? increase(last.value, r.value, r.bits)
                                                      : r.value; // re-created: it started at 0
    return Sample{r.tMs, double(delta) * r.scale * 1000.0 / double(span), qint32(span)};
}

void CounterRates::forgetOlderThan(qint64 beforeMs)
{
    m_last.removeIf([&](const auto &entry) { return entry.value().tMs < beforeMs; });
}

} // namespace converge::core::metering
