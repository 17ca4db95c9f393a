#include "agentsession.h"

namespace converge::core::protocol {

Result<std::pair<QString, quint16>> parseAgentAddress(const QString &address)
{
    QString host = address.trimmed();
    quint16 port = 7443;
    const qsizetype colon = host.lastIndexOf(QLatin1Char(':'));
    const bool bracketed = host.startsWith(QLatin1Char('['));
    if (colon > 0 && (bracketed ? host.indexOf(QLatin1Char(']')) < colon
                                : host.indexOf(QLatin1Char(':')) == colon)) {
        bool ok = false;
        const uint p = host.mid(colon + 1).toUInt(&ok);
        if (!ok || p == 0 || p > 65535)
            return invalid(
                QStringLiteral("agent address \"%1\": the port must be 1-65535").arg(address));
        port = static_cast<quint16>(p);
        host = host.left(colon);
    }
    if (bracketed && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || host.contains(QLatin1Char(' ')))
        return invalid(QStringLiteral("agent address \"%1\": expected HOST:PORT").arg(address));
    return std::pair{host, port};
}

HelloRequest consoleHello()
{
    return HelloRequest{QStringLiteral(CONVERGE_VERSION)};
}

} // namespace converge::core::protocol

namespace converge::core::protocol {

namespace {

std::unexpected<Error> noCaptures()
{
    return std::unexpected(Error{Error::Code::Conflict,
                                 QStringLiteral("this agent serves no captures"),
                                 QStringLiteral("unknown-request")});
}

} // namespace

Result<CaptureStartReply> AgentSession::captureStart(const CaptureStartRequest &)
{
    return noCaptures();
}

Result<CaptureStopReply> AgentSession::captureStop(const CaptureStopRequest &)
{
    return noCaptures();
}

Result<void> AgentSession::captureRenew(const CaptureRenewRequest &)
{
    return noCaptures();
}

Result<CaptureListReply> AgentSession::captureList()
{
    return noCaptures();
}

Result<CaptureFetchReply> AgentSession::captureFetch(const CaptureFetchRequest &)
{
    return noCaptures();
}

Result<void> AgentSession::captureDelete(const CaptureDeleteRequest &)
{
    return noCaptures();
}

} // namespace converge::core::protocol
