#include "alertstore.h"

#include "projecttables.h"
#include "statement.h"

#include "core/logging.h"

#include <QFileInfo>
#include <QJsonDocument>

// Why events and not a table of open alerts: the view lists what cleared lately too, and an
// append-only log survives a crash between a raise and its clear without a second write to keep
// in step. The open alerts are the (rule, series) whose last event is a raise.

namespace converge::core {

using metering::AlertEvent;
using metering::AlertRule;
using metering::OpenAlert;

namespace {

constexpr int alertsVersion = 1;
constexpr const char schema[] = R"(
CREATE TABLE IF NOT EXISTS metering_alert_rules(
    id INTEGER PRIMARY KEY CHECK(id = 1),
    rules TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS metering_alert_events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL CHECK(type IN ('raised', 'cleared')),
    rule TEXT NOT NULL,
    series TEXT NOT NULL,
    value REAL NOT NULL,
    t INTEGER NOT NULL,
    reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS metering_alert_events_by_series
    ON metering_alert_events(rule, series, seq);
INSERT OR IGNORE INTO meta(key, value) VALUES('alertsVersion', '1');
)";

// The last event of each (rule, series) when it is a raise: the open alerts.
constexpr const char openSeqs[] =
    "SELECT e.seq FROM metering_alert_events e JOIN (SELECT max(seq) AS seq FROM "
    "metering_alert_events GROUP BY rule, series) last ON e.seq = last.seq WHERE e.type = "
    "'raised'";

Result<SqliteConnection> connect(const QString &path)
{
    sqlite3 *raw = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    SqliteConnection db(raw);
    if (rc != SQLITE_OK ||
        sqlite3_exec(raw, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(Error::Code::Store, QStringLiteral("%1: cannot open: %2")
                                            .arg(path, QString::fromUtf8(sqlite3_errmsg(raw))));
    sqlite3_busy_timeout(raw, 5000);
    return db;
}

// "host|entity|metric" split back; not SeriesKey::parse, which refuses the empty entity and
// metric of an Unreachable alert's key.
Result<metering::SeriesKey> splitKey(const QString &path, qint64 seq, const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('|'));
    if (parts.size() != 3 || parts[0].isEmpty())
        return fail(Error::Code::Store,
                    QStringLiteral("%1: alert event %2: series \"%3\" is not host|entity|metric")
                        .arg(path)
                        .arg(seq)
                        .arg(text));
    return metering::SeriesKey{parts[0], parts[1], parts[2]};
}

} // namespace

AlertStore::AlertStore(QString path, SqliteConnection db, qint64 maxEvents)
    : m_path(std::move(path))
    , m_db(std::move(db))
    , m_maxEvents(maxEvents)
{
}

Result<std::unique_ptr<AlertStore>> AlertStore::open(const QString &path, qint64 maxEvents)
{
    if (maxEvents < 1)
        return invalid(QStringLiteral("%1: alert events kept must be at least 1, not %2")
                           .arg(path)
                           .arg(maxEvents));
    if (!QFileInfo::exists(path))
        return fail(Error::Code::NotFound, QStringLiteral("%1: no such project store").arg(path));
    auto db = connect(path);
    if (!db)
        return std::unexpected(db.error());
    if (auto ok = sql::makeProjectTables(db->get(), path, "alertsVersion", alertsVersion, "alert",
                                         schema);
        !ok)
        return std::unexpected(ok.error());
    return std::unique_ptr<AlertStore>(new AlertStore(path, std::move(*db), maxEvents));
}

std::unexpected<Error> AlertStore::sqlError(const QString &what) const
{
    const QString message = QStringLiteral("%1: %2: %3")
                                .arg(m_path, what, QString::fromUtf8(sqlite3_errmsg(m_db.get())));
    qCWarning(lcStore).noquote() << message;
    return fail(Error::Code::Store, message);
}

std::vector<AlertRule> AlertStore::defaultRules()
{
    using metering::AlertKind;
    constexpr qint64 minute = 60'000;
    std::vector<AlertRule> rules;
    AlertRule cpu{QStringLiteral("cpu-high"),
                  QStringLiteral("CPU busy"),
                  AlertKind::Threshold,
                  {QStringLiteral("*"), QStringLiteral("cpu"), QStringLiteral("cpu_busy_percent")}};
    cpu.threshold = 90;
    cpu.forMs = 5 * minute;
    cpu.clearThreshold = 80;
    cpu.clearForMs = minute;
    rules.push_back(cpu);
    for (const char *direction : {"receive", "transmit"}) {
        for (const char *entity : {"if", "vnic"}) {
            const QString metric =
                QStringLiteral("net_%1_errors_per_second").arg(QLatin1String(direction));
            AlertRule r{
                QStringLiteral("%1-%2-errors").arg(QLatin1String(entity), QLatin1String(direction)),
                QStringLiteral("Interface %1 errors rising").arg(QLatin1String(direction)),
                AlertKind::Rising,
                {QStringLiteral("*"), QLatin1String(entity) + QStringLiteral("/*"), metric}};
            r.forMs = minute;
            r.clearForMs = minute;
            rules.push_back(r);
        }
    }
    AlertRule down{QStringLiteral("agent-unreachable"),
                   QStringLiteral("Agent unreachable"),
                   AlertKind::Unreachable,
                   {QStringLiteral("*"), QStringLiteral("*"), {}}};
    down.forMs = 2 * minute;
    rules.push_back(down);
    return rules;
}

Result<std::vector<AlertRule>> AlertStore::rules() const
{
    std::lock_guard guard(m_mutex);
    sql::Statement read(m_db.get(), "SELECT rules FROM metering_alert_rules WHERE id = 1");
    if (!read.ok())
        return sqlError(QStringLiteral("reading the alert rules"));
    const int rc = read.step();
    if (rc == SQLITE_DONE)
        return defaultRules();
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("reading the alert rules"));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(read.bytes(0), &parseError);
    if (!doc.isArray())
        return fail(Error::Code::Store,
                    QStringLiteral("%1: the saved alert rules are not a JSON array (%2)")
                        .arg(m_path, parseError.errorString()));
    auto parsed = metering::alertRulesFromJson(doc.array());
    if (!parsed)
        return fail(
            Error::Code::Store,
            QStringLiteral("%1: the saved alert rules: %2").arg(m_path, parsed.error().message));
    return parsed;
}

Result<void> AlertStore::saveRules(const std::vector<AlertRule> &rules)
{
    // Through the parser first, so the store never keeps rules it would refuse to read back.
    const QJsonArray json = metering::alertRulesToJson(rules);
    if (auto checked = metering::alertRulesFromJson(json); !checked)
        return std::unexpected(checked.error());
    std::lock_guard guard(m_mutex);
    sql::Statement write(m_db.get(),
                         "INSERT OR REPLACE INTO metering_alert_rules(id, rules) VALUES(1, ?)");
    if (!write.ok())
        return sqlError(QStringLiteral("saving the alert rules"));
    write.bind(1, QJsonDocument(json).toJson(QJsonDocument::Compact));
    if (write.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("saving the alert rules"));
    return {};
}

Result<void> AlertStore::append(const std::vector<AlertEvent> &events)
{
    if (events.empty())
        return {};
    std::lock_guard guard(m_mutex);
    sqlite3 *db = m_db.get();
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlError(QStringLiteral("appending alert events"));
    sql::Statement insert(db, "INSERT INTO metering_alert_events(type, rule, series, value, t, "
                              "reason) VALUES(?, ?, ?, ?, ?, ?)");
    bool ok = insert.ok();
    for (size_t i = 0; ok && i < events.size(); ++i) {
        const AlertEvent &e = events[i];
        insert.reset();
        insert.bind(1, QByteArray(e.type == AlertEvent::Type::Raised ? "raised" : "cleared"));
        insert.bind(2, e.ruleId);
        insert.bind(3, e.key.toString());
        insert.bindReal(4, e.value);
        insert.bind(5, e.tMs);
        insert.bind(6, e.reason);
        ok = insert.step() == SQLITE_DONE;
    }
    if (ok)
        ok = prune().has_value();
    if (!ok || sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        auto error = sqlError(QStringLiteral("appending alert events"));
        (void)sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return error;
    }
    return {};
}

// Within append's transaction. Only when more than maxEvents are newer than the last cut, and
// then down to 99 % of it, so the grouping that spares open alerts runs once in a hundredth of
// the bound's events, not on every append of a full log.
Result<void> AlertStore::prune()
{
    sql::Statement over(m_db.get(), "SELECT seq FROM metering_alert_events WHERE seq >= ? ORDER "
                                    "BY seq DESC LIMIT 1 OFFSET ?");
    over.bind(1, m_pruneCutoff);
    over.bind(2, m_maxEvents);
    if (!over.ok())
        return sqlError(QStringLiteral("pruning alert events"));
    if (over.step() != SQLITE_ROW)
        return {};
    sql::Statement oldestKept(m_db.get(), "SELECT seq FROM metering_alert_events ORDER BY seq "
                                          "DESC LIMIT 1 OFFSET ?");
    oldestKept.bind(1, std::max<qint64>(m_maxEvents - m_maxEvents / 100, 1) - 1);
    if (!oldestKept.ok() || oldestKept.step() != SQLITE_ROW)
        return sqlError(QStringLiteral("pruning alert events"));
    const QByteArray sql = QByteArray("DELETE FROM metering_alert_events WHERE seq < ? AND seq "
                                      "NOT IN (") +
                           openSeqs + ")";
    sql::Statement remove(m_db.get(), sql);
    remove.bind(1, oldestKept.int64(0));
    if (!remove.ok() || remove.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("pruning alert events"));
    m_pruneCutoff = oldestKept.int64(0);
    return {};
}

Result<std::vector<AlertEvent>> AlertStore::recentEvents(int limit) const
{
    std::lock_guard guard(m_mutex);
    sql::Statement read(m_db.get(),
                        "SELECT seq, type, rule, series, value, t, reason FROM (SELECT * FROM "
                        "metering_alert_events ORDER BY seq DESC LIMIT ?) ORDER BY seq");
    if (!read.ok())
        return sqlError(QStringLiteral("reading alert events"));
    read.bind(1, qint64(std::max(limit, 0)));
    std::vector<AlertEvent> events;
    int rc = SQLITE_ROW;
    while ((rc = read.step()) == SQLITE_ROW) {
        const auto key = splitKey(m_path, read.int64(0), read.text(3));
        if (!key)
            return std::unexpected(key.error());
        events.push_back({read.text(1) == QLatin1String("raised") ? AlertEvent::Type::Raised
                                                                  : AlertEvent::Type::Cleared,
                          read.text(2), *key, read.real(4), read.int64(5), read.text(6)});
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("reading alert events"));
    return events;
}

Result<std::vector<OpenAlert>> AlertStore::openAlerts() const
{
    std::lock_guard guard(m_mutex);
    const QByteArray sql = QByteArray("SELECT seq, rule, series, t, value, reason FROM "
                                      "metering_alert_events WHERE seq IN (") +
                           openSeqs + ") ORDER BY t, seq";
    sql::Statement read(m_db.get(), sql);
    if (!read.ok())
        return sqlError(QStringLiteral("reading open alerts"));
    std::vector<OpenAlert> open;
    int rc = SQLITE_ROW;
    while ((rc = read.step()) == SQLITE_ROW) {
        const auto key = splitKey(m_path, read.int64(0), read.text(2));
        if (!key)
            return std::unexpected(key.error());
        open.push_back({read.text(1), *key, read.int64(3), read.real(4), read.text(5)});
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("reading open alerts"));
    return open;
}

Result<qint64> AlertStore::eventCount() const
{
    std::lock_guard guard(m_mutex);
    sql::Statement count(m_db.get(), "SELECT count(*) FROM metering_alert_events");
    if (!count.ok() || count.step() != SQLITE_ROW)
        return sqlError(QStringLiteral("counting alert events"));
    return count.int64(0);
}

} // namespace converge::core
