#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

// Framing of the console <-> agent protocol: a 4-byte big-endian length N, then N bytes of a
// UTF-8 JSON object {"type": string, "id": integer, "body": object} (docs/agent.md, "Protocol").
namespace converge::core::protocol {

struct Message
{
    QString type; // 1-64 characters of [a-z0-9_-]
    qint64 id =
        0; // 1..2^53 for requests; replies repeat it; an "error" with id 0 ends a connection
    QJsonObject body;
};

constexpr qint64 kMaxFrameBytes = qint64(8) * 1024 * 1024;
constexpr qint64 kMaxMessageId = qint64(1) << 53; // the largest integer a JSON double holds exactly
constexpr qsizetype kMaxTypeLength = 64;

QByteArray encodeFrame(const Message &message);

// Parses and checks one frame's JSON payload (without the length prefix).
core::Result<Message> parseMessage(const QByteArray &json);

// Splits a byte stream into messages. The first malformed frame breaks the decoder for good: the
// stream can no longer be trusted to be in step, so the connection must be closed.
class FrameDecoder
{
public:
    FrameDecoder() = default;
    // Frames longer than maxFrameBytes (at most kMaxFrameBytes) are refused on their header.
    explicit FrameDecoder(qint64 maxFrameBytes);

    void feed(const QByteArray &bytes);
    // A complete message, an error (the decoder is then broken), or nullopt if more bytes are
    // needed or the decoder is broken.
    std::optional<core::Result<Message>> next();
    bool broken() const { return m_broken; }
    // Bytes fed and not yet taken by next(): a partial frame, or frames not yet read.
    qsizetype buffered() const { return m_buffer.size() - m_offset; }
    qint64 maxFrameBytes() const { return m_maxFrameBytes; }
    // The bytes of the frame being received, header included, once its header is in (0 before):
    // what a reader must be prepared to hold to complete it. Reserves that much at once, so that
    // receiving it never reallocates.
    qint64 currentFrameBytes();

private:
    std::unexpected<core::Error> breakWith(const QString &message);

    QByteArray m_buffer;
    qsizetype m_offset = 0; // bytes of m_buffer already consumed
    qint64 m_maxFrameBytes = kMaxFrameBytes;
    bool m_broken = false;
};

// {"type": "error", "id": id, "body": {"code": code, "message": message}}
Message errorReply(qint64 id, const QString &code, const QString &message);
// {"type": "result", "id": id, "body": body}
Message reply(qint64 id, QJsonObject body);

} // namespace converge::core::protocol
