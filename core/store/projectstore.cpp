#include "projectstore.h"

#include "../io/designdocument.h"
#include "../model/schema.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <sqlite3.h>

#include <iterator>

namespace converge::core {

namespace {

// One prepared statement, finalized on scope exit.
class Statement
{
public:
    Statement(sqlite3 *db, const char *sql)
    {
        m_ok = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) == SQLITE_OK;
    }
    Statement(sqlite3 *db, const QByteArray &sql)
        : Statement(db, sql.constData())
    {
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    bool ok() const { return m_ok; }
    void bind(int i, const QString &text) { bind(i, text.toUtf8()); }
    void bind(int i, const QByteArray &bytes)
    {
        sqlite3_bind_text(m_stmt, i, bytes.constData(), int(bytes.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    int step() { return sqlite3_step(m_stmt); }
    QByteArray bytes(int col) const
    {
        return QByteArray(static_cast<const char *>(sqlite3_column_blob(m_stmt, col)),
                          sqlite3_column_bytes(m_stmt, col));
    }
    QString text(int col) const { return QString::fromUtf8(bytes(col)); }
    qint64 int64(int col) const { return sqlite3_column_int64(m_stmt, col); }

private:
    sqlite3_stmt *m_stmt = nullptr;
    bool m_ok = false;
};

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Schema steps: schemaSteps[v] takes a store from version v to v + 1 (0 is a new, empty file).
// A step runs inside the upgrade's transaction; steps after the first use plain CREATE so that a
// conflict with something already in the file fails the upgrade instead of being half-applied.
const char *const schemaV1 = R"(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS elements(
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    parent TEXT NOT NULL,
    props TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    description TEXT NOT NULL,
    edit TEXT NOT NULL);
)";

// Times are ISO 8601 UTC with milliseconds; "" is a null time (an agent never seen).
const char *const schemaV2 = R"(
CREATE TABLE agents(
    host TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    version TEXT NOT NULL);
CREATE TABLE deployments(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    design_revision INTEGER NOT NULL,
    design TEXT NOT NULL,
    summary TEXT NOT NULL,
    confirmed INTEGER NOT NULL);
CREATE TABLE deployment_hosts(
    deployment INTEGER NOT NULL REFERENCES deployments(id),
    host TEXT NOT NULL,
    plan TEXT NOT NULL,
    desired TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    result TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY(deployment, host));
CREATE INDEX deployment_hosts_by_host ON deployment_hosts(host, deployment);
)";

constexpr const char *schemaSteps[] = {schemaV1, schemaV2};
static_assert(std::size(schemaSteps) == ProjectStore::currentStoreVersion,
              "one schema step per store version");

QByteArray timeText(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs).toUtf8() : QByteArray();
}

// "" -> a null QDateTime; text that is not a time -> nullopt.
std::optional<QDateTime> parseTime(const QString &text)
{
    if (text.isEmpty())
        return QDateTime();
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        return std::nullopt;
    return t;
}

Result<void> checkHostName(const QString &host, const QString &what)
{
    if (host.trimmed().isEmpty())
        return invalid(QStringLiteral("%1: the host name is empty").arg(what));
    return {};
}

// Everything written must read back: a desired state HostState::fromJson refuses is refused here.
Result<void> checkDeploymentHost(const deploy::DeploymentHost &h, const QString &where)
{
    if (auto ok = checkHostName(h.host, where); !ok)
        return ok;
    if (auto desired = realize::HostState::fromJson(h.desired.toJson()); !desired)
        return invalid(QStringLiteral("%1, host %2: desired state: %3")
                           .arg(where, h.host, desired.error().message));
    return {};
}

const char *const agentColumns = "host, address, fingerprint, enrolled_at, last_seen, version";
const char *const hostColumns = "deployment, host, plan, desired, transaction_id, result, message";

} // namespace

void ProjectStore::Closer::operator()(sqlite3 *db) const
{
    sqlite3_close_v2(db);
}

ProjectStore::ProjectStore(QString path)
    : m_path(std::move(path))
{
}
ProjectStore::ProjectStore(ProjectStore &&) noexcept = default;
ProjectStore &ProjectStore::operator=(ProjectStore &&) noexcept = default;
ProjectStore::~ProjectStore() = default;

std::unexpected<Error> ProjectStore::sqlError(const QString &what) const
{
    return fail(Error::Code::Store,
                QStringLiteral("%1: %2: %3")
                    .arg(m_path, what, QString::fromUtf8(sqlite3_errmsg(m_db.get()))));
}

Result<void> ProjectStore::exec(const char *sql) const
{
    if (sqlite3_exec(m_db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlError(QString::fromUtf8(sql).simplified().left(60));
    return {};
}

Result<ProjectStore> ProjectStore::open(const QString &path)
{
    if (!QFileInfo::exists(path))
        return fail(Error::Code::NotFound, QStringLiteral("%1: no such project store").arg(path));
    ProjectStore store(path);
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr);
    store.m_db.reset(db);
    if (rc != SQLITE_OK)
        return store.sqlError(QStringLiteral("cannot open"));
    sqlite3_busy_timeout(db, 5000);
    // WAL: a reader never sees half an edit; synchronous=FULL: a committed edit survives a crash.
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"})
        if (auto ok = store.exec(pragma); !ok)
            return std::unexpected(ok.error());
    if (auto ok = store.migrate(); !ok)
        return std::unexpected(ok.error());
    return store;
}

Result<int> ProjectStore::storedVersion() const
{
    Statement tables(
        m_db.get(), "SELECT count(*), count(CASE WHEN name = 'meta' THEN 1 END) FROM sqlite_master "
                    "WHERE type = 'table'");
    if (!tables.ok() || tables.step() != SQLITE_ROW)
        return sqlError(QStringLiteral("not a project store"));
    if (tables.int64(1) == 0) {
        if (tables.int64(0) != 0)
            return fail(Error::Code::Store,
                        QStringLiteral("%1: not a project store (an SQLite database with other "
                                       "tables)")
                            .arg(m_path));
        return 0;
    }
    Statement get(m_db.get(), "SELECT value FROM meta WHERE key = 'storeVersion'");
    if (!get.ok() || get.step() != SQLITE_ROW)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: not a project store (no store version)").arg(m_path));
    bool isNumber = false;
    const int version = get.text(0).toInt(&isNumber);
    if (!isNumber || version < 1)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: store version \"%2\" is not a version number")
                        .arg(m_path, get.text(0)));
    return version;
}

// Brings the store to currentStoreVersion: a new file gets the whole schema, an older store the
// steps it lacks, all in one transaction (a failed upgrade leaves the store as it was).
Result<void> ProjectStore::migrate()
{
    const auto checked = [this]() -> Result<int> {
        auto version = storedVersion();
        if (version && *version > currentStoreVersion)
            return fail(
                Error::Code::NewerSchema,
                QStringLiteral("%1: store version %2 is newer than this Converge reads (%3)")
                    .arg(m_path)
                    .arg(*version)
                    .arg(currentStoreVersion));
        return version;
    };
    const auto before = checked();
    if (!before)
        return std::unexpected(before.error());
    if (*before == currentStoreVersion)
        return {};
    return inTransaction([&]() -> Result<void> {
        // Another process may have upgraded the store since we looked.
        const auto from = checked();
        if (!from)
            return std::unexpected(from.error());
        if (*from == currentStoreVersion)
            return {};
        for (int v = *from; v < currentStoreVersion; ++v)
            if (sqlite3_exec(m_db.get(), schemaSteps[v], nullptr, nullptr, nullptr) != SQLITE_OK)
                return sqlError(QStringLiteral("upgrading the store from version %1 to %2")
                                    .arg(*from)
                                    .arg(currentStoreVersion));
        Statement put(m_db.get(),
                      "INSERT OR REPLACE INTO meta(key, value) VALUES('storeVersion', ?1)");
        put.bind(1, QByteArray::number(currentStoreVersion));
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("write store version"));
        return *from == 0 ? writeInfo({}) : Result<void>{};
    });
}

Result<ProjectStore> ProjectStore::create(const QString &path, const Design &design)
{
    if (QFileInfo::exists(path))
        return fail(Error::Code::Conflict,
                    QStringLiteral("%1: exists already; not overwritten").arg(path));
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    sqlite3_close_v2(db);
    if (rc != SQLITE_OK)
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot create the project store").arg(path));
    auto store = open(path);
    if (!store)
        return store;
    if (auto ok = store->replaceDesign(design, QStringLiteral("Create project")); !ok)
        return std::unexpected(ok.error());
    return store;
}

Result<void> ProjectStore::inTransaction(const std::function<Result<void>()> &work)
{
    if (auto ok = exec("BEGIN IMMEDIATE"); !ok)
        return ok;
    auto result = work();
    if (result)
        result = exec("COMMIT");
    if (!result)
        (void)exec("ROLLBACK");
    return result;
}

Result<void> ProjectStore::inReadTransaction(const std::function<Result<void>()> &work) const
{
    if (auto ok = exec("BEGIN"); !ok)
        return ok;
    auto result = work();
    if (result)
        result = exec("COMMIT");
    if (!result)
        (void)exec("ROLLBACK");
    return result;
}

Result<void> ProjectStore::writeInfo(const QJsonObject &info)
{
    Statement put(m_db.get(), "INSERT OR REPLACE INTO meta(key, value) VALUES('designInfo', ?1)");
    put.bind(1, compact(info));
    if (put.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("write design information"));
    return {};
}

Result<void> ProjectStore::appendHistory(const QString &description, const QByteArray &edit,
                                         const QString &author)
{
    Statement put(m_db.get(),
                  "INSERT INTO history(at, author, description, edit) VALUES(?1, ?2, ?3, ?4)");
    put.bind(1, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    put.bind(2, author);
    put.bind(3, description);
    put.bind(4, edit);
    if (put.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("append history"));
    return {};
}

Result<void> ProjectStore::applyOp(const Op &op)
{
    if (op.type == Op::Type::Add) {
        Statement put(
            m_db.get(),
            "INSERT INTO elements(id, seq, kind, parent, props) VALUES(?1, ?2, ?3, ?4, ?5)");
        put.bind(1, op.element.id);
        put.bind(2, op.element.seq);
        put.bind(3, kindName(op.element.kind));
        put.bind(4, op.element.parent);
        put.bind(5, compact(op.element.props));
        return put.step() == SQLITE_DONE ? Result<void>{} : sqlError(QStringLiteral("add element"));
    }
    if (op.type == Op::Type::Remove) {
        Statement del(m_db.get(), "DELETE FROM elements WHERE id = ?1");
        del.bind(1, op.element.id);
        return del.step() == SQLITE_DONE ? Result<void>{}
                                         : sqlError(QStringLiteral("remove element"));
    }
    const bool isInfo = op.id.isEmpty();
    Statement get(m_db.get(), isInfo ? "SELECT value FROM meta WHERE key = 'designInfo'"
                                     : "SELECT props FROM elements WHERE id = ?1");
    if (!isInfo)
        get.bind(1, op.id);
    if (get.step() != SQLITE_ROW)
        return fail(Error::Code::NotFound, QStringLiteral("%1: no element %2").arg(m_path, op.id));
    QJsonObject props = QJsonDocument::fromJson(get.bytes(0)).object();
    if (op.after.isUndefined())
        props.remove(op.key);
    else
        props.insert(op.key, op.after);
    if (isInfo)
        return writeInfo(props);
    Statement put(m_db.get(), "UPDATE elements SET props = ?2 WHERE id = ?1");
    put.bind(1, op.id);
    put.bind(2, compact(props));
    return put.step() == SQLITE_DONE ? Result<void>{} : sqlError(QStringLiteral("update element"));
}

Result<void> ProjectStore::recordEdit(const Edit &edit, const QString &author)
{
    return inTransaction([&]() -> Result<void> {
        for (const Op &op : edit.ops)
            if (auto ok = applyOp(op); !ok)
                return ok;
        return appendHistory(edit.description, compact(edit.toJson()), author);
    });
}

Result<void> ProjectStore::replaceDesign(const Design &design, const QString &description)
{
    return inTransaction([&]() -> Result<void> {
        if (auto ok = exec("DELETE FROM elements"); !ok)
            return ok;
        if (auto ok = writeInfo(design.info()); !ok)
            return ok;
        for (const Element *e : design.allElements())
            if (auto ok = applyOp({Op::Type::Add, *e, {}, {}, {}, {}}); !ok)
                return ok;
        const QJsonObject record{{QStringLiteral("description"), description},
                                 {QStringLiteral("replace"), true},
                                 {QStringLiteral("elements"), double(design.size())}};
        return appendHistory(description, compact(record), {});
    });
}

Result<Design> ProjectStore::loadDesign() const
{
    Design design;
    Statement info(m_db.get(), "SELECT value FROM meta WHERE key = 'designInfo'");
    if (info.step() == SQLITE_ROW)
        design.setInfo(QJsonDocument::fromJson(info.bytes(0)).object());
    Statement rows(m_db.get(), "SELECT id, seq, kind, parent, props FROM elements ORDER BY seq");
    if (!rows.ok())
        return sqlError(QStringLiteral("read elements"));
    int rc;
    while ((rc = rows.step()) == SQLITE_ROW) {
        const auto kind = kindFromName(rows.text(2));
        QJsonParseError parseError;
        const QJsonDocument props = QJsonDocument::fromJson(rows.bytes(4), &parseError);
        if (!kind || !props.isObject())
            return fail(Error::Code::Store,
                        QStringLiteral("%1: element %2 is damaged").arg(m_path, rows.text(0)));
        design.insert(Element{rows.text(0), *kind, rows.text(3), rows.int64(1), props.object()});
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("read elements"));
    return design;
}

Result<std::vector<HistoryEntry>> ProjectStore::history() const
{
    std::vector<HistoryEntry> out;
    Statement rows(m_db.get(),
                   "SELECT seq, at, author, description, edit FROM history ORDER BY seq");
    while (rows.step() == SQLITE_ROW) {
        HistoryEntry h{rows.int64(0),
                       QDateTime::fromString(rows.text(1), Qt::ISODateWithMs),
                       rows.text(2),
                       rows.text(3),
                       {}};
        if (auto edit = Edit::fromJson(QJsonDocument::fromJson(rows.bytes(4)).object()))
            h.edit = *edit;
        out.push_back(std::move(h));
    }
    return out;
}

// --- Fleet --------------------------------------------------------------------------------------

namespace {

Result<deploy::AgentRecord> readAgent(const Statement &row, const QString &path)
{
    deploy::AgentRecord a{row.text(0), row.text(1), row.text(2), {}, {}, row.text(5)};
    const auto enrolled = parseTime(row.text(3));
    const auto seen = parseTime(row.text(4));
    if (!enrolled || !seen)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: agent %2: %3 \"%4\" is not a time")
                        .arg(path, a.host,
                             enrolled ? QStringLiteral("last_seen") : QStringLiteral("enrolled_at"),
                             enrolled ? row.text(4) : row.text(3)));
    a.enrolledAt = *enrolled;
    a.lastSeen = *seen;
    return a;
}

Result<deploy::DeploymentHost> readDeploymentHost(const Statement &row, const QString &path)
{
    deploy::DeploymentHost h;
    h.deployment = row.int64(0);
    h.host = row.text(1);
    h.transaction = row.text(4);
    h.message = row.text(6);
    const QString where = QStringLiteral("%1: deployment %2, host %3")
                              .arg(path, QString::number(h.deployment), h.host);
    QJsonParseError parseError;
    const QJsonDocument plan = QJsonDocument::fromJson(row.bytes(2), &parseError);
    if (!plan.isObject())
        return fail(Error::Code::Store, QStringLiteral("%1: the plan is not a JSON object (%2)")
                                            .arg(where, parseError.errorString()));
    h.plan = plan.object();
    const QJsonDocument desired = QJsonDocument::fromJson(row.bytes(3), &parseError);
    if (!desired.isObject())
        return fail(Error::Code::Store,
                    QStringLiteral("%1: the desired state is not a JSON object (%2)")
                        .arg(where, parseError.errorString()));
    auto state = realize::HostState::fromJson(desired.object());
    if (!state)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: desired state: %2").arg(where, state.error().message));
    h.desired = std::move(*state);
    const auto phase = deploy::phaseFromName(row.text(5));
    if (!phase)
        return fail(
            Error::Code::Store,
            QStringLiteral("%1: result \"%2\" is not a host phase").arg(where, row.text(5)));
    h.result = *phase;
    return h;
}

} // namespace

Result<void> ProjectStore::saveAgent(const deploy::AgentRecord &agent)
{
    if (auto ok = checkHostName(agent.host, m_path + QStringLiteral(": agent")); !ok)
        return ok;
    return inTransaction([&]() -> Result<void> {
        Statement put(m_db.get(),
                      "INSERT OR REPLACE INTO agents(host, address, fingerprint, enrolled_at, "
                      "last_seen, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
        put.bind(1, agent.host);
        put.bind(2, agent.address);
        put.bind(3, agent.fingerprint);
        put.bind(4, timeText(agent.enrolledAt));
        put.bind(5, timeText(agent.lastSeen));
        put.bind(6, agent.version);
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("save agent %1").arg(agent.host));
        return {};
    });
}

Result<void> ProjectStore::removeAgent(const QString &host)
{
    return inTransaction([&]() -> Result<void> {
        Statement del(m_db.get(), "DELETE FROM agents WHERE host = ?1");
        del.bind(1, host);
        if (del.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("remove agent %1").arg(host));
        if (sqlite3_changes(m_db.get()) == 0)
            return fail(Error::Code::NotFound,
                        QStringLiteral("%1: no agent for host %2").arg(m_path, host));
        return {};
    });
}

Result<void> ProjectStore::touchAgent(const QString &host, const QDateTime &lastSeen,
                                      const QString &version)
{
    return inTransaction([&]() -> Result<void> {
        Statement put(m_db.get(), "UPDATE agents SET last_seen = ?2, version = COALESCE(NULLIF(?3, "
                                  "''), version) WHERE host = ?1");
        put.bind(1, host);
        put.bind(2, timeText(lastSeen));
        put.bind(3, version);
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("update agent %1").arg(host));
        if (sqlite3_changes(m_db.get()) == 0)
            return fail(Error::Code::NotFound,
                        QStringLiteral("%1: no agent for host %2").arg(m_path, host));
        return {};
    });
}

Result<std::vector<deploy::AgentRecord>> ProjectStore::agents() const
{
    Statement rows(m_db.get(), QByteArray("SELECT ") + agentColumns + " FROM agents ORDER BY host");
    if (!rows.ok())
        return sqlError(QStringLiteral("read agents"));
    std::vector<deploy::AgentRecord> out;
    int rc;
    while ((rc = rows.step()) == SQLITE_ROW) {
        auto a = readAgent(rows, m_path);
        if (!a)
            return std::unexpected(a.error());
        out.push_back(std::move(*a));
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("read agents"));
    return out;
}

Result<std::optional<deploy::AgentRecord>> ProjectStore::agent(const QString &host) const
{
    Statement row(m_db.get(),
                  QByteArray("SELECT ") + agentColumns + " FROM agents WHERE host = ?1");
    if (!row.ok())
        return sqlError(QStringLiteral("read agent %1").arg(host));
    row.bind(1, host);
    const int rc = row.step();
    if (rc == SQLITE_DONE)
        return std::nullopt;
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("read agent %1").arg(host));
    auto a = readAgent(row, m_path);
    if (!a)
        return std::unexpected(a.error());
    return std::optional(std::move(*a));
}

// --- Deployments --------------------------------------------------------------------------------

Result<void> ProjectStore::insertDeploymentHost(qint64 id, const deploy::DeploymentHost &host)
{
    Statement exists(m_db.get(), "SELECT 1 FROM deployments WHERE id = ?1");
    exists.bind(1, id);
    if (exists.step() != SQLITE_ROW)
        return fail(Error::Code::NotFound, QStringLiteral("%1: no deployment %2 (saving host %3)")
                                               .arg(m_path, QString::number(id), host.host));
    Statement put(m_db.get(),
                  "INSERT OR REPLACE INTO deployment_hosts(deployment, host, plan, desired, "
                  "transaction_id, result, message) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    put.bind(1, id);
    put.bind(2, host.host);
    put.bind(3, compact(host.plan));
    put.bind(4, compact(host.desired.toJson()));
    put.bind(5, host.transaction);
    put.bind(6, deploy::phaseName(host.result));
    put.bind(7, host.message);
    if (put.step() != SQLITE_DONE)
        return sqlError(
            QStringLiteral("deployment %1: save host %2").arg(QString::number(id), host.host));
    return {};
}

Result<qint64> ProjectStore::beginDeployment(const deploy::DeploymentRecord &record,
                                             const Design &snapshot)
{
    const QString where = m_path + QStringLiteral(": new deployment");
    QSet<QString> seen;
    for (const deploy::DeploymentHost &h : record.hosts) {
        if (auto ok = checkDeploymentHost(h, where); !ok)
            return std::unexpected(ok.error());
        if (seen.contains(h.host))
            return invalid(QStringLiteral("%1: host %2 is listed twice").arg(where, h.host));
        seen.insert(h.host);
    }
    qint64 id = 0;
    auto ok = inTransaction([&]() -> Result<void> {
        Statement count(m_db.get(), "SELECT count(*) FROM history");
        if (count.step() != SQLITE_ROW)
            return sqlError(QStringLiteral("count history entries"));
        Statement put(m_db.get(),
                      "INSERT INTO deployments(at, author, design_revision, design, summary, "
                      "confirmed) VALUES(?1, ?2, ?3, ?4, '', 0)");
        put.bind(1, timeText(record.at.isValid() ? record.at : QDateTime::currentDateTimeUtc()));
        put.bind(2, record.author);
        put.bind(3, count.int64(0));
        put.bind(4, compact(designdocument::toJson(snapshot)));
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("record a new deployment"));
        id = sqlite3_last_insert_rowid(m_db.get());
        for (const deploy::DeploymentHost &h : record.hosts)
            if (auto saved = insertDeploymentHost(id, h); !saved)
                return saved;
        return {};
    });
    if (!ok)
        return std::unexpected(ok.error());
    return id;
}

Result<void> ProjectStore::saveDeploymentHost(qint64 id, const deploy::DeploymentHost &host)
{
    if (auto ok =
            checkDeploymentHost(host, QStringLiteral("%1: deployment %2").arg(m_path).arg(id));
        !ok)
        return ok;
    return inTransaction([&]() { return insertDeploymentHost(id, host); });
}

Result<void> ProjectStore::finishDeployment(qint64 id, const QString &summary, bool confirmed)
{
    return inTransaction([&]() -> Result<void> {
        Statement put(m_db.get(),
                      "UPDATE deployments SET summary = ?2, confirmed = ?3 WHERE id = ?1");
        put.bind(1, id);
        put.bind(2, summary);
        put.bind(3, qint64(confirmed ? 1 : 0));
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("finish deployment %1").arg(id));
        if (sqlite3_changes(m_db.get()) == 0)
            return fail(Error::Code::NotFound,
                        QStringLiteral("%1: no deployment %2").arg(m_path).arg(id));
        return {};
    });
}

// All deployments (onlyId 0) or the one with id onlyId, newest first, with their hosts.
Result<std::vector<deploy::DeploymentRecord>> ProjectStore::readDeployments(qint64 onlyId) const
{
    std::vector<deploy::DeploymentRecord> out;
    auto ok = inReadTransaction([&]() -> Result<void> {
        Statement rows(m_db.get(),
                       onlyId ? "SELECT id, at, author, design_revision, summary, confirmed "
                                "FROM deployments WHERE id = ?1"
                              : "SELECT id, at, author, design_revision, summary, confirmed "
                                "FROM deployments ORDER BY id DESC");
        if (!rows.ok())
            return sqlError(QStringLiteral("read deployments"));
        if (onlyId)
            rows.bind(1, onlyId);
        QHash<qint64, std::size_t> index;
        int rc;
        while ((rc = rows.step()) == SQLITE_ROW) {
            deploy::DeploymentRecord d;
            d.id = rows.int64(0);
            const auto at = parseTime(rows.text(1));
            if (!at || !at->isValid())
                return fail(Error::Code::Store,
                            QStringLiteral("%1: deployment %2: at \"%3\" is not a time")
                                .arg(m_path, QString::number(d.id), rows.text(1)));
            d.at = *at;
            d.author = rows.text(2);
            d.designRevision = rows.int64(3);
            d.summary = rows.text(4);
            d.confirmed = rows.int64(5) != 0;
            index.insert(d.id, out.size());
            out.push_back(std::move(d));
        }
        if (rc != SQLITE_DONE)
            return sqlError(QStringLiteral("read deployments"));
        if (out.empty())
            return {};
        Statement hosts(m_db.get(),
                        onlyId ? QByteArray("SELECT ") + hostColumns +
                                     " FROM deployment_hosts WHERE deployment = ?1 ORDER BY host"
                               : QByteArray("SELECT ") + hostColumns +
                                     " FROM deployment_hosts ORDER BY deployment, host");
        if (!hosts.ok())
            return sqlError(QStringLiteral("read deployment hosts"));
        if (onlyId)
            hosts.bind(1, onlyId);
        while ((rc = hosts.step()) == SQLITE_ROW) {
            const auto at = index.constFind(hosts.int64(0));
            if (at == index.cend())
                continue; // a row without its deployment: cannot be written through this class
            auto h = readDeploymentHost(hosts, m_path);
            if (!h)
                return std::unexpected(h.error());
            out[*at].hosts.push_back(std::move(*h));
        }
        if (rc != SQLITE_DONE)
            return sqlError(QStringLiteral("read deployment hosts"));
        return {};
    });
    if (!ok)
        return std::unexpected(ok.error());
    return out;
}

Result<std::vector<deploy::DeploymentRecord>> ProjectStore::deployments() const
{
    return readDeployments(0);
}

Result<std::optional<deploy::DeploymentRecord>> ProjectStore::deployment(qint64 id) const
{
    if (id <= 0)
        return std::nullopt;
    auto found = readDeployments(id);
    if (!found)
        return std::unexpected(found.error());
    if (found->empty())
        return std::nullopt;
    return std::optional(std::move(found->front()));
}

Result<Design> ProjectStore::deployedDesign(qint64 id) const
{
    Statement row(m_db.get(), "SELECT design FROM deployments WHERE id = ?1");
    if (!row.ok())
        return sqlError(QStringLiteral("read deployment %1").arg(id));
    row.bind(1, id);
    const int rc = row.step();
    if (rc == SQLITE_DONE)
        return fail(Error::Code::NotFound,
                    QStringLiteral("%1: no deployment %2").arg(m_path).arg(id));
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("read deployment %1").arg(id));
    auto design = designdocument::load(row.bytes(0));
    if (!design)
        return fail(Error::Code::Store,
                    QStringLiteral("%1: deployment %2: design snapshot: %3")
                        .arg(m_path, QString::number(id), design.error().message));
    return design;
}

Result<std::optional<deploy::DeploymentHost>> ProjectStore::lastConfirmedFor(const QString &host,
                                                                             qint64 beforeId) const
{
    if (auto ok = checkHostName(host, m_path + QStringLiteral(": last confirmed deployment")); !ok)
        return std::unexpected(ok.error());
    Statement row(m_db.get(), QByteArray("SELECT ") + hostColumns +
                                  " FROM deployment_hosts WHERE host = ?1 AND deployment < ?2 "
                                  "AND result IN (?3, ?4) ORDER BY deployment DESC LIMIT 1");
    if (!row.ok())
        return sqlError(QStringLiteral("read deployments of host %1").arg(host));
    row.bind(1, host);
    row.bind(2, beforeId);
    row.bind(3, deploy::phaseName(deploy::HostPhase::Confirmed));
    row.bind(4, deploy::phaseName(deploy::HostPhase::Unchanged));
    const int rc = row.step();
    if (rc == SQLITE_DONE)
        return std::nullopt;
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("read deployments of host %1").arg(host));
    auto h = readDeploymentHost(row, m_path);
    if (!h)
        return std::unexpected(h.error());
    return std::optional(std::move(*h));
}

QString ProjectStore::storePathFor(const QString &designFile)
{
    const QLatin1String store(fileSuffix);
    if (designFile.endsWith(store))
        return designFile;
    QString base = designFile;
    const QLatin1String document(".converge.json");
    if (base.endsWith(document))
        base.chop(document.size());
    else if (base.endsWith(QLatin1String(".json")))
        base.chop(5);
    return base + store;
}

} // namespace converge::core
