#include "deployer.h"

#include "collectors/agent/channel.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QThread>
#include <QTimer>

#include <utility>

Q_LOGGING_CATEGORY(lcDeploy, "converge.console.deploy", QtInfoMsg)

namespace converge::collectors {

using core::deploy::HostPhase;

namespace {
// Confirm only while every applied host has at least this long left before its deadline.
constexpr qint64 kConfirmMarginMs = 2000;
} // namespace

core::Result<std::pair<QString, quint16>> parseAgentAddress(const QString &address)
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
            return core::invalid(
                QStringLiteral("agent address \"%1\": the port must be 1-65535").arg(address));
        port = static_cast<quint16>(p);
        host = host.left(colon);
    }
    if (bracketed && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || host.contains(QLatin1Char(' ')))
        return core::invalid(
            QStringLiteral("agent address \"%1\": expected HOST:PORT").arg(address));
    return std::pair{host, port};
}

Deployer::Deployer(TlsIdentity console, QObject *parent)
    : QObject(parent)
    , m_console(std::move(console))
{
}

Deployer::~Deployer()
{
    // Workers reference this object: let the current stage end before it goes.
    m_cancelled = true;
    waitForFinished(m_options.requestTimeoutMs + m_options.connectTimeoutMs);
    // Stages left after that time (a rollback after a slow apply) must not outlive it either:
    // wait for the workers still running; no further stage starts without the event loop.
    for (QThread *thread : std::exchange(m_threads, {})) {
        thread->disconnect(this);
        thread->wait();
        delete thread;
    }
}

void Deployer::start(std::vector<DeployTarget> targets, DeployOptions options)
{
    if (m_running)
        return;
    m_targets = std::move(targets);
    m_options = options;
    m_cancelled = false;
    m_running = true;
    m_results.assign(m_targets.size(), {});
    m_reached.assign(m_targets.size(), 0);
    for (std::size_t i = 0; i < m_targets.size(); ++i) {
        m_results[i].host = m_targets[i].host;
        m_results[i].desired = m_targets[i].desired;
    }
    if (m_targets.empty()) {
        QTimer::singleShot(0, this,
                           [this] { finish(false, QStringLiteral("no hosts to deploy")); });
        return;
    }
    runStage(Stage::Plan);
}

void Deployer::cancel()
{
    if (m_running && !m_cancelled) {
        qCInfo(lcDeploy) << "cancel requested";
        m_cancelled = true;
    }
}

bool Deployer::waitForFinished(int timeoutMs)
{
    if (!m_running)
        return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &Deployer::finished, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    return !m_running;
}

void Deployer::report(std::size_t index, HostPhase phase, int percent, const QString &message)
{
    m_results[index].phase = phase;
    m_results[index].message = message;
    const QString host = m_results[index].host;
    QMetaObject::invokeMethod(
        this,
        [this, host, phase, percent, message] { Q_EMIT progress(host, phase, percent, message); },
        Qt::QueuedConnection);
}

void Deployer::runStage(Stage stage)
{
    std::vector<std::size_t> work;
    for (std::size_t i = 0; i < m_results.size(); ++i) {
        const HostPhase phase = m_results[i].phase;
        const bool hasOps =
            !m_results[i].plan.value(QLatin1String("operations")).toArray().isEmpty();
        switch (stage) {
        case Stage::Plan:
            work.push_back(i);
            break;
        case Stage::Apply:
            if (phase == HostPhase::Planned && !hasOps)
                report(i, HostPhase::Unchanged, 100, QStringLiteral("nothing to change"));
            else if (phase == HostPhase::Planned)
                work.push_back(i);
            break;
        case Stage::Reach:
        case Stage::Confirm:
        case Stage::Rollback:
            if (phase == HostPhase::Applied)
                work.push_back(i);
            break;
        }
    }
    if (work.empty()) {
        stageDone(stage);
        return;
    }
    m_pending = static_cast<int>(work.size());
    for (std::size_t i : work) {
        QThread *thread = QThread::create([this, stage, i] { workOn(stage, i); });
        m_threads.push_back(thread);
        connect(thread, &QThread::finished, this, [this, stage, thread] {
            std::erase(m_threads, thread);
            thread->deleteLater();
            if (--m_pending == 0)
                stageDone(stage);
        });
        thread->start();
    }
}

void Deployer::workOn(Stage stage, std::size_t i)
{
    const DeployTarget &target = m_targets[i];
    DeployHostResult &result = m_results[i];
    if (m_cancelled && (stage == Stage::Plan || stage == Stage::Apply)) {
        report(i, HostPhase::Cancelled, 100, QStringLiteral("cancelled before it started"));
        return;
    }
    auto address = parseAgentAddress(target.address);
    if (!address) {
        report(i, HostPhase::Failed, 100, address.error().message);
        return;
    }
    if (stage == Stage::Plan)
        report(i, HostPhase::Connecting, 10,
               QStringLiteral("connecting to %1").arg(target.address));
    AgentClient client;
    auto connected = client.connectTo(address->first, address->second, m_console,
                                      target.fingerprint, m_options.connectTimeoutMs);
    auto request = [&](const QString &type, const QJsonObject &body) {
        return client.request(type, body, m_options.requestTimeoutMs);
    };
    switch (stage) {
    case Stage::Plan: {
        if (!connected) {
            report(i, HostPhase::Failed, 100, connected.error().message);
            return;
        }
        auto hello = request(QStringLiteral("hello"),
                             {{QStringLiteral("version"), QStringLiteral(CONVERGE_VERSION)}});
        if (!hello) {
            report(i, HostPhase::Failed, 100, hello.error().message);
            return;
        }
        result.agentVersion = hello->body.value(QLatin1String("version")).toString();
        report(i, HostPhase::Planning, 25, QStringLiteral("planning (dry run)"));
        auto dryRun =
            request(QStringLiteral("plan"), {{QStringLiteral("desired"), target.desired.toJson()}});
        if (!dryRun) {
            report(i, HostPhase::Failed, 100, dryRun.error().message);
            return;
        }
        result.plan = dryRun->body.value(QLatin1String("plan")).toObject();
        const QJsonArray ops = result.plan.value(QLatin1String("operations")).toArray();
        int destructive = 0;
        for (const QJsonValue &op : ops)
            destructive += op.toObject().value(QLatin1String("destructive")).toBool() ? 1 : 0;
        QMetaObject::invokeMethod(
            this, [this, host = target.host, p = result.plan] { Q_EMIT planned(host, p); },
            Qt::QueuedConnection);
        report(
            i, HostPhase::Planned, 40,
            ops.isEmpty()
                ? QStringLiteral("no changes")
                : QStringLiteral("%1 operations, %2 destructive").arg(ops.size()).arg(destructive));
        return;
    }
    case Stage::Apply: {
        if (!connected) {
            report(i, HostPhase::Failed, 100, connected.error().message);
            return;
        }
        report(i, HostPhase::Applying, 55, QStringLiteral("applying"));
        auto applied = request(
            QStringLiteral("apply"),
            {{QStringLiteral("desired"), target.desired.toJson()},
             {QStringLiteral("confirmTimeoutSec"), m_options.confirmTimeoutSec},
             {QStringLiteral("expectedPlanDigest"), result.plan.value(QLatin1String("digest"))}});
        if (!applied) {
            report(i, HostPhase::Failed, 100, applied.error().message);
            return;
        }
        if (!applied->body.value(QLatin1String("changed")).toBool()) {
            report(i, HostPhase::Unchanged, 100, QStringLiteral("nothing to change"));
            return;
        }
        result.transaction = applied->body.value(QLatin1String("transaction")).toString();
        result.appliedAtMs = QDateTime::currentMSecsSinceEpoch();
        report(i, HostPhase::Applied, 75,
               QStringLiteral("applied; rolls back by itself unless confirmed by %1")
                   .arg(applied->body.value(QLatin1String("deadline")).toString()));
        return;
    }
    case Stage::Reach: {
        // A new connection proves the console still reaches the agent after the change.
        if (connected && request(QStringLiteral("hello"),
                                 {{QStringLiteral("version"), QStringLiteral(CONVERGE_VERSION)}})) {
            m_reached[i] = 1;
            report(i, HostPhase::Applied, 85, QStringLiteral("reachable after the change"));
        } else {
            report(i, HostPhase::Applied, 85,
                   QStringLiteral("not reachable after the change: %1")
                       .arg(connected ? QStringLiteral("no reply") : connected.error().message));
        }
        return;
    }
    case Stage::Confirm: {
        report(i, HostPhase::Confirming, 90, QStringLiteral("confirming"));
        auto confirmed =
            connected ? request(QStringLiteral("confirm"),
                                {{QStringLiteral("transaction"), result.transaction}})
                      : core::Result<core::protocol::Message>(std::unexpected(connected.error()));
        if (!confirmed)
            report(i, HostPhase::Failed, 100,
                   QStringLiteral("confirmation failed (%1); the agent rolls back at its deadline")
                       .arg(confirmed.error().message));
        else
            report(i, HostPhase::Confirmed, 100, QStringLiteral("confirmed"));
        return;
    }
    case Stage::Rollback: {
        auto back = connected
                        ? request(QStringLiteral("rollback"),
                                  {{QStringLiteral("transaction"), result.transaction}})
                        : core::Result<core::protocol::Message>(std::unexpected(connected.error()));
        QString how = QStringLiteral("rolled back");
        if (!back && back.error().message.contains(QLatin1String("unknown-transaction")))
            how = QStringLiteral("already rolled back by itself (its deadline passed)");
        else if (!back)
            how = QStringLiteral("not reachable (%1); it rolls back by itself at its deadline")
                      .arg(back.error().message);
        report(i, HostPhase::RolledBack, 100, how);
        return;
    }
    }
}

void Deployer::stageDone(Stage stage)
{
    auto hosts = [this](HostPhase phase) {
        QStringList out;
        for (const DeployHostResult &r : m_results)
            if (r.phase == phase)
                out << r.host;
        return out;
    };
    switch (stage) {
    case Stage::Plan:
        if (m_cancelled)
            return finish(false, QStringLiteral("cancelled; nothing was applied"));
        if (!hosts(HostPhase::Failed).isEmpty())
            return finish(false, QStringLiteral("nothing was applied: planning failed on %1")
                                     .arg(hosts(HostPhase::Failed).join(u", ")));
        if (m_options.dryRun)
            return finish(false, QStringLiteral("dry run: %1 hosts planned").arg(m_results.size()));
        return runStage(Stage::Apply);
    case Stage::Apply: {
        const QStringList failed = hosts(HostPhase::Failed) + hosts(HostPhase::Cancelled);
        if (!failed.isEmpty() || m_cancelled) {
            qCWarning(lcDeploy).noquote() << "rolling back: not applied on" << failed.join(u", ");
            m_rollbackReason = m_cancelled ? QStringLiteral("cancelled")
                                           : QStringLiteral("failed on %1").arg(failed.join(u", "));
            return runStage(Stage::Rollback);
        }
        if (hosts(HostPhase::Applied).isEmpty())
            return finish(true,
                          QStringLiteral("nothing to change on %1 hosts").arg(m_results.size()));
        return runStage(Stage::Reach);
    }
    case Stage::Reach: {
        QStringList unreachable;
        for (std::size_t i = 0; i < m_results.size(); ++i)
            if (m_results[i].phase == HostPhase::Applied && !m_reached[i])
                unreachable << m_results[i].host;
        if (!unreachable.isEmpty() || m_cancelled) {
            m_rollbackReason = m_cancelled ? QStringLiteral("cancelled")
                                           : QStringLiteral("%1 not reachable after the change")
                                                 .arg(unreachable.join(u", "));
            return runStage(Stage::Rollback);
        }
        // Each agent's deadline runs from its own apply: confirming a host whose deadline is
        // about to pass could leave it rolled back while the others stay changed.
        QStringList late;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const DeployHostResult &r : m_results)
            if (r.phase == HostPhase::Applied &&
                now - r.appliedAtMs > qint64(m_options.confirmTimeoutSec) * 1000 - kConfirmMarginMs)
                late << r.host;
        if (!late.isEmpty()) {
            m_rollbackReason =
                QStringLiteral("the confirmation deadline of %1 (%2 s) came too close while other "
                               "hosts were still applying; raise the confirm timeout")
                    .arg(late.join(u", "))
                    .arg(m_options.confirmTimeoutSec);
            return runStage(Stage::Rollback);
        }
        return runStage(Stage::Confirm);
    }
    case Stage::Confirm: {
        const QStringList failed = hosts(HostPhase::Failed);
        const int confirmed = static_cast<int>(hosts(HostPhase::Confirmed).size());
        const int unchanged = static_cast<int>(hosts(HostPhase::Unchanged).size());
        if (!failed.isEmpty())
            return finish(false, QStringLiteral("%1 confirmed, confirmation failed on %2")
                                     .arg(confirmed)
                                     .arg(failed.join(u", ")));
        return finish(true, QStringLiteral("confirmed on %1 hosts after reaching every agent "
                                           "again%2")
                                .arg(confirmed)
                                .arg(unchanged ? QStringLiteral("; %1 unchanged").arg(unchanged)
                                               : QString()));
    }
    case Stage::Rollback:
        return finish(false, QStringLiteral("not confirmed (%1): %2 hosts rolled back")
                                 .arg(m_rollbackReason)
                                 .arg(hosts(HostPhase::RolledBack).size()));
    }
}

void Deployer::finish(bool confirmed, const QString &summary)
{
    qCInfo(lcDeploy).noquote() << summary;
    m_running = false;
    Q_EMIT finished(confirmed, summary);
}

} // namespace converge::collectors
