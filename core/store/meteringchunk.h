#pragma once

// Internal to the metering store (meteringstore*.cpp): not part of core's interface.

#include "core/metering/sample.h"

#include <QByteArray>

#include <vector>

namespace converge::core::metering {

// One series' raw samples within one minute, as a row of metering_raw keeps them: per sample the
// time since the previous one and the span's change (zigzag varints, a byte or two each at a
// steady rate), then the value's 8 bytes. About 11 bytes a sample instead of a 30-byte row.
class SampleChunk
{
public:
    // Samples must rise in time; the first one fixes firstMs (the row's key).
    void append(const Sample &sample);
    bool isEmpty() const { return m_count == 0; }
    qint64 firstMs() const { return m_first; }
    qint64 lastMs() const { return m_last; }
    qint64 count() const { return m_count; }
    const QByteArray &bytes() const { return m_bytes; }

    // Appends the `count` samples of a stored chunk that starts at firstMs to `out`; false when
    // the bytes are damaged (truncated, too long, or times that do not rise).
    static bool decode(const QByteArray &bytes, qint64 firstMs, qint64 count,
                       std::vector<Sample> &out);

private:
    QByteArray m_bytes;
    qint64 m_first = 0;
    qint64 m_last = 0;
    qint32 m_lastSpan = 0;
    qint64 m_count = 0;
};

} // namespace converge::core::metering
