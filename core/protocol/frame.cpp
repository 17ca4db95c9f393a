#include "frame.h"

#include <QJsonDocument>
#include <QtEndian>

#include <algorithm>

namespace converge::core::protocol {

using core::invalid;
using core::Result;

namespace {

constexpr qsizetype kHeaderBytes = 4;

bool isTypeChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
}

Result<QString> readType(const QJsonObject &root)
{
    const QJsonValue v = root.value(QLatin1String("type"));
    if (v.isUndefined())
        return invalid(QStringLiteral("type: missing (required)"));
    if (!v.isString())
        return invalid(QStringLiteral("type: must be a string"));
    const QString type = v.toString();
    if (type.isEmpty() || type.size() > kMaxTypeLength)
        return invalid(QStringLiteral("type: must be 1 to %1 characters").arg(kMaxTypeLength));
    if (!std::ranges::all_of(type, isTypeChar))
        return invalid(QStringLiteral("type: \"%1\" uses characters other than a-z, 0-9, '_' "
                                      "and '-'")
                           .arg(type));
    return type;
}

// An "error" may carry id 0: it answers a frame that could not be read, so no request id exists.
Result<qint64> readId(const QJsonObject &root, const QString &type)
{
    const QJsonValue v = root.value(QLatin1String("id"));
    if (v.isUndefined())
        return invalid(QStringLiteral("id: missing (required)"));
    const double d = v.toDouble(-1);
    const qint64 id = v.toInteger(-1);
    if (!v.isDouble() || id < 0 || double(id) != d)
        return invalid(QStringLiteral("id: must be a positive integer"));
    if (id == 0 && type != QLatin1String("error"))
        return invalid(QStringLiteral("id: must be a positive integer"));
    if (id > kMaxMessageId)
        return invalid(
            QStringLiteral("id: must be a positive integer of at most %1").arg(kMaxMessageId));
    return id;
}

QString describe(const QJsonDocument &doc)
{
    return doc.isArray() ? QStringLiteral("an array") : QStringLiteral("a scalar");
}

} // namespace

QByteArray encodeFrame(const Message &message)
{
    const QJsonObject root{{QStringLiteral("type"), message.type},
                           {QStringLiteral("id"), message.id},
                           {QStringLiteral("body"), message.body}};
    const QByteArray payload = QJsonDocument(root).toJson(QJsonDocument::Compact);
    QByteArray frame(kHeaderBytes, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(payload.size()), frame.data());
    return frame + payload;
}

Result<Message> parseMessage(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return invalid(QStringLiteral("frame: not valid JSON (%1 at byte %2)")
                           .arg(parseError.errorString())
                           .arg(parseError.offset));
    if (!doc.isObject())
        return invalid(QStringLiteral("frame: expected a JSON object, got %1").arg(describe(doc)));
    const QJsonObject root = doc.object();
    Message message;
    auto type = readType(root);
    if (!type)
        return std::unexpected(type.error());
    message.type = *type;
    auto id = readId(root, message.type);
    if (!id)
        return std::unexpected(id.error());
    message.id = *id;
    const QJsonValue body = root.value(QLatin1String("body"));
    if (!body.isUndefined() && !body.isObject())
        return invalid(QStringLiteral("body: must be an object"));
    message.body = body.toObject();
    return message;
}

FrameDecoder::FrameDecoder(qint64 maxFrameBytes)
    : m_maxFrameBytes(std::clamp<qint64>(maxFrameBytes, 1, kMaxFrameBytes))
{
}

void FrameDecoder::feed(const QByteArray &bytes)
{
    if (m_broken)
        return;
    if (m_offset > 0) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

qint64 FrameDecoder::currentFrameBytes()
{
    if (m_broken || buffered() < kHeaderBytes)
        return 0;
    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + m_offset);
    if (length > m_maxFrameBytes) // refused by next()
        return 0;
    const qint64 frame = kHeaderBytes + qint64(length);
    if (m_offset == 0 && m_buffer.capacity() < frame)
        m_buffer.reserve(frame);
    return frame;
}

std::optional<Result<Message>> FrameDecoder::next()
{
    if (m_broken || m_buffer.size() - m_offset < kHeaderBytes)
        return std::nullopt;
    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + m_offset);
    // Checked on the header alone, so an oversized frame is refused before it is buffered.
    if (length == 0)
        return breakWith(QStringLiteral("frame of 0 bytes: a frame carries one JSON object"));
    if (length > m_maxFrameBytes)
        return breakWith(QStringLiteral("frame of %1 bytes exceeds the %2-byte cap")
                             .arg(length)
                             .arg(m_maxFrameBytes));
    if (m_buffer.size() - m_offset - kHeaderBytes < qsizetype(length))
        return std::nullopt;
    const QByteArray payload = m_buffer.mid(m_offset + kHeaderBytes, length);
    m_offset += kHeaderBytes + length;
    if (m_offset == m_buffer.size()) { // nothing left: give a large frame's memory back now
        m_buffer.clear();
        m_offset = 0;
    }
    auto message = parseMessage(payload);
    if (!message)
        return breakWith(message.error().message);
    return message;
}

std::unexpected<core::Error> FrameDecoder::breakWith(const QString &message)
{
    m_broken = true;
    m_buffer.clear();
    m_offset = 0;
    return invalid(message);
}

Message errorReply(qint64 id, const QString &code, const QString &message)
{
    return {QStringLiteral("error"), id,
            QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}};
}

Message reply(qint64 id, QJsonObject body)
{
    return {QStringLiteral("result"), id, std::move(body)};
}

} // namespace converge::core::protocol
