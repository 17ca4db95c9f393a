#pragma once

#include "core/protocol/frame.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

// What every fuzz target checks besides "no crash, leak or undefined behaviour": a failed
// invariant aborts with what it was, which libFuzzer reports as a crash and keeps the input.
namespace converge::fuzz {

[[noreturn]] inline void violated(const char *what, const QString &detail)
{
    std::fprintf(stderr, "invariant violated: %s\n  %s\n", what, qPrintable(detail));
    std::abort();
}

inline void require(bool holds, const char *what, const QString &detail = {})
{
    if (!holds)
        violated(what, detail);
}

// An error a user is shown must say something.
template<typename T> bool failedWithMessage(const core::Result<T> &result)
{
    if (!result)
        require(!result.error().message.isEmpty(), "an error has a message");
    return !result;
}

inline QByteArray bytesOf(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

inline QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

inline bool sameMessage(const core::protocol::Message &a, const core::protocol::Message &b)
{
    return a.type == b.type && a.id == b.id && a.body == b.body;
}

inline QString describe(const core::protocol::Message &m)
{
    return QStringLiteral("%1 #%2 %3").arg(m.type).arg(m.id).arg(compact(m.body));
}

// A message that parsed is one the protocol allows, and encodeFrame turns it into one frame
// that decodes and parses back to the same message.
inline void checkParsedMessage(const core::protocol::Message &m)
{
    namespace protocol = core::protocol;
    require(!m.type.isEmpty() && m.type.size() <= protocol::kMaxTypeLength, "type length", m.type);
    require(m.id >= 0 && m.id <= protocol::kMaxMessageId, "id range", describe(m));
    require(m.id > 0 || m.type == QLatin1String("error"), "id 0 is an error's only", describe(m));
    const QByteArray frame = protocol::encodeFrame(m);
    protocol::FrameDecoder decoder;
    decoder.feed(frame);
    const auto again = decoder.next();
    require(again && again->has_value(), "a parsed message re-encodes to a frame that decodes",
            again && !again->has_value() ? again->error().message : describe(m));
    require(sameMessage(**again, m), "re-encoded message is the same",
            describe(m) + QStringLiteral(" -> ") + describe(**again));
    require(!decoder.next() && !decoder.broken(), "one frame is one message");
}

} // namespace converge::fuzz
