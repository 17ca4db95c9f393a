#pragma once

#include "core/model/design.h"
#include "core/store/autosavechanges.h"
#include "core/store/autosavefiles.h"
#include "core/store/autosaverecovery.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

namespace converge::core {
class AutosaveWriter;
}

namespace converge::views {

class DesignSession;

// Crash protection for one open design. After a change, at most every interval() (5 s), the
// session's design is written to a project store (ProjectStore, SQLite) in directory()
// (AppDataLocation/autosave), next to a JSON sidecar that records the design's identity (its
// file, a sample key, or nothing for a new design), when it was written and how many elements
// it holds. markClean() (after a successful save to the real file) and the destructor (a normal
// close) remove the autosave; what a crash leaves behind, recoverable() lists at the next start.
//
// The GUI thread only notes which elements changed; a writer thread does the SQLite work. The
// first write after opening (or after markClean) copies the whole design and the writer stores
// it; later writes replace only the elements changed since the last write, in one transaction.
//
// A running session holds a QLockFile on its autosave, so another instance of the program does
// not offer to restore (or discard) a session that is still alive.
//
// The files, the writer thread and the recovery are core's (core/store/autosave*.h); this class
// ties them to a DesignSession: it follows the design's changes, decides when to write, reports.
class Autosave : public QObject
{
    Q_OBJECT

public:
    static constexpr int defaultInterval = 5000; // ms

    // An autosave left behind by a session that did not end cleanly.
    using Recoverable = core::RecoverableAutosave;

    // `originalPath`: the design's file, a sample key, or empty for a new design. Either the
    // session or the Autosave may go first; as a child of the session, it goes with it.
    Autosave(DesignSession *session, const QString &originalPath, QObject *parent = nullptr);
    // A normal close: removes the autosave (waiting for a write in progress to finish).
    ~Autosave() override;

    static QString defaultDirectory(); // AppDataLocation + "/autosave"
    QString directory() const { return m_directory; }
    // Where to write; set it before the first change.
    void setDirectory(const QString &directory);
    int interval() const { return m_interval; }
    void setInterval(int msecs);
    QString originalPath() const { return m_originalPath; }
    // After "Save as" or when a new design got its file; written with the next write.
    void setOriginalPath(const QString &path);

    // This session's store; it exists once the first write is done.
    QString storePath() const;
    bool hasPendingChanges() const { return m_pending; }
    // Hands what changed since the last write to the writer now, not at the end of the interval.
    void flush();
    // Hands the whole design to the writer now, changed or not (a design just restored from
    // another autosave must be safe before that one goes).
    void writeAllNow();
    // Blocks until the writer has nothing left to do, at most `msecs`; false on timeout.
    bool waitForIdle(int msecs = 30000);

    // The design is safe in its real file: removes the autosave. The next change starts a new one.
    void markClean();
    // Stops autosaving and leaves the autosave as a crash would (after writing what is pending):
    // the next start offers it for recovery. For a session manager's shutdown and for tests.
    void abandon();

    // Autosaves in `directory` (empty: defaultDirectory()) whose session did not end cleanly
    // and is not running, newest first. Leftovers of cleanly ended sessions are removed.
    // These three forward to core::autosaverecovery.
    static QList<Recoverable> recoverable(const QString &directory = {});
    // Reads the design back. Errors (a damaged store, one that a running session holds) are
    // returned, never thrown. The autosave stays until discard().
    static core::Result<std::unique_ptr<core::Design>> restore(const Recoverable &autosave);
    // Removes an autosave (not one a running session holds).
    static void discard(const Recoverable &autosave);

Q_SIGNALS:
    void saved();                        // a write finished
    void failed(const QString &message); // a write failed; retried later with the whole design

private:
    void onChanges(const std::vector<core::Change> &changes);
    void schedule(int msecs);
    void detach();
    core::AutosaveWriter &writer(); // created at the first write
    void postRemoval();
    core::AutosaveSidecar sidecar() const;
    // What the writer calls (on its thread) when a write ends: handled here on ours.
    std::function<void(const core::Result<void> &)> reportTo(int generation);
    void onWritten(int generation, const core::Result<void> &ok);
    void writeFailed(const QString &message);

    QPointer<DesignSession> m_session;
    int m_listener = 0;
    QString m_originalPath;
    QString m_directory;
    QString m_baseName; // unique per session: <stem>-<time>-<random>
    QDateTime m_started;
    int m_interval = defaultInterval;
    QTimer m_timer;
    int m_failures = 0;
    int m_generation = 0;   // markClean() starts a new one; older writes' reports are ignored
    bool m_pending = false; // changes not handed to the writer yet
    bool m_written = false; // something was handed to the writer since the last clean state
    bool m_abandoned = false;
    core::AutosaveChanges m_changes; // what the next write takes
    // Created at the first write; its files (directory + base name) are fixed from then on.
    std::unique_ptr<core::AutosaveWriter> m_writer;
};

} // namespace converge::views
