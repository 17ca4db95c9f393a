#pragma once

#include "../util/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

class QLockFile;

namespace converge::core {

// The files of one autosave, all named after one base path (a folder and a name unique to the
// session): the project store BASE.converge.db (with SQLite's -wal, -shm and -journal files), the
// JSON sidecar BASE.autosave.json and the lock BASE.lock that the running session holds.
class AutosaveFiles
{
public:
    static constexpr auto storeSuffix = ".converge.db";
    static constexpr auto sidecarSuffix = ".autosave.json";
    static constexpr auto lockSuffix = ".lock";

    explicit AutosaveFiles(QString base);
    // The autosave whose store is `storePath`; nullopt when that is no *.converge.db.
    static std::optional<AutosaveFiles> ofStore(const QString &storePath);
    // A base name unique to a session: <stem>-<local start time>-<random>, the stem taken from
    // the design's identity ("/x/lab-a.converge.json" -> "lab-a", "" -> "untitled").
    static QString uniqueName(const QString &identity, const QDateTime &started);

    const QString &base() const { return m_base; }
    QString store() const;
    QString sidecar() const;
    QString lock() const;

    // The lock when no running session holds it (a live session's lock is not stale at any age),
    // else null. Released, a stale lock file is gone.
    std::unique_ptr<QLockFile> lockIfAbandoned() const;
    void removeStore() const;        // the store and SQLite's files beside it
    void removeAll() const;          // the store, then the sidecar
    QJsonObject readSidecar() const; // {} when it is missing or not JSON
    // Writes through a temporary file, so a crash leaves the old sidecar or the new one.
    Result<void> writeSidecar(const QJsonObject &sidecar) const;

private:
    QString m_base;
};

// What the sidecar of an autosave records about its design.
struct AutosaveSidecar
{
    QString originalPath; // the design's identity: its file, a sample key, or empty (new)
    QString name;         // the design's name
    QDateTime started;    // when the session began (UTC)
    qint64 elements = 0;

    // The sidecar's JSON, with the format, the time of the write ("saved": now) and the pid.
    QJsonObject toJson(bool endedCleanly) const;
};

} // namespace converge::core
