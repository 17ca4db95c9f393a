#include "agentserver.h"

#include "collectors/channel/channel.h"
#include "collectors/channel/enrollment.h"

#include <QDir>
#include <QFile>
#include <QPointer>
#include <QSysInfo>

namespace converge::collectors {

using core::Result;

Result<void> prepareStateDirectory(const AgentConfig &config)
{
    if (!QDir().mkpath(config.stateDir))
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("cannot create the state directory %1").arg(config.stateDir));
    QFile::setPermissions(config.stateDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return {};
}

Result<TlsIdentity> agentIdentity(const AgentConfig &config)
{
    const QString host = config.hostName.isEmpty() ? QSysInfo::machineHostName() : config.hostName;
    return loadOrCreateIdentity(config.stateDir, QStringLiteral("agent"),
                                QStringLiteral("converged ") + host);
}

AgentServer::AgentServer(const AgentConfig &config, const TlsIdentity &identity)
    : m_config(config)
    , m_fingerprint(fingerprint(identity.certificate))
    , m_enrollment(std::make_unique<Enrollment>(config.stateDir, m_fingerprint))
    , m_service(std::make_unique<AgentService>(config))
{
    // The configured console certificate is admitted as is; anyone else through enrollment.
    m_serviceThread.setObjectName(QStringLiteral("converged-service"));
    m_service->moveToThread(&m_serviceThread);
    m_serviceThread.start();
    // The configured console certificate is admitted as is; anyone else through enrollment.
    m_listener = std::make_unique<AgentListener>(
        identity,
        [this](const QSslCertificate &peer) {
            if (!peer.isNull() && !m_configuredConsole.isNull() && peer == m_configuredConsole)
                return PeerAccess::Authenticated;
            return m_enrollment->policyFor(peer);
        },
        nullptr, config.limits);
    m_listener->setEnrollment(m_enrollment.get());
    connect(m_listener.get(), &AgentListener::messageReceived, this, &AgentServer::serve);
    m_captures = std::make_unique<CaptureService>(config, [this] { return m_streams.reserveId(); });
    if (config.meteringIntervalMs > 0)
        startMetering();
}

// Samples are made in the metering thread and published here; the VMs a console subscribes
// for go there.
void AgentServer::startMetering()
{
    m_streams.addStream(QStringLiteral("metering"), m_config.meteringBufferMs, kMeteringBufferBytes,
                        checkMeteringParams);
    m_metering = std::make_unique<AgentMetering>(m_config);
    m_meteringThread.setObjectName(QStringLiteral("converged-metering"));
    m_metering->moveToThread(&m_meteringThread);
    AgentMetering *metering = m_metering.get();
    connect(metering, &AgentMetering::sampled, this, [this](qint64 tMs, const QByteArray &data) {
        m_streams.publish(QStringLiteral("metering"), tMs, data);
    });
    connect(&m_streams, &StreamHub::subscribed, this,
            [metering](const QString &stream, const QJsonObject &params) {
                if (stream != QLatin1String("metering"))
                    return;
                QMetaObject::invokeMethod(
                    metering, [metering, vms = vmSourcesOf(params)] { metering->addVms(vms); });
            });
    m_meteringThread.start();
    QMetaObject::invokeMethod(metering, [metering] { metering->start(); });
}

// The request goes to the service thread, its answer comes back here; the connection (one
// request at a time) reads nothing more meanwhile, and may be gone when the answer comes.
void AgentServer::serve(AgentConnection *connection, const core::protocol::Message &request)
{
    // Streams and live captures belong to connections, so they are served here, in the
    // network thread.
    if (auto answer = m_streams.serve(connection, request)) {
        connection->send(*answer);
        return;
    }
    if (auto type = core::protocol::requestTypeFromName(request.type);
        type && core::protocol::isCaptureRequest(*type)) {
        m_captures->serve(connection, request);
        return;
    }
    const QPointer<AgentConnection> guard(connection);
    AgentService *service = m_service.get();
    QMetaObject::invokeMethod(service, [this, service, guard, request] {
        core::protocol::Message answer = service->handle(request);
        QMetaObject::invokeMethod(this, [guard, answer = std::move(answer)] {
            if (guard)
                guard->send(answer);
        });
    });
}

// Connections first (no request reaches the service any more), then the service thread ends
// after the request it serves; its answer is dropped with this object's pending events.
AgentServer::~AgentServer()
{
    m_listener.reset();
    m_captures.reset(); // stops the captures, removes their temporary mirrors
    m_serviceThread.quit();
    m_serviceThread.wait();
    m_meteringThread.quit();
    m_meteringThread.wait();
    m_metering.reset();
}

Result<std::unique_ptr<AgentServer>> AgentServer::create(const AgentConfig &config,
                                                         const TlsIdentity &identity)
{
    std::unique_ptr<AgentServer> server(new AgentServer(config, identity));
    if (!config.consoleCertificate.isEmpty()) {
        const auto certs = QSslCertificate::fromPath(config.consoleCertificate);
        if (certs.size() != 1)
            return core::invalid(QStringLiteral("console_certificate %1 does not hold exactly one "
                                                "PEM certificate")
                                     .arg(config.consoleCertificate));
        server->m_configuredConsole = certs.first();
    }
    // Whatever the journal holds, the agent serves: recover() logs what stays unresolved, hello and
    // state report it, and applies are refused until it is resolved. It runs in the service
    // thread, where everything the service owns (its OVSDB connection, timers) must live.
    AgentService *service = server->m_service.get();
    QMetaObject::invokeMethod(
        service, [service] { (void)service->recover(); }, Qt::BlockingQueuedConnection);
    server->m_captures->recover();
    return server;
}

Result<void> AgentServer::listen()
{
    if (!m_listener->listen(m_config.listenAddress, m_config.listenPort))
        return core::fail(core::Error::Code::Io, QStringLiteral("cannot listen on %1:%2: %3")
                                                     .arg(m_config.listenAddress.toString())
                                                     .arg(m_config.listenPort)
                                                     .arg(m_listener->errorString()));
    return {};
}

QString AgentServer::statusLine() const
{
    const QString enrolled =
        m_enrollment->isEnrolled() || !m_configuredConsole.isNull() ? QStringLiteral("enrolled")
        : m_enrollment->hasPendingToken() ? QStringLiteral("waiting for enrollment")
                                          : QStringLiteral("not enrolled (run --issue-token)");
    return QStringLiteral("converged %1 listening on %2:%3, fingerprint %4, %5")
        .arg(QStringLiteral(CONVERGE_VERSION), m_config.listenAddress.toString())
        .arg(m_listener->port())
        .arg(m_fingerprint, enrolled);
}

} // namespace converge::collectors
