#include "streambuffer.h"

#include <algorithm>

namespace converge::core::protocol {

StreamBuffer::StreamBuffer(qint64 maxAgeMs, qint64 maxBytes)
    : m_maxAgeMs(maxAgeMs)
    , m_maxBytes(maxBytes)
{
}

qint64 StreamBuffer::append(qint64 tMs, QByteArray data)
{
    m_bytes += data.size();
    m_events.push_back(Event{m_nextSeq, tMs, std::move(data)});
    while (m_events.size() > 1 &&
           (m_bytes > m_maxBytes || m_events.front().tMs < tMs - m_maxAgeMs)) {
        m_bytes -= m_events.front().data.size();
        m_events.pop_front();
    }
    return m_nextSeq++;
}

qint64 StreamBuffer::firstSeq() const
{
    return m_events.empty() ? m_nextSeq : m_events.front().seq;
}

std::vector<StreamBuffer::Event> StreamBuffer::after(qint64 seq, qsizetype limit) const
{
    std::vector<Event> events;
    if (m_events.empty() || limit <= 0)
        return events;
    // Sequence numbers are consecutive, so the first one wanted is found by subtraction.
    const qint64 from = std::max(seq + 1, firstSeq());
    if (from > lastSeq())
        return events; // nothing newer (or a seq from before the agent restarted)
    for (auto it = m_events.begin() + (from - firstSeq());
         it != m_events.end() && qsizetype(events.size()) < limit; ++it)
        events.push_back(*it);
    return events;
}

} // namespace converge::core::protocol
