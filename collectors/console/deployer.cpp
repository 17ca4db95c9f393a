#include "deployer.h"

#include "collectors/logging.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QThread>
#include <QTimer>

#include <utility>

namespace converge::collectors {

using core::deploy::HostPhase;
namespace protocol = core::protocol;

namespace {
// Confirm only while every applied host has at least this long left before its deadline.
constexpr qint64 kConfirmMarginMs = 2000;
} // namespace

Deployer::Deployer(std::shared_ptr<protocol::AgentConnector> connector, QObject *parent)
    : QObject(parent)
    , m_connector(std::move(connector))
{
}

Deployer::~Deployer()
{
    // Workers reference this object: let the current stage end before it goes.
    m_cancelled = true;
    waitForFinished(m_options.timeouts.requestMs + m_options.timeouts.connectMs);
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
    m_planChanged.clear();
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

QStringList Deployer::hostsIn(HostPhase phase) const
{
    QStringList out;
    for (const DeployHostResult &r : m_results)
        if (r.phase == phase)
            out << r.host;
    return out;
}

std::vector<std::size_t> Deployer::hostsFor(Stage stage)
{
    std::vector<std::size_t> work;
    for (std::size_t i = 0; i < m_results.size(); ++i) {
        const HostPhase phase = m_results[i].phase;
        // Planning reaches every host; applying, the planned ones with something to change;
        // every later stage, the hosts that were changed.
        const HostPhase needed = stage == Stage::Apply ? HostPhase::Planned : HostPhase::Applied;
        if (stage == Stage::Apply && phase == needed && m_results[i].plan.operations == 0)
            report(i, HostPhase::Unchanged, 100, QStringLiteral("nothing to change"));
        else if (stage == Stage::Plan || phase == needed)
            work.push_back(i);
    }
    return work;
}

void Deployer::runStage(Stage stage)
{
    const std::vector<std::size_t> work = hostsFor(stage);
    if (work.empty()) {
        stageDone(stage);
        return;
    }
    m_pending = static_cast<int>(work.size());
    for (std::size_t i : work)
        startWorker(stage, i);
}

void Deployer::startWorker(Stage stage, std::size_t index)
{
    QThread *thread = QThread::create([this, stage, index] { workOn(stage, index); });
    m_threads.push_back(thread);
    connect(thread, &QThread::finished, this, [this, stage, thread] {
        std::erase(m_threads, thread);
        thread->deleteLater();
        if (--m_pending == 0)
            stageDone(stage);
    });
    thread->start();
}

// --- one host's part of a stage (worker threads) -------------------------------------------

void Deployer::workOn(Stage stage, std::size_t i)
{
    if (m_cancelled && (stage == Stage::Plan || stage == Stage::Apply)) {
        report(i, HostPhase::Cancelled, 100, QStringLiteral("cancelled before it started"));
        return;
    }
    if (stage == Stage::Plan)
        report(i, HostPhase::Connecting, 10,
               QStringLiteral("connecting to %1").arg(m_targets[i].address));
    Session session = m_connector->open(m_targets[i].endpoint(), m_options.timeouts);
    switch (stage) {
    case Stage::Plan:
        return planOn(i, session);
    case Stage::Apply:
        return applyOn(i, session);
    case Stage::Reach:
        return reachOn(i, session);
    case Stage::Confirm:
        return confirmOn(i, session);
    case Stage::Rollback:
        return rollBackOn(i, session);
    }
}

void Deployer::planOn(std::size_t i, Session &session)
{
    DeployHostResult &result = m_results[i];
    if (!session)
        return report(i, HostPhase::Failed, 100, session.error().message);
    auto hello = (*session)->hello(protocol::consoleHello());
    if (!hello)
        return report(i, HostPhase::Failed, 100, hello.error().message);
    result.agentVersion = hello->version;
    report(i, HostPhase::Planning, 25, QStringLiteral("planning (dry run)"));
    auto dryRun = (*session)->plan({m_targets[i].desired});
    if (!dryRun)
        return report(i, HostPhase::Failed, 100, dryRun.error().message);
    result.plan = dryRun->plan;
    QMetaObject::invokeMethod(
        this, [this, host = m_targets[i].host, p = result.plan] { Q_EMIT planned(host, p); },
        Qt::QueuedConnection);
    report(i, HostPhase::Planned, 40, result.plan.summary());
}

void Deployer::applyOn(std::size_t i, Session &session)
{
    DeployHostResult &result = m_results[i];
    if (!session)
        return report(i, HostPhase::Failed, 100, session.error().message);
    report(i, HostPhase::Applying, 55, QStringLiteral("applying"));
    auto applied =
        (*session)->apply({m_targets[i].desired, m_options.confirmTimeoutSec, result.plan.digest});
    if (!applied && applied.error().reason == QLatin1String("connection-dropped"))
        return report(i, HostPhase::Failed, 100, afterDroppedApply(i, applied.error().message));
    if (!applied)
        return report(i, HostPhase::Failed, 100, applied.error().message);
    if (!applied->changed)
        return report(i, HostPhase::Unchanged, 100, QStringLiteral("nothing to change"));
    result.transaction = applied->transaction;
    result.appliedAtMs = QDateTime::currentMSecsSinceEpoch();
    result.deadline = applied->deadline;
    report(i, HostPhase::Applied, 75,
           QStringLiteral("applied; rolls back by itself unless confirmed by %1")
               .arg(applied->deadline));
}

// The connection dropped while the apply was in flight: a new one tells what became of it. The
// agent journals each apply before it changes anything and, when it starts, rolls back one it had
// not finished (agentrecovery.cpp); an apply it finished waits for a confirmation this console
// cannot give, not knowing its transaction for certain, so it rolls back at its deadline.
QString Deployer::afterDroppedApply(std::size_t i, const QString &dropped)
{
    const QDeadlineTimer window(m_options.reconnectWindowMs);
    for (bool first = true; first || (!window.hasExpired() && !m_cancelled); first = false) {
        if (!first)
            QThread::msleep(500);
        Session again = m_connector->open(m_targets[i].endpoint(), m_options.timeouts);
        auto hello = again ? (*again)->hello(protocol::consoleHello())
                           : core::Result<protocol::HelloReply>(std::unexpected(again.error()));
        if (!hello)
            continue;
        if (!hello->pendingTransaction.isEmpty())
            return QStringLiteral("%1. The agent answers again and holds transaction %2 "
                                  "unconfirmed: it rolls it back by itself at its deadline")
                .arg(dropped, hello->pendingTransaction);
        if (!hello->problems.isEmpty())
            return QStringLiteral("%1. The agent answers again, with problems: %2")
                .arg(dropped, hello->problems.join(QLatin1String("; ")));
        return QStringLiteral("%1. The agent answers again with no transaction pending: the apply "
                              "was rolled back by the agent (or had not begun), so this host is "
                              "as it was")
            .arg(dropped);
    }
    return QStringLiteral("%1. The agent did not answer again within %2 s; once it does, "
                          "`convergectl drift` shows what the host runs")
        .arg(dropped)
        .arg(m_options.reconnectWindowMs / 1000);
}

// A new connection proves the console still reaches the agent after the change.
void Deployer::reachOn(std::size_t i, Session &session)
{
    auto hello = session ? (*session)->hello(protocol::consoleHello())
                         : core::Result<protocol::HelloReply>(std::unexpected(session.error()));
    if (hello) {
        m_reached[i] = 1;
        report(i, HostPhase::Applied, 85, QStringLiteral("reachable after the change"));
        return;
    }
    report(i, HostPhase::Applied, 85,
           QStringLiteral("not reachable after the change: %1")
               .arg(session ? QStringLiteral("no reply") : session.error().message));
}

void Deployer::confirmOn(std::size_t i, Session &session)
{
    report(i, HostPhase::Confirming, 90, QStringLiteral("confirming"));
    auto confirmed = session
                         ? (*session)->confirm({m_results[i].transaction})
                         : core::Result<protocol::ConfirmReply>(std::unexpected(session.error()));
    if (!confirmed)
        report(i, HostPhase::Failed, 100,
               QStringLiteral("confirmation failed (%1); the agent rolls back at its deadline")
                   .arg(confirmed.error().message));
    else
        report(i, HostPhase::Confirmed, 100, QStringLiteral("confirmed"));
}

// Only a host the agent says it rolled back is "rolled back"; one the console cannot reach keeps
// the change until its deadline, and an agent that could not roll back retries by itself.
void Deployer::rollBackOn(std::size_t i, Session &session)
{
    auto back = session ? (*session)->rollback({m_results[i].transaction})
                        : core::Result<protocol::RollbackReply>(std::unexpected(session.error()));
    if (back)
        return report(i, HostPhase::RolledBack, 100, QStringLiteral("rolled back"));
    const core::Error &error = back.error();
    if (error.reason == QLatin1String("unknown-transaction"))
        return report(i, HostPhase::RolledBack, 100,
                      QStringLiteral("already rolled back by itself (its deadline passed)"));
    // The agent answered, but could not roll back (a dropped connection is no answer).
    if (!error.reason.isEmpty() && error.reason != QLatin1String("connection-dropped"))
        return report(i, HostPhase::Failed, 100,
                      QStringLiteral("the rollback failed: %1").arg(error.message));
    report(i, HostPhase::LeftToDeadline, 100,
           QStringLiteral("not reachable to roll it back (%1): it keeps the change until its "
                          "confirmation deadline, %2, then rolls back by itself")
               .arg(error.message, m_results[i].deadline));
}

// --- what follows a stage (the deployer's thread) -----------------------------------------

void Deployer::stageDone(Stage stage)
{
    switch (stage) {
    case Stage::Plan:
        return afterPlan();
    case Stage::Apply:
        return afterApply();
    case Stage::Reach:
        return afterReach();
    case Stage::Confirm:
        return afterConfirm();
    case Stage::Rollback:
        return finish(
            false,
            QStringLiteral("not confirmed (%1): %2").arg(m_rollbackReason, rollbackSummary()));
    }
}

// Of the hosts the rollback stage worked on: which were rolled back, and which still run the
// change (not reachable, or the agent's rollback failed and it retries by itself).
QString Deployer::rollbackSummary() const
{
    qsizetype back = 0;
    QStringList failed, left;
    for (std::size_t i : m_rollingBack) {
        const DeployHostResult &r = m_results[i];
        back += r.phase == HostPhase::RolledBack ? 1 : 0;
        if (r.phase == HostPhase::Failed)
            failed << r.host;
        else if (r.phase == HostPhase::LeftToDeadline)
            left << r.host;
    }
    QStringList parts;
    if (back)
        parts << (back == 1 ? QStringLiteral("1 host rolled back")
                            : QStringLiteral("%1 hosts rolled back").arg(back));
    if (!failed.isEmpty())
        parts << QStringLiteral("the rollback failed on %1 (the agent retries it)")
                     .arg(failed.join(u", "));
    if (!left.isEmpty())
        parts << QStringLiteral("%1 not reachable: %2 keeps the change until its confirmation "
                                "deadline, then rolls back by itself")
                     .arg(left.join(u", "), left.size() == 1 ? u"it" : u"each");
    return parts.isEmpty() ? QStringLiteral("nothing was left to roll back") : parts.join(u"; ");
}

void Deployer::afterPlan()
{
    for (std::size_t i = 0; i < m_targets.size() && m_planChanged.isEmpty(); ++i)
        if (!m_targets[i].reviewedDigest.isEmpty() && m_results[i].phase == HostPhase::Planned &&
            m_results[i].plan.digest != m_targets[i].reviewedDigest)
            m_planChanged = m_targets[i].host; // never apply what nobody reviewed
    if (m_cancelled || !m_planChanged.isEmpty())
        return finish(false, QStringLiteral("cancelled; nothing was applied"));
    if (const QStringList failed = hostsIn(HostPhase::Failed); !failed.isEmpty())
        return finish(
            false,
            QStringLiteral("nothing was applied: planning failed on %1").arg(failed.join(u", ")));
    if (m_options.dryRun)
        return finish(false, QStringLiteral("dry run: %1 hosts planned").arg(m_results.size()));
    Q_EMIT applying();
    runStage(Stage::Apply);
}

void Deployer::afterApply()
{
    const QStringList failed = hostsIn(HostPhase::Failed) + hostsIn(HostPhase::Cancelled);
    if (!failed.isEmpty() || m_cancelled) {
        qCDebug(lcDeploy).noquote() << "rolling back: not applied on" << failed.join(u", ");
        return rollBack(m_cancelled ? QStringLiteral("cancelled")
                                    : QStringLiteral("failed on %1").arg(failed.join(u", ")));
    }
    if (hostsIn(HostPhase::Applied).isEmpty())
        return finish(true, QStringLiteral("nothing to change on %1 hosts").arg(m_results.size()));
    runStage(Stage::Reach);
}

void Deployer::afterReach()
{
    QStringList unreachable;
    for (std::size_t i = 0; i < m_results.size(); ++i)
        if (m_results[i].phase == HostPhase::Applied && !m_reached[i])
            unreachable << m_results[i].host;
    if (!unreachable.isEmpty() || m_cancelled)
        return rollBack(
            m_cancelled
                ? QStringLiteral("cancelled")
                : QStringLiteral("%1 not reachable after the change").arg(unreachable.join(u", ")));
    // Each agent's deadline runs from its own apply: confirming a host whose deadline is about
    // to pass could leave it rolled back while the others stay changed.
    QStringList late;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const DeployHostResult &r : m_results)
        if (r.phase == HostPhase::Applied &&
            now - r.appliedAtMs > qint64(m_options.confirmTimeoutSec) * 1000 - kConfirmMarginMs)
            late << r.host;
    if (!late.isEmpty())
        return rollBack(QStringLiteral("the confirmation deadline of %1 (%2 s) came too close "
                                       "while other hosts were still applying; raise the "
                                       "confirm timeout")
                            .arg(late.join(u", "))
                            .arg(m_options.confirmTimeoutSec));
    runStage(Stage::Confirm);
}

void Deployer::afterConfirm()
{
    const QStringList failed = hostsIn(HostPhase::Failed);
    const int confirmed = static_cast<int>(hostsIn(HostPhase::Confirmed).size());
    const int unchanged = static_cast<int>(hostsIn(HostPhase::Unchanged).size());
    if (!failed.isEmpty())
        return finish(false, QStringLiteral("%1 confirmed, confirmation failed on %2")
                                 .arg(confirmed)
                                 .arg(failed.join(u", ")));
    finish(true, QStringLiteral("confirmed on %1 hosts after reaching every agent again%2")
                     .arg(confirmed)
                     .arg(unchanged ? QStringLiteral("; %1 unchanged").arg(unchanged) : QString()));
}

void Deployer::rollBack(const QString &reason)
{
    m_rollbackReason = reason;
    m_rollingBack.clear();
    for (std::size_t i = 0; i < m_results.size(); ++i)
        if (m_results[i].phase == HostPhase::Applied)
            m_rollingBack.push_back(i);
    runStage(Stage::Rollback);
}

void Deployer::finish(bool confirmed, const QString &summary)
{
    // Debug only: the front ends show the summary (convergectl on stdout), and an info line here
    // repeated it on stderr.
    qCDebug(lcDeploy).noquote() << summary;
    m_running = false;
    Q_EMIT finished(confirmed, summary);
}

} // namespace converge::collectors
