// FrameDecoder on an arbitrary byte stream fed in arbitrary chunks. The input's first byte says
// how many chunk sizes follow (its low 4 bits), each next byte is one (1-256 bytes, used in
// turn); the rest is the stream. Checked: one feed of the whole stream yields what a plain
// reading of the framing rules does (frame.h), and the chunking (also one byte at a time)
// changes nothing; an error has a message and breaks the decoder for good (nothing comes out
// after it, whatever is fed); every message is a valid one that re-encodes (encodeFrame) and
// decodes to itself.
#include "fuzzchecks.h"

#include <QtEndian>

#include <vector>

using namespace converge;
using core::protocol::FrameDecoder;
using core::protocol::Message;
using fuzz::require;

namespace {

struct Outcome
{
    std::vector<Message> messages;
    QString error; // the error that broke the decoder, if one did
};

QByteArray trailer()
{
    return core::protocol::encodeFrame(core::protocol::reply(1, {}));
}

void drain(FrameDecoder &decoder, Outcome &out)
{
    while (auto next = decoder.next()) {
        require(out.error.isEmpty(), "nothing comes out of a broken decoder");
        if (fuzz::failedWithMessage(*next)) {
            require(decoder.broken(), "an error breaks the decoder");
            out.error = next->error().message;
            continue;
        }
        fuzz::checkParsedMessage(**next);
        out.messages.push_back(std::move(**next));
    }
    require(out.error.isEmpty() == !decoder.broken(), "broken() says whether it broke");
}

Outcome decode(const QByteArray &stream, const std::vector<qsizetype> &chunks)
{
    FrameDecoder decoder;
    Outcome out;
    qsizetype at = 0;
    for (std::size_t i = 0; at < stream.size(); ++i) {
        const qsizetype n = chunks.empty() ? stream.size() : chunks[i % chunks.size()];
        decoder.feed(stream.mid(at, n));
        at += n;
        drain(decoder, out);
    }
    // After a break, this is ignored; else it is one more message (or completes a frame).
    decoder.feed(trailer());
    drain(decoder, out);
    return out;
}

// The framing rules read plainly, on the whole stream and the trailer at once.
Outcome reference(const QByteArray &input)
{
    const QByteArray stream = input + trailer();
    Outcome out;
    for (qsizetype at = 0; stream.size() - at >= 4;) {
        const qint64 length = qFromBigEndian<quint32>(stream.constData() + at);
        if (length == 0 || length > core::protocol::kMaxFrameBytes) {
            out.error = QStringLiteral("(a bad length)");
            break;
        }
        if (stream.size() - at - 4 < length)
            break;
        auto message = core::protocol::parseMessage(stream.mid(at + 4, length));
        if (!message) {
            out.error = message.error().message;
            break;
        }
        out.messages.push_back(std::move(*message));
        at += 4 + length;
    }
    return out;
}

void requireAsReference(const Outcome &decoded, const Outcome &expected)
{
    require(decoded.messages.size() == expected.messages.size(), "the decoder yields every frame");
    for (std::size_t i = 0; i < expected.messages.size(); ++i)
        require(fuzz::sameMessage(decoded.messages[i], expected.messages[i]),
                "the decoder yields each frame's message", fuzz::describe(expected.messages[i]));
    require(decoded.error.isEmpty() == expected.error.isEmpty(),
            "the decoder breaks on a bad frame",
            decoded.error + QStringLiteral(" vs ") + expected.error);
    if (expected.error != QLatin1String("(a bad length)"))
        require(decoded.error == expected.error, "the decoder says what was wrong", decoded.error);
}

void requireSame(const Outcome &whole, const Outcome &chunked)
{
    require(whole.error == chunked.error, "chunking changes no error",
            whole.error + QStringLiteral(" vs ") + chunked.error);
    require(whole.messages.size() == chunked.messages.size(), "chunking changes no message count");
    for (std::size_t i = 0; i < whole.messages.size(); ++i)
        require(fuzz::sameMessage(whole.messages[i], chunked.messages[i]),
                "chunking changes no message", fuzz::describe(whole.messages[i]));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t count = std::min<std::size_t>(data[0] & 0x0f, size - 1);
    std::vector<qsizetype> chunks;
    for (std::size_t i = 1; i <= count; ++i)
        chunks.push_back(qsizetype(data[i]) + 1);
    const QByteArray stream = fuzz::bytesOf(data + 1 + count, size - 1 - count);
    const Outcome whole = decode(stream, {});
    requireAsReference(whole, reference(stream));
    requireSame(whole, decode(stream, chunks));
    requireSame(whole, decode(stream, {1}));
    return 0;
}
