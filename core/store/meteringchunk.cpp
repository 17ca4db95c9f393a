#include "meteringchunk.h"

#include <cstring>

namespace converge::core::metering {

namespace {

void putVarint(QByteArray &out, qint64 v)
{
    // Zigzag: small negative and positive changes both take one byte.
    auto z = (quint64(v) << 1) ^ quint64(v >> 63);
    while (z >= 0x80) {
        out.append(char((z & 0x7f) | 0x80));
        z >>= 7;
    }
    out.append(char(z));
}

bool getVarint(const char *&p, const char *end, qint64 &v)
{
    quint64 z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p == end)
            return false;
        const auto byte = quint8(*p++);
        z |= quint64(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            v = qint64(z >> 1) ^ -qint64(z & 1);
            return true;
        }
    }
    return false;
}

} // namespace

void SampleChunk::append(const Sample &sample)
{
    if (m_count == 0)
        m_first = m_last = sample.tMs;
    putVarint(m_bytes, sample.tMs - m_last);
    putVarint(m_bytes, qint64(sample.spanMs) - m_lastSpan);
    char value[sizeof(double)];
    std::memcpy(value, &sample.value, sizeof value);
    m_bytes.append(value, sizeof value);
    m_last = sample.tMs;
    m_lastSpan = sample.spanMs;
    ++m_count;
}

bool SampleChunk::decode(const QByteArray &bytes, qint64 firstMs, qint64 count,
                         std::vector<Sample> &out)
{
    const char *p = bytes.constData();
    const char *end = p + bytes.size();
    qint64 t = firstMs;
    qint64 span = 0;
    for (qint64 i = 0; i < count; ++i) {
        qint64 dt = 0, dspan = 0;
        if (!getVarint(p, end, dt) || !getVarint(p, end, dspan) ||
            end - p < qsizetype(sizeof(double)) || dt < 0 || (i > 0 && dt == 0))
            return false;
        t += dt;
        span += dspan;
        Sample s{t, 0, qint32(span)};
        std::memcpy(&s.value, p, sizeof(double));
        p += sizeof(double);
        out.push_back(s);
    }
    return p == end;
}

} // namespace converge::core::metering
