#pragma once

#include "core/metering/alerts.h"
#include "core/store/meteringstore.h"

#include <QString>

#include <memory>
#include <mutex>
#include <vector>

// The project's alert rules and the alerts raised and cleared (issue 15, item 5), in the project
// store's file next to the metering series: the rules as one JSON row (alertRulesToJson), the
// events appended, so that after a restart the alerts view lists what is still open and what
// cleared lately. Its own connection (WAL), guarded by a mutex: events are few, so one
// connection serves the console's feed thread and the GUI.
namespace converge::core {

class AlertStore
{
public:
    // Events kept: past this many, the oldest are deleted (down to 99 % of it), except the raise
    // of an alert still open (at most AlertEvaluator::kMaxTracked of those), so the open list
    // survives pruning.
    static constexpr qint64 defaultMaxEvents = 100'000;

    static Result<std::unique_ptr<AlertStore>> open(const QString &path,
                                                    qint64 maxEvents = defaultMaxEvents);

    // What a project watches before anyone edits its rules (docs/metering-alerts.md).
    static std::vector<metering::AlertRule> defaultRules();

    // The saved rules, or defaultRules() when none were saved. A saved row that no longer
    // parses is an error naming the store, not a silent fallback to the defaults.
    Result<std::vector<metering::AlertRule>> rules() const;
    Result<void> saveRules(const std::vector<metering::AlertRule> &rules);

    // Appends the events in one transaction, then deletes the oldest past maxEvents. The commit
    // waits for the disk (synchronous=FULL: an alert raised is not lost to a power cut; about
    // 10-15 ms here), so call it from the feed's thread, not the GUI's.
    Result<void> append(const std::vector<metering::AlertEvent> &events);
    // The newest `limit` events, oldest first.
    Result<std::vector<metering::AlertEvent>> recentEvents(int limit) const;
    // Raised and not cleared since, by raise time.
    Result<std::vector<metering::OpenAlert>> openAlerts() const;
    Result<qint64> eventCount() const;

    const QString &path() const { return m_path; }

private:
    AlertStore(QString path, SqliteConnection db, qint64 maxEvents);
    Result<void> prune();
    std::unexpected<Error> sqlError(const QString &what) const;

    const QString m_path;
    mutable std::mutex m_mutex; // guards m_db
    SqliteConnection m_db;
    const qint64 m_maxEvents;
    qint64 m_pruneCutoff = 0; // the oldest event the last pruning kept, bar open alerts' raises
};

} // namespace converge::core
