#pragma once

#include "../model/design.h"

#include <QDateTime>
#include <QList>

#include <memory>

namespace converge::core {

// An autosave left behind by a session that did not end cleanly.
struct RecoverableAutosave
{
    QString storePath;    // the autosave's project store (*.converge.db)
    QString sidecarPath;  // its JSON sidecar
    QString originalPath; // the design's identity: its file, a sample key, or empty (new)
    QString name;         // the design's name when it was written
    QDateTime savedAt;    // the last write (UTC)
    qint64 elementCount = 0;
};

// Finding, reading back and discarding what AutosaveWriter left (AutosaveFiles) after a crash.
namespace autosaverecovery {

// Autosaves in `directory` whose session did not end cleanly and is not running, newest first.
// Leftovers of cleanly ended sessions, and locks of sessions that never wrote, are removed.
QList<RecoverableAutosave> find(const QString &directory);
// Reads the design back. Errors (a damaged store, one that a running session holds) are
// returned, never thrown. The autosave stays until discard().
Result<std::unique_ptr<Design>> restore(const RecoverableAutosave &autosave);
// Removes an autosave (not one a running session holds).
void discard(const RecoverableAutosave &autosave);

} // namespace autosaverecovery
} // namespace converge::core
