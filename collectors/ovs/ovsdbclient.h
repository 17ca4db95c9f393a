#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <memory>
#include <optional>

class QLocalSocket;

// A small synchronous OVSDB client (RFC 7047 JSON-RPC over ovsdb-server's unix socket). It
// blocks the calling thread; no event loop is needed. One client is one connection and must be
// used from one thread at a time.
namespace converge::collectors::ovs {

using core::Result;

// Splits a byte stream of concatenated JSON texts (objects or arrays, as JSON-RPC peers send
// them) into whole texts: a text may arrive in several reads and several texts in one read.
// Braces inside strings (including escaped quotes) are not counted.
class JsonStreamSplitter
{
public:
    void append(const QByteArray &bytes);
    // The next whole JSON text, std::nullopt if none is complete yet, or an error if the stream
    // holds something other than an object or array between texts.
    Result<std::optional<QByteArray>> next();
    qsizetype pendingBytes() const { return m_buffer.size(); }
    void clear();

private:
    QByteArray m_buffer;
    qsizetype m_scan = 0;   // where scanning resumes
    qsizetype m_start = -1; // start of the text being scanned, -1 between texts
    int m_depth = 0;
    bool m_inString = false;
    bool m_escape = false;
};

class OvsdbClient
{
public:
    OvsdbClient();
    ~OvsdbClient();
    OvsdbClient(const OvsdbClient &) = delete;
    OvsdbClient &operator=(const OvsdbClient &) = delete;

    // Connects to the unix socket at SOCKETPATH ("/run/openvswitch/db.sock").
    Result<void> connectToServer(const QString &socketPath, int timeoutMs = 5000);
    void close();
    bool isConnected() const;
    QString socketPath() const { return m_path; }

    // One JSON-RPC request; returns its "result". Answers the server's echo requests meanwhile
    // and ignores notifications and replies to earlier (timed-out) requests.
    Result<QJsonValue> call(const QString &method, const QJsonArray &params, int timeoutMs = 30000);
    // RFC 7047 "transact": the result array, one entry per operation. An operation that failed
    // is an error naming its index, op and table, with the server's error and details.
    Result<QJsonArray> transact(const QString &db, const QJsonArray &operations,
                                int timeoutMs = 30000);
    Result<QJsonObject> getSchema(const QString &db, int timeoutMs = 10000);

private:
    Result<void> send(const QJsonObject &message, qint64 deadlineMs);
    QString where() const;

    std::unique_ptr<QLocalSocket> m_socket;
    JsonStreamSplitter m_splitter;
    qint64 m_nextId = 1;
    QString m_path;
};

} // namespace converge::collectors::ovs
