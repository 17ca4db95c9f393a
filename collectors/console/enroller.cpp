#include "enroller.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QThread>

namespace converge::collectors {

namespace protocol = core::protocol;

QString newEnrollmentToken()
{
    QByteArray bytes(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 4);
    return QString::fromLatin1(bytes.toHex());
}

core::Result<core::deploy::AgentRecord> enrollAgent(protocol::AgentConnector &connector,
                                                    const QString &host, const QString &address,
                                                    const QString &token, int timeoutMs)
{
    if (auto endpoint = protocol::parseAgentAddress(address); !endpoint)
        return std::unexpected(endpoint.error());
    auto fingerprint = connector.enroll(address, token, timeoutMs);
    if (!fingerprint)
        return std::unexpected(fingerprint.error());
    core::deploy::AgentRecord record{host, address, *fingerprint, QDateTime::currentDateTimeUtc(),
                                     {},   {}};
    // The version is a courtesy: enrollment stands even if this first hello fails.
    if (auto session = connector.open({host, address, *fingerprint}, {timeoutMs, timeoutMs}))
        if (auto hello = (*session)->hello(protocol::consoleHello())) {
            record.version = hello->version;
            record.lastSeen = QDateTime::currentDateTimeUtc();
        }
    return record;
}

core::Result<core::deploy::AgentRecord> enrollWhenReady(protocol::AgentConnector &connector,
                                                        const QString &host, const QString &address,
                                                        const QString &token,
                                                        EnrollAttempts &attempts)
{
    const QDeadlineTimer deadline(attempts.wait);
    core::Result<core::deploy::AgentRecord> record = core::invalid(QStringLiteral("cancelled"));
    while (!attempts.cancelled) {
        record = enrollAgent(connector, host, address, token, attempts.attemptTimeoutMs);
        if (record || deadline.hasExpired())
            break;
        {
            QMutexLocker lock(&attempts.mutex);
            ++attempts.tries;
            attempts.lastError = record.error().message;
        }
        const QDeadlineTimer next(attempts.interval);
        while (!next.hasExpired() && !attempts.cancelled)
            QThread::msleep(50);
    }
    return record;
}

} // namespace converge::collectors
