#include "consolemetering.h"

#include "collectors/logging.h"
#include "collectors/metering/hostsampler.h"
#include "core/store/projectstore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>
#include <QTimer>

namespace converge::collectors {

QJsonObject meteringParams(const core::Design &design, const QString &hostId)
{
    QJsonArray vms;
    for (const core::Element *vm : design.children(hostId, core::ElementKind::VirtualMachine))
        if (!vm->name().isEmpty())
            vms.append(QJsonObject{{QStringLiteral("id"), vm->id},
                                   {QStringLiteral("domain"), vm->name()}});
    return vms.isEmpty() ? QJsonObject{} : QJsonObject{{QStringLiteral("vms"), vms}};
}

QString ConsoleMetering::localStorePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           QStringLiteral("/this-machine") + QLatin1String(core::ProjectStore::fileSuffix);
}

core::Result<std::unique_ptr<ConsoleMetering>>
ConsoleMetering::open(const QString &path, std::shared_ptr<core::protocol::AgentConnector> agents)
{
    if (!QFileInfo::exists(path)) {
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            return core::fail(
                core::Error::Code::Io,
                QStringLiteral("cannot create %1").arg(QFileInfo(path).absolutePath()));
        if (auto made = core::ProjectStore::create(path, core::Design{}); !made)
            return std::unexpected(made.error());
    }
    auto store = core::MeteringStore::open(path);
    if (!store)
        return std::unexpected(store.error());
    std::unique_ptr<ConsoleMetering> m(new ConsoleMetering);
    m->m_source = std::make_unique<core::StoreMetricsSource>(std::move(*store));
    core::StoreMetricsSource *source = m->m_source.get();
    m->m_feed = std::make_unique<MeteringFeed>(
        std::move(agents), [source](const QString &host, core::metering::SampleBatch &&batch) {
            if (auto stored = source->store(std::move(batch)); !stored)
                qCWarning(lcConsole).noquote()
                    << "metering of" << host << "not stored:" << stored.error().message;
        });
    return m;
}

ConsoleMetering::~ConsoleMetering()
{
    m_feed.reset(); // its threads store into the source: they stop first
    stopLocal();
}

void ConsoleMetering::stopLocal()
{
    if (!m_local)
        return;
    m_local->quit();
    m_local->wait();
    delete m_local;
    m_local = nullptr;
}

// A thread with its own event loop: a timer there runs the sampler, whose batches go to the
// store from that thread (the store blocks it at the disk's pace, never the GUI).
void ConsoleMetering::sampleLocalHost(const QString &host, int intervalMs)
{
    stopLocal();
    auto sampler = metering::HostSampler::create({host});
    if (!sampler) {
        qCWarning(lcConsole).noquote() << "no local metering:" << sampler.error().message;
        return;
    }
    m_localHost = host;
    m_local = new QThread;
    m_local->setObjectName(QStringLiteral("metering this machine"));
    auto *timer = new QTimer;
    timer->setInterval(intervalMs);
    timer->moveToThread(m_local);
    auto shared = std::make_shared<metering::HostSampler>(std::move(*sampler));
    core::StoreMetricsSource *source = m_source.get();
    connect(timer, &QTimer::timeout, timer, [shared, source] {
        metering::SamplerRound round = shared->sample(QDateTime::currentMSecsSinceEpoch());
        for (const QString &problem : round.problems)
            qCInfo(lcConsole).noquote() << "metering this machine:" << problem;
        if (!round.batch.series.empty())
            (void)source->store(std::move(round.batch));
    });
    connect(m_local, &QThread::started, timer, qOverload<>(&QTimer::start));
    connect(m_local, &QThread::finished, timer, &QObject::deleteLater);
    m_local->start();
}

void ConsoleMetering::followFleet(const core::Design &design, const std::vector<FleetHost> &hosts)
{
    for (const FleetHost &h : hosts)
        if (h.status == FleetHost::Status::Ready)
            m_feed->follow(h.endpoint(), meteringParams(design, h.id));
}

} // namespace converge::collectors
