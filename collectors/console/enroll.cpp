#include "enroll.h"

#include "collectors/agent/channel.h"
#include "collectors/agent/enrollment.h"
#include "collectors/console/deployer.h"

#include <QRandomGenerator>

namespace converge::collectors {

QString newEnrollmentToken()
{
    QByteArray bytes(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 4);
    return QString::fromLatin1(bytes.toHex());
}

core::Result<core::deploy::AgentRecord> enrollAgent(const QString &host, const QString &address,
                                                    const TlsIdentity &console,
                                                    const QString &token, int timeoutMs)
{
    auto endpoint = parseAgentAddress(address);
    if (!endpoint)
        return std::unexpected(endpoint.error());
    auto fingerprint =
        enrollWithToken(endpoint->first, endpoint->second, console, token, timeoutMs);
    if (!fingerprint)
        return std::unexpected(fingerprint.error());
    core::deploy::AgentRecord record{host, address, *fingerprint, QDateTime::currentDateTimeUtc(),
                                     {},   {}};
    AgentClient client;
    if (client.connectTo(endpoint->first, endpoint->second, console, *fingerprint, timeoutMs)) {
        auto hello = client.request(QStringLiteral("hello"),
                                    {{QStringLiteral("version"), QStringLiteral(CONVERGE_VERSION)}},
                                    timeoutMs);
        if (hello) {
            record.version = hello->body.value(QLatin1String("version")).toString();
            record.lastSeen = QDateTime::currentDateTimeUtc();
        }
    }
    return record;
}

} // namespace converge::collectors
