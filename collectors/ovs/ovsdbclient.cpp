#include "ovsdbclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLocalSocket>

namespace converge::collectors::ovs {

namespace {

using core::Error;
using core::fail;

// "constraint violation: details" from an RFC 7047 error object (or a plain string).
QString errorText(const QJsonValue &error, const QJsonValue &details = {})
{
    QString text;
    if (error.isString())
        text = error.toString();
    else if (error.isObject())
        return errorText(error.toObject().value(QStringLiteral("error")),
                         error.toObject().value(QStringLiteral("details")));
    else
        text = QString::fromUtf8(
            QJsonDocument(QJsonArray{error}).toJson(QJsonDocument::Compact).chopped(1).mid(1));
    if (details.isString() && !details.toString().isEmpty())
        text += QStringLiteral(": ") + details.toString();
    return text;
}

qint64 remaining(const QElapsedTimer &timer, qint64 timeoutMs)
{
    return std::max<qint64>(0, timeoutMs - timer.elapsed());
}

} // namespace

void JsonStreamSplitter::append(const QByteArray &bytes)
{
    m_buffer.append(bytes);
}

void JsonStreamSplitter::clear()
{
    *this = JsonStreamSplitter();
}

Result<std::optional<QByteArray>> JsonStreamSplitter::next()
{
    const qsizetype size = m_buffer.size();
    const char *data = m_buffer.constData();
    for (qsizetype i = m_scan; i < size; ++i) {
        const char c = data[i];
        if (m_start < 0) {
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
                continue;
            if (c != '{' && c != '[') {
                const QByteArray context = m_buffer.mid(i, 40);
                m_buffer.clear();
                m_scan = 0;
                return core::fail(Error::Code::Io,
                                  QStringLiteral("JSON stream: expected '{' or '[' but got \"%1\"")
                                      .arg(QString::fromUtf8(context)));
            }
            m_start = i;
            m_depth = 1;
            continue;
        }
        if (m_inString) {
            if (m_escape)
                m_escape = false;
            else if (c == '\\')
                m_escape = true;
            else if (c == '"')
                m_inString = false;
            continue;
        }
        if (c == '"') {
            m_inString = true;
        } else if (c == '{' || c == '[') {
            ++m_depth;
        } else if ((c == '}' || c == ']') && --m_depth == 0) {
            QByteArray text = m_buffer.mid(m_start, i + 1 - m_start);
            m_buffer.remove(0, i + 1);
            m_scan = 0;
            m_start = -1;
            return std::optional<QByteArray>(std::move(text));
        }
    }
    if (m_start < 0) { // only whitespace so far: drop it
        m_buffer.clear();
        m_scan = 0;
    } else {
        m_scan = size;
    }
    return std::optional<QByteArray>();
}

OvsdbClient::OvsdbClient() = default;

OvsdbClient::~OvsdbClient()
{
    close();
}

QString OvsdbClient::where() const
{
    return QStringLiteral("OVSDB unix:%1").arg(m_path);
}

Result<void> OvsdbClient::connectToServer(const QString &socketPath, int timeoutMs)
{
    close();
    m_path = socketPath;
    m_socket = std::make_unique<QLocalSocket>();
    m_socket->connectToServer(socketPath, QIODevice::ReadWrite);
    if (m_socket->state() != QLocalSocket::ConnectedState &&
        !m_socket->waitForConnected(timeoutMs)) {
        const QString why = m_socket->errorString();
        m_socket.reset();
        return fail(Error::Code::Io, QStringLiteral("%1: cannot connect: %2").arg(where(), why));
    }
    return {};
}

void OvsdbClient::close()
{
    if (m_socket) {
        m_socket->abort();
        m_socket.reset();
    }
    m_splitter.clear();
}

bool OvsdbClient::isConnected() const
{
    return m_socket && m_socket->state() == QLocalSocket::ConnectedState;
}

Result<void> OvsdbClient::send(const QJsonObject &message, qint64 timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    const QByteArray bytes = QJsonDocument(message).toJson(QJsonDocument::Compact);
    if (m_socket->write(bytes) != bytes.size())
        return fail(Error::Code::Io,
                    QStringLiteral("%1: write failed: %2").arg(where(), m_socket->errorString()));
    while (m_socket->bytesToWrite() > 0) {
        if (!m_socket->waitForBytesWritten(int(remaining(timer, timeoutMs))))
            return fail(Error::Code::Io, QStringLiteral("%1: write failed or timed out: %2")
                                             .arg(where(), m_socket->errorString()));
    }
    return {};
}

Result<QJsonValue> OvsdbClient::call(const QString &method, const QJsonArray &params, int timeoutMs)
{
    if (!isConnected())
        return fail(Error::Code::Io, QStringLiteral("%1: %2: not connected").arg(where(), method));
    QElapsedTimer timer;
    timer.start();
    const qint64 id = m_nextId++;
    const QJsonObject request{{QStringLiteral("method"), method},
                              {QStringLiteral("params"), params},
                              {QStringLiteral("id"), double(id)}};
    if (auto sent = send(request, timeoutMs); !sent)
        return std::unexpected(sent.error());

    for (;;) {
        auto text = m_splitter.next();
        if (!text)
            return fail(Error::Code::Io,
                        QStringLiteral("%1: %2: %3").arg(where(), method, text.error().message));
        const std::optional<QByteArray> &received = *text;
        if (!received) {
            const qint64 left = remaining(timer, timeoutMs);
            if (left == 0 || !m_socket->waitForReadyRead(int(left))) {
                if (m_socket->state() != QLocalSocket::ConnectedState)
                    return fail(Error::Code::Io,
                                QStringLiteral("%1: %2: connection closed: %3")
                                    .arg(where(), method, m_socket->errorString()));
                return fail(Error::Code::Io, QStringLiteral("%1: %2: no reply within %3 ms")
                                                 .arg(where(), method)
                                                 .arg(timeoutMs));
            }
            m_splitter.append(m_socket->readAll());
            continue;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(*received, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject())
            return fail(Error::Code::Io, QStringLiteral("%1: %2: malformed message: %3")
                                             .arg(where(), method, parseError.errorString()));
        const QJsonObject message = doc.object();
        const QJsonValue msgId = message.value(QStringLiteral("id"));
        if (message.contains(QStringLiteral("method"))) {
            // A request or notification from the server: answer echo, ignore the rest.
            if (message.value(QStringLiteral("method")).toString() == QLatin1String("echo") &&
                !msgId.isNull() && !msgId.isUndefined()) {
                const QJsonObject reply{
                    {QStringLiteral("id"), msgId},
                    {QStringLiteral("result"), message.value(QStringLiteral("params"))},
                    {QStringLiteral("error"), QJsonValue::Null}};
                if (auto sent = send(reply, remaining(timer, timeoutMs) + 1000); !sent)
                    return std::unexpected(sent.error());
            }
            continue;
        }
        if (!msgId.isDouble() || qint64(msgId.toDouble()) != id)
            continue; // a reply to an earlier request that timed out
        const QJsonValue error = message.value(QStringLiteral("error"));
        if (!error.isNull() && !error.isUndefined())
            return fail(Error::Code::Io,
                        QStringLiteral("%1: %2 failed: %3").arg(where(), method, errorText(error)));
        return message.value(QStringLiteral("result"));
    }
}

Result<QJsonArray> OvsdbClient::transact(const QString &db, const QJsonArray &operations,
                                         int timeoutMs)
{
    QJsonArray params{db};
    for (const QJsonValue &op : operations)
        params.append(op);
    auto result = call(QStringLiteral("transact"), params, timeoutMs);
    if (!result)
        return std::unexpected(result.error());
    if (!result->isArray())
        return fail(
            Error::Code::Io,
            QStringLiteral("%1: transact on %2: the result is not an array").arg(where(), db));
    const QJsonArray results = result->toArray();
    for (qsizetype i = 0; i < results.size(); ++i) {
        const QJsonObject r = results.at(i).toObject();
        if (!r.contains(QStringLiteral("error")))
            continue;
        const QString text =
            errorText(r.value(QStringLiteral("error")), r.value(QStringLiteral("details")));
        if (i >= operations.size())
            return fail(
                Error::Code::Store,
                QStringLiteral("%1: transact on %2: commit failed: %3").arg(where(), db, text));
        const QJsonObject op = operations.at(i).toObject();
        QString what = op.value(QStringLiteral("op")).toString();
        if (op.contains(QStringLiteral("table")))
            what += u' ' + op.value(QStringLiteral("table")).toString();
        return fail(Error::Code::Store,
                    QStringLiteral("%1: transact on %2: operation %3 (%4) failed: %5")
                        .arg(where(), db)
                        .arg(i)
                        .arg(what, text));
    }
    if (results.size() < operations.size())
        return fail(Error::Code::Io,
                    QStringLiteral("%1: transact on %2: %3 results for %4 operations")
                        .arg(where(), db)
                        .arg(results.size())
                        .arg(operations.size()));
    return results;
}

Result<QJsonObject> OvsdbClient::getSchema(const QString &db, int timeoutMs)
{
    auto result = call(QStringLiteral("get_schema"), QJsonArray{db}, timeoutMs);
    if (!result)
        return std::unexpected(result.error());
    if (!result->isObject())
        return fail(
            Error::Code::Io,
            QStringLiteral("%1: get_schema %2: the result is not an object").arg(where(), db));
    return result->toObject();
}

} // namespace converge::collectors::ovs
