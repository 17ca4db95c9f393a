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
    if (auto alerts = m->startAlerts(path); !alerts)
        return std::unexpected(alerts.error());
    ConsoleMetering *self = m.get();
    m->m_feed = std::make_unique<MeteringFeed>(
        std::move(agents), [self](const QString &host, core::metering::SampleBatch &&batch) {
            self->received(host, std::move(batch));
        });
    return m;
}

// The rules kept in the project (the defaults when none were saved), evaluated every second on
// a clock thread of their own, which also applies the store's retention every hour. Alerts the
// store still has open from an earlier run are cleared: the evaluator starts without their history
// and raises them again once their condition has held for its time.
core::Result<void> ConsoleMetering::startAlerts(const QString &path)
{
    auto store = core::AlertStore::open(path);
    if (!store)
        return std::unexpected(store.error());
    m_alertStore = std::move(*store);
    auto rules = m_alertStore->rules();
    if (!rules)
        return std::unexpected(rules.error());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_alerts.setRules(std::move(*rules), now);
    if (auto open = m_alertStore->openAlerts(); open && !open->empty()) {
        std::vector<core::metering::AlertEvent> cleared;
        for (const core::metering::OpenAlert &a : *open)
            cleared.push_back({core::metering::AlertEvent::Type::Cleared, a.ruleId, a.key, 0, now,
                               QStringLiteral("the console restarted: watched again from now")});
        (void)m_alertStore->append(cleared);
    }
    m_alertClock = new QThread;
    m_alertClock->setObjectName(QStringLiteral("metering alerts"));
    auto *timer = new QTimer;
    timer->setInterval(1000);
    timer->moveToThread(m_alertClock);
    connect(timer, &QTimer::timeout, timer, [this] {
        std::vector<core::metering::AlertEvent> events;
        {
            const std::lock_guard lock(m_alertsMutex);
            events = m_alerts.tick(QDateTime::currentMSecsSinceEpoch());
        }
        publish(std::move(events));
    });
    // Retention on the same clock: at start and every hour, old tiers go (meteringstore.h).
    auto *retention = new QTimer;
    retention->setInterval(3'600'000);
    retention->moveToThread(m_alertClock);
    const auto expire = [this] {
        if (auto done =
                m_source->meteringStore().applyRetention(QDateTime::currentMSecsSinceEpoch());
            !done)
            qCWarning(lcConsole).noquote() << "metering retention:" << done.error().message;
    };
    connect(retention, &QTimer::timeout, retention, expire);
    connect(m_alertClock, &QThread::started, retention, [retention, expire] {
        expire();
        retention->start();
    });
    connect(m_alertClock, &QThread::finished, retention, &QObject::deleteLater);
    connect(m_alertClock, &QThread::started, timer, qOverload<>(&QTimer::start));
    connect(m_alertClock, &QThread::finished, timer, &QObject::deleteLater);
    m_alertClock->start();
    return {};
}

void ConsoleMetering::received(const QString &host, core::metering::SampleBatch &&batch)
{
    std::vector<core::metering::AlertEvent> events;
    {
        const std::lock_guard lock(m_alertsMutex);
        events = m_alerts.feed(batch, QDateTime::currentMSecsSinceEpoch());
    }
    if (auto stored = m_source->store(std::move(batch)); !stored)
        qCWarning(lcConsole).noquote()
            << "metering of" << host << "not stored:" << stored.error().message;
    publish(std::move(events));
}

// Kept first (the store's fsync: a raised alert survives a power cut), then told.
void ConsoleMetering::publish(std::vector<core::metering::AlertEvent> events)
{
    if (events.empty())
        return;
    {
        const std::lock_guard lock(m_alertsMutex);
        if (auto kept = m_alertStore->append(events); !kept)
            qCWarning(lcConsole).noquote() << "alerts not kept:" << kept.error().message;
    }
    for (const core::metering::AlertEvent &e : events)
        qCInfo(lcConsole).noquote()
            << "alert" << e.ruleId
            << (e.type == core::metering::AlertEvent::Type::Raised ? "raised" : "cleared") << "on"
            << e.key.toString() << ":" << e.reason;
    QMetaObject::invokeMethod(
        this, [this, events = std::move(events)] { Q_EMIT alertEvents(events); },
        Qt::QueuedConnection);
}

std::vector<core::metering::AlertRule> ConsoleMetering::alertRules() const
{
    const std::lock_guard lock(m_alertsMutex);
    return m_alerts.rules();
}

std::vector<core::metering::OpenAlert> ConsoleMetering::openAlerts() const
{
    const std::lock_guard lock(m_alertsMutex);
    return m_alerts.openAlerts();
}

ConsoleMetering::~ConsoleMetering()
{
    m_feed.reset(); // its threads store into the source: they stop first
    stopLocal();
    if (m_alertClock) {
        m_alertClock->quit();
        m_alertClock->wait();
        delete m_alertClock;
    }
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
    connect(timer, &QTimer::timeout, timer, [this, shared, host] {
        metering::SamplerRound round = shared->sample(QDateTime::currentMSecsSinceEpoch());
        for (const QString &problem : round.problems)
            qCInfo(lcConsole).noquote() << "metering this machine:" << problem;
        if (!round.batch.series.empty())
            received(host, std::move(round.batch));
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
