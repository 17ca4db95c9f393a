#pragma once

#include "autosavechanges.h"
#include "autosavefiles.h"
#include "projectstore.h"

#include <QJsonObject>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

class QLockFile;

namespace converge::core {

// Writes one autosave (its AutosaveFiles) on a thread of its own, in the order asked: the caller
// only hands over what to write. The first write takes the session's lock, held until stop(), and
// creates the store; the store and the lock are used and closed on the writer thread only.
class AutosaveWriter
{
public:
    // Runs on the writer thread once a write and its sidecar are done, or one of them failed.
    using Done = std::function<void(const Result<void> &)>;

    explicit AutosaveWriter(AutosaveFiles files);
    ~AutosaveWriter(); // stop()
    AutosaveWriter(const AutosaveWriter &) = delete;
    AutosaveWriter &operator=(const AutosaveWriter &) = delete;

    const AutosaveFiles &files() const { return m_files; }
    // Stores the whole design (a new store at the first write, replacing what a failed write
    // left), then writes `sidecar`.
    void writeWhole(AutosaveSnapshot snapshot, QJsonObject sidecar, Done done);
    // Records `edit` in the store that a whole write made, then writes `sidecar`.
    void writeChanges(Edit edit, QJsonObject sidecar, Done done);
    // Drops the writes not started yet, closes the store and removes the autosave. The sidecar
    // goes last, after saying the session ended cleanly, so a crash half way leaves nothing that
    // is offered for recovery. The lock stays until stop().
    void remove(QJsonObject sidecar);

    // Blocks until nothing is left to do, at most `msecs`; false on timeout.
    bool waitForIdle(int msecs);
    // Runs what is queued, then ends the thread: the store closes and the lock is released.
    void stop();

private:
    using Job = std::move_only_function<void()>;

    void post(Job job);
    void dropPending();
    void run();
    // The jobs' steps, on the writer thread.
    Result<void> ensureLocked();
    Result<void> storeWhole(AutosaveSnapshot snapshot);
    Result<void> storeChanges(const Edit &edit);
    void finish(Result<void> ok, const QJsonObject &sidecar, const Done &done);
    void removeFiles(QJsonObject sidecar);

    const AutosaveFiles m_files;
    std::optional<ProjectStore> m_store; // writer thread only
    std::unique_ptr<QLockFile> m_lock;   // writer thread only

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Job> m_jobs;
    bool m_busy = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace converge::core
