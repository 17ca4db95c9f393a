#pragma once

#include "core/metering/sample.h"

#include <optional>

// Rollups (issue 15, "Store"): samples folded into fixed buckets of a minute and of an hour, so
// that a week or a year of a series is read as a few thousand rows and totals stay exact. Pure
// logic: the metering store persists what this computes.
namespace converge::core::metering {

// Raw: the samples themselves. Minute and Hour: buckets aligned to the epoch, a sample belongs to
// the bucket its tMs falls in (so [from, to) on aligned bounds counts the same samples in every
// tier).
enum class Tier : quint8 { Raw, Minute, Hour };

// A bucket's width in milliseconds; 0 for Raw.
qint64 tierWidthMs(Tier tier);
// t rounded down to a multiple of width (width > 0), also for times before the epoch.
qint64 alignDown(qint64 t, qint64 width);

// What a bucket keeps of its samples. area is the sum of value x spanMs / 1000: for an Average
// series the total over the bucket (bytes from bytes a second), for a Gauge 0.
struct Bucket
{
    qint64 startMs = 0;
    qint64 count = 0;
    double min = 0;
    double max = 0;
    double sum = 0;
    double area = 0;

    void add(const Sample &sample);
    // Folds in another bucket's samples (a minute into its hour, a delta into a stored row).
    void merge(const Bucket &other);
    double avg() const { return count > 0 ? sum / double(count) : 0; }
    friend bool operator==(const Bucket &, const Bucket &) = default;
};

// Folds one series' samples (or finer buckets), in rising time, into the open bucket of a tier
// and hands back each bucket as it closes. take() empties the open bucket without closing its
// period: what follows in the same period starts a new partial bucket with the same startMs,
// which the store merges into the row it wrote before.
class RollupAccumulator
{
public:
    explicit RollupAccumulator(Tier tier);

    // The bucket closed by this sample (it starts a later period), if any.
    std::optional<Bucket> add(const Sample &sample);
    // The same for a finer bucket (a minute into an hour).
    std::optional<Bucket> add(const Bucket &finer);
    // The open bucket, if it holds anything; afterwards it is empty.
    std::optional<Bucket> take();
    const Bucket &open() const { return m_open; }

private:
    std::optional<Bucket> moveTo(qint64 startMs);

    qint64 m_widthMs;
    Bucket m_open;
};

} // namespace converge::core::metering
