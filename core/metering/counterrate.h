#pragma once

#include "core/metering/sample.h"

#include <QHash>

#include <optional>

// Cumulative counters (bytes received, CPU ticks, sectors read) into Average samples: the mean
// rate over the span since the previous reading of the same counter. Samplers read counters;
// only this class turns them into rates, so every source gets wrap, resets and re-created
// interfaces right the same way (docs/metering.md, "Counters").
namespace converge::core::metering {

struct CounterReading
{
    SeriesKey key;      // the Average series the rate goes to
    qint64 tMs = 0;     // when it was read
    quint64 value = 0;  // the counter
    int bits = 64;      // the counter's width: 32 wraps at 2^32, 64 at 2^64
    QString instance;   // what the counter belongs to ("ifindex 7", a cgroup's inode, the
                        // agent's boot id): when it changes the counter started again from 0
    double scale = 1.0; // multiplies the delta (sectors x 512 -> bytes; ticks -> seconds)
};

class CounterRates
{
public:
    // The sample for this reading, or nothing for a counter's first reading (or after time went
    // backwards, which restarts it). A decrease is a wrap when the counter is 32 bits wide and
    // the wrapped delta is below 2^31; otherwise the counter was reset and the delta is the new
    // value. An instance change (the interface was re-created) counts the new value as the delta.
    std::optional<Sample> feed(const CounterReading &reading);

    // Forgets counters not read since beforeMs (a deleted interface), so memory stays bounded.
    void forgetOlderThan(qint64 beforeMs);
    qsizetype size() const { return m_last.size(); }

private:
    struct Last
    {
        qint64 tMs = 0;
        quint64 value = 0;
        QString instance;
    };
    QHash<SeriesKey, Last> m_last;
};

} // namespace converge::core::metering
