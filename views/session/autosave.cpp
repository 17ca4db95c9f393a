#include "autosave.h"

#include "core/store/autosavewriter.h"
#include "views/session/designsession.h"

#include <QDir>
#include <QStandardPaths>

#include <algorithm>

namespace converge::views {

namespace {

constexpr int maxRetryDelay = 5 * 60 * 1000; // ms

} // namespace

Autosave::Autosave(DesignSession *session, const QString &originalPath, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_originalPath(originalPath)
    , m_directory(defaultDirectory())
    , m_started(QDateTime::currentDateTimeUtc())
{
    m_baseName = core::AutosaveFiles::uniqueName(originalPath, m_started);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Autosave::flush);
    if (m_session)
        m_listener = m_session->design().addListener(
            [this](const std::vector<core::Change> &changes) { onChanges(changes); });
}

Autosave::~Autosave()
{
    m_timer.stop();
    detach();
    if (!m_abandoned)
        postRemoval();
    if (m_writer)
        m_writer->stop(); // after the jobs left; then releases the lock
}

core::AutosaveWriter &Autosave::writer()
{
    if (!m_writer)
        m_writer = std::make_unique<core::AutosaveWriter>(
            core::AutosaveFiles(QDir(m_directory).filePath(m_baseName)));
    return *m_writer;
}

void Autosave::postRemoval()
{
    if (m_writer) // else nothing was ever written
        m_writer->remove(sidecar().toJson(false));
}

QString Autosave::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/autosave");
}

void Autosave::setDirectory(const QString &directory)
{
    m_directory = directory;
}

void Autosave::setInterval(int msecs)
{
    m_interval = std::max(0, msecs);
}

void Autosave::setOriginalPath(const QString &path)
{
    if (path == m_originalPath)
        return;
    m_originalPath = path;
    if (m_written) { // the sidecar says where the design belongs
        m_pending = true;
        schedule(m_interval);
    }
}

QString Autosave::storePath() const
{
    if (m_writer)
        return m_writer->files().store();
    return core::AutosaveFiles(QDir(m_directory).filePath(m_baseName)).store();
}

void Autosave::detach()
{
    if (m_session && m_listener)
        m_session->design().removeListener(m_listener);
    m_listener = 0;
}

core::AutosaveSidecar Autosave::sidecar() const
{
    core::AutosaveSidecar s{m_originalPath, {}, m_started, 0};
    if (m_session) {
        s.name = m_session->design().info().value(QLatin1String("name")).toString();
        s.elements = qint64(m_session->design().size());
    }
    return s;
}

void Autosave::onChanges(const std::vector<core::Change> &changes)
{
    if (m_abandoned)
        return;
    m_changes.note(changes);
    m_pending = true;
    schedule(m_interval);
}

void Autosave::schedule(int msecs)
{
    if (!m_timer.isActive())
        m_timer.start(msecs);
}

void Autosave::flush()
{
    m_timer.stop();
    if (!m_pending || !m_session || m_abandoned)
        return;
    const core::Design &design = m_session->design();
    const QJsonObject sidecar = this->sidecar().toJson(false);
    auto done = reportTo(m_generation);
    if (m_changes.wholeRequired())
        writer().writeWhole(m_changes.takeWhole(design), sidecar, std::move(done));
    else
        writer().writeChanges(m_changes.takeEdit(design), sidecar, std::move(done));
    m_pending = false;
    m_written = true;
}

std::function<void(const core::Result<void> &)> Autosave::reportTo(int generation)
{
    // Queued on this object: dropped if it is gone by then.
    return [this, generation](const core::Result<void> &ok) {
        QMetaObject::invokeMethod(
            this, [this, generation, ok] { onWritten(generation, ok); }, Qt::QueuedConnection);
    };
}

void Autosave::onWritten(int generation, const core::Result<void> &ok)
{
    if (generation != m_generation)
        return; // a write from before markClean()
    if (!ok) {
        writeFailed(ok.error().message);
        return;
    }
    m_failures = 0;
    Q_EMIT saved();
}

void Autosave::writeFailed(const QString &message)
{
    // The store may now miss changes: the next write stores the whole design. Retry without
    // waiting for another change, backing off while it keeps failing (a full disk).
    m_changes.requireWhole();
    m_pending = true;
    ++m_failures;
    schedule(int(std::min<qint64>(qint64(std::max(m_interval, 1000)) << std::min(m_failures, 10),
                                  maxRetryDelay)));
    Q_EMIT failed(message);
}

bool Autosave::waitForIdle(int msecs)
{
    return !m_writer || m_writer->waitForIdle(msecs);
}

void Autosave::writeAllNow()
{
    if (m_abandoned)
        return;
    m_changes.requireWhole();
    m_pending = true;
    flush();
}

void Autosave::markClean()
{
    if (m_abandoned)
        return;
    m_timer.stop();
    ++m_generation; // results of earlier writes no longer matter
    m_changes.requireWhole();
    m_pending = false;
    m_failures = 0;
    postRemoval();
    m_written = false;
}

void Autosave::abandon()
{
    flush();
    m_abandoned = true;
    m_timer.stop();
    detach();
    // As a crash would: the writer finishes what it has and lets go of the lock, so the
    // autosave is offered at the next start (a dead process's lock is no lock).
    if (m_writer)
        m_writer->stop();
}

QList<Autosave::Recoverable> Autosave::recoverable(const QString &directory)
{
    return core::autosaverecovery::find(directory.isEmpty() ? defaultDirectory() : directory);
}

core::Result<std::unique_ptr<core::Design>> Autosave::restore(const Recoverable &autosave)
{
    return core::autosaverecovery::restore(autosave);
}

void Autosave::discard(const Recoverable &autosave)
{
    core::autosaverecovery::discard(autosave);
}

} // namespace converge::views
