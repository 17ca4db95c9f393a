#include "autosavewriter.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>

#include <chrono>

namespace converge::core {

AutosaveWriter::AutosaveWriter(AutosaveFiles files)
    : m_files(std::move(files))
{
}

AutosaveWriter::~AutosaveWriter()
{
    stop();
}

void AutosaveWriter::writeWhole(AutosaveSnapshot snapshot, QJsonObject sidecar, Done done)
{
    post([this, snapshot = std::move(snapshot), sidecar = std::move(sidecar),
          done = std::move(done)]() mutable {
        finish(storeWhole(std::move(snapshot)), sidecar, done);
    });
}

void AutosaveWriter::writeChanges(Edit edit, QJsonObject sidecar, Done done)
{
    post([this, edit = std::move(edit), sidecar = std::move(sidecar), done = std::move(done)] {
        finish(storeChanges(edit), sidecar, done);
    });
}

void AutosaveWriter::remove(QJsonObject sidecar)
{
    // Queued writes (or an earlier removal) are dropped: this removal replaces them.
    dropPending();
    post([this, sidecar = std::move(sidecar)]() mutable { removeFiles(std::move(sidecar)); });
}

void AutosaveWriter::post(Job job)
{
    std::lock_guard guard(m_mutex);
    if (!m_thread.joinable())
        m_thread = std::thread([this] { run(); });
    m_jobs.push_back(std::move(job));
    m_wake.notify_one();
}

void AutosaveWriter::dropPending()
{
    std::lock_guard guard(m_mutex);
    m_jobs.clear();
    m_idle.notify_all();
}

bool AutosaveWriter::waitForIdle(int msecs)
{
    std::unique_lock guard(m_mutex);
    return m_idle.wait_for(guard, std::chrono::milliseconds(msecs),
                           [this] { return m_jobs.empty() && !m_busy; });
}

void AutosaveWriter::stop()
{
    {
        std::lock_guard guard(m_mutex);
        m_stopping = true;
        m_wake.notify_one();
    }
    if (m_thread.joinable())
        m_thread.join();
}

void AutosaveWriter::run()
{
    for (;;) {
        Job job;
        {
            std::unique_lock guard(m_mutex);
            m_wake.wait(guard, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_jobs.empty())
                break; // stopping, and nothing left
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
            m_busy = true;
        }
        job();
        std::lock_guard guard(m_mutex);
        m_busy = false;
        if (m_jobs.empty())
            m_idle.notify_all();
    }
    // The store closes here, on the thread that used it.
    m_store.reset();
    m_lock.reset();
    std::lock_guard guard(m_mutex);
    m_idle.notify_all();
}

Result<void> AutosaveWriter::ensureLocked()
{
    if (m_lock)
        return {};
    const QString directory = QFileInfo(m_files.base()).absolutePath();
    if (!QDir().mkpath(directory))
        return fail(Error::Code::Io, QStringLiteral("cannot create the autosave folder %1")
                                         .arg(QDir::toNativeSeparators(directory)));
    auto lock = std::make_unique<QLockFile>(m_files.lock());
    lock->setStaleLockTime(0); // held for the whole session, however long
    if (!lock->tryLock(0))
        return fail(Error::Code::Io,
                    QStringLiteral("cannot lock %1").arg(QDir::toNativeSeparators(m_files.lock())));
    m_lock = std::move(lock);
    return {};
}

Result<void> AutosaveWriter::storeWhole(AutosaveSnapshot snapshot)
{
    if (auto ok = ensureLocked(); !ok)
        return ok;
    Design design;
    design.setInfo(std::move(snapshot.info));
    for (Element &e : snapshot.elements)
        design.insert(std::move(e));
    if (m_store)
        return m_store->replaceDesign(design, QStringLiteral("Autosave"));
    m_files.removeStore(); // a leftover of a failed write
    auto created = ProjectStore::create(m_files.store(), design);
    if (!created)
        return std::unexpected(created.error());
    m_store.emplace(std::move(*created));
    return {};
}

Result<void> AutosaveWriter::storeChanges(const Edit &edit)
{
    if (!m_store)
        return fail(Error::Code::Store, QStringLiteral("the autosave store is not open"));
    if (edit.isEmpty())
        return {};
    return m_store->recordEdit(edit, QStringLiteral("autosave"));
}

void AutosaveWriter::finish(Result<void> ok, const QJsonObject &sidecar, const Done &done)
{
    if (ok)
        ok = m_files.writeSidecar(sidecar);
    if (done)
        done(ok);
}

void AutosaveWriter::removeFiles(QJsonObject sidecar)
{
    m_store.reset();
    if (QFileInfo::exists(m_files.sidecar())) {
        sidecar.insert(QStringLiteral("endedCleanly"), true);
        (void)m_files.writeSidecar(sidecar);
    }
    m_files.removeAll();
}

} // namespace converge::core
