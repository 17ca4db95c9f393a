#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <deque>
#include <vector>

// What an agent keeps of a stream so that a console that lost its connection can back-fill: the
// latest events, numbered, bounded by age and by bytes (docs/agent.md, "Streams"). Each event's
// data is kept as its compact JSON text, so the buffer costs what the events weigh on the wire.
namespace converge::core::protocol {

class StreamBuffer
{
public:
    struct Event
    {
        qint64 seq = 0;
        qint64 tMs = 0;
        QByteArray data; // the event's "data" object, compact JSON
    };

    StreamBuffer(qint64 maxAgeMs, qint64 maxBytes);

    // Appends an event at tMs and drops what is older than maxAgeMs before it or beyond
    // maxBytes (an event larger than maxBytes alone is kept until the next one); returns its seq.
    qint64 append(qint64 tMs, QByteArray data);
    // The events after `seq` still held, oldest first, at most `limit`.
    std::vector<Event> after(qint64 seq, qsizetype limit) const;

    qint64 firstSeq() const; // the oldest held (lastSeq() + 1 when empty)
    qint64 lastSeq() const { return m_nextSeq - 1; }
    qint64 bytes() const { return m_bytes; }
    qsizetype size() const { return qsizetype(m_events.size()); }

private:
    qint64 m_maxAgeMs;
    qint64 m_maxBytes;
    std::deque<Event> m_events;
    qint64 m_bytes = 0;
    qint64 m_nextSeq = 1;
};

} // namespace converge::core::protocol
