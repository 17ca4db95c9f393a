#pragma once

#include "core/metering/sample.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <map>
#include <utility>
#include <vector>

// Alerts on metered series (issue 15, item 5): rules kept in the project, an evaluator the
// console feeds with the batches it receives, and the open alerts the alerts view lists and the
// dashboards count per node and interface. No I/O and no clock of its own: the caller passes
// the time, so tests and the store's replays see the same events.
namespace converge::core::metering {

// Which series a rule watches. host: a design host name or "*"; entity: exact ("cpu", "if/eth0",
// "" for the host itself), a prefix ending in "/*" ("if/*": every host interface) or "*";
// metric: a catalog name.
struct SeriesSelector
{
    QString host = QStringLiteral("*");
    QString entity = QStringLiteral("*");
    QString metric;

    bool matchesHost(const QString &host) const;
    bool matches(const SeriesKey &key) const;
    friend bool operator==(const SeriesSelector &, const SeriesSelector &) = default;
};

enum class AlertKind : quint8 {
    Threshold,   // the value above (or below) threshold for forMs
    Rising,      // an errors or drops metric above 0 for forMs (interface errors rising)
    Unreachable, // no samples from a host for forMs, by the evaluator's clock
};

enum class Comparison : quint8 { Above, Below };

// One rule. Raised when the condition holds for at least forMs; cleared, with hysteresis, when
// the value is past clearThreshold (below it for Above, above it for Below) for clearForMs, so a
// value hovering between the two thresholds neither raises nor clears. Rising rules use 0 for
// both thresholds (clear: no errors for clearForMs); Unreachable rules watch selector.host only
// and clear with the first sample that comes back.
struct AlertRule
{
    static constexpr qint64 kMaxDurationMs = qint64(7) * 24 * 3600 * 1000;

    QString id;   // stable, unique in the project: [A-Za-z0-9_.-], 1..64 characters
    QString name; // shown to people
    AlertKind kind = AlertKind::Threshold;
    SeriesSelector selector;
    Comparison comparison = Comparison::Above;
    double threshold = 0;      // in the metric's unit
    qint64 forMs = 0;          // how long the condition must hold before the alert is raised
    double clearThreshold = 0; // in the metric's unit
    qint64 clearForMs = 0;     // how long past clearThreshold before it clears

    // {"id", "name", "kind": "threshold"|"rising"|"unreachable", "host", "entity", "metric",
    //  "condition": "above"|"below", "threshold", "forMs", "clearThreshold", "clearForMs"};
    // keys a kind does not use are left out, and fromJson refuses them (and unknown keys), so a
    // typo never silently changes what a rule watches. Errors name the rule and the field.
    QJsonObject toJson() const;
    static Result<AlertRule> fromJson(const QJsonObject &object);
    friend bool operator==(const AlertRule &, const AlertRule &) = default;
};

// The project's rule list: at most kMaxAlertRules, ids unique; errors name the rule's position.
inline constexpr qsizetype kMaxAlertRules = 1000;
QJsonArray alertRulesToJson(const std::vector<AlertRule> &rules);
Result<std::vector<AlertRule>> alertRulesFromJson(const QJsonArray &array);

struct AlertEvent
{
    enum class Type : quint8 { Raised, Cleared };
    Type type = Type::Raised;
    QString ruleId;
    SeriesKey key;    // Unreachable: {host, "", ""}
    double value = 0; // the sample that decided it (Unreachable: the seconds of silence)
    qint64 tMs = 0;
    QString reason; // "cpu_busy_percent 93.4 % > 90 % for 5 min"
    friend bool operator==(const AlertEvent &, const AlertEvent &) = default;
};

struct OpenAlert
{
    QString ruleId;
    SeriesKey key;
    qint64 raisedMs = 0;
    double value = 0;
    QString reason;
};

// Feeds rules with batches and time; returns what was raised and cleared. Memory: state is kept
// only for a (rule, series) whose condition is pending or whose alert is open, and for the hosts
// an Unreachable rule watches; at most kMaxTracked of each. Past the cap new series are not
// watched (droppedSeries() counts them) rather than memory growing with a flood of series.
class AlertEvaluator
{
public:
    static constexpr qsizetype kMaxTracked = 100'000;
    static constexpr qint64 kStaleGraceMs = qint64(10) * 60 * 1000;

    explicit AlertEvaluator(std::vector<AlertRule> rules = {});

    const std::vector<AlertRule> &rules() const { return m_rules; }
    // The project's rules were edited: a rule kept as it was (same id and definition) keeps its
    // pending waits and open alerts; the open alerts of a rule removed or changed are cleared.
    std::vector<AlertEvent> setRules(std::vector<AlertRule> rules, qint64 nowMs);

    // receivedMs: the console's clock when the batch arrived (the Unreachable rules' clock;
    // samples carry the agent's times, which back-fills and clock skew make unfit for it).
    std::vector<AlertEvent> feed(const SampleBatch &batch, qint64 receivedMs);
    // Raises Unreachable alerts for hosts silent for their rule's forMs, and forgets pending
    // waits of series that stopped (see kStaleGraceMs). Call it about once a second.
    std::vector<AlertEvent> tick(qint64 nowMs);

    // A host left the design (or its agent was removed): its silences and open alerts go, cleared,
    // so a "*" Unreachable rule does not raise for it forever.
    std::vector<AlertEvent> forgetHost(const QString &host, qint64 nowMs);

    std::vector<OpenAlert> openAlerts() const; // by raise time
    int openCount() const { return int(m_open.size()); }
    QHash<QString, int> openPerHost() const;
    // Open alerts on interfaces ("if/..." and "vnic/..." entities), by (host, entity).
    std::map<std::pair<QString, QString>, int> openPerInterface() const;
    qint64 droppedSeries() const { return m_dropped; }
    qsizetype trackedSeries() const { return qsizetype(m_states.size()); }

private:
    struct State
    {
        qint64 pendingSinceMs = -1; // raise (closed) or clear (open) condition holding since
        qint64 lastMs = 0;          // the last sample that kept it pending
        bool open = false;
    };
    struct Silence
    {
        qint64 lastHeardMs = 0;
        bool open = false;
    };
    using StateKey = std::pair<int, QString>; // (rule index, series key text)
    using HostKey = std::pair<int, QString>;  // (rule index, host)

    void feedSeries(const SeriesSamples &series, std::vector<AlertEvent> &events);
    void feedSample(const StateKey &sk, const SeriesKey &key, const Sample &sample,
                    std::vector<AlertEvent> &events);
    void hearHost(const QString &host, qint64 receivedMs, std::vector<AlertEvent> &events);
    void watchHosts(qint64 nowMs);
    void forgetStale(qint64 nowMs);
    void openAlert(const StateKey &sk, const SeriesKey &key, const Sample &sample,
                   std::vector<AlertEvent> &events);
    void closeAlert(const StateKey &sk, const SeriesKey &key, const Sample &sample,
                    std::vector<AlertEvent> &events);

    std::vector<AlertRule> m_rules;
    std::map<StateKey, State> m_states;
    std::map<HostKey, Silence> m_silences;
    std::map<StateKey, OpenAlert> m_open;
    qint64 m_dropped = 0;
    qint64 m_firstTickMs = -1;
};

// "5 min", "90 s", "1 h 30 min": durations as the reasons write them.
QString formatDuration(qint64 ms);

} // namespace converge::core::metering
