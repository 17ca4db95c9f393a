#include "projectstore.h"

#include "statement.h"

#include "core/logging.h"

#include <QFileInfo>

#include <iterator>

// The connection: opening and creating a store, its schema and migrations, transactions, errors.
// The design and its history are in projectstore_design.cpp, the fleet and the deployments in
// projectstore_fleet.cpp.

namespace converge::core {

using sql::Statement;

namespace {

// Schema steps: schemaSteps[v] takes a store from version v to v + 1 (0 is a new, empty file).
// A step runs inside the upgrade's transaction; steps after the first use plain CREATE so that a
// conflict with something already in the file fails the upgrade instead of being half-applied.
constexpr const char schemaV1[] = R"(
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
constexpr const char schemaV2[] = R"(
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

// A deployment's design is named by a hash of its content and numbered among the distinct designs
// deployed (the first deployment of a design gives its number; a design deployed again keeps it).
// Rows written before version 3 get both from the design they kept.
constexpr const char schemaV3[] = R"(
ALTER TABLE deployments ADD COLUMN design_hash TEXT NOT NULL DEFAULT '';
UPDATE deployments SET design_hash = converge_design_hash(design);
WITH firsts(hash, id) AS (SELECT design_hash, min(id) FROM deployments GROUP BY design_hash)
UPDATE deployments SET design_revision = (
    SELECT count(*) FROM firsts WHERE firsts.id <= (
        SELECT id FROM firsts WHERE firsts.hash = deployments.design_hash));
)";

constexpr const char *schemaSteps[] = {schemaV1, schemaV2, schemaV3};
static_assert(std::size(schemaSteps) == ProjectStore::currentStoreVersion,
              "one schema step per store version");

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
    const QString message = QStringLiteral("%1: %2: %3")
                                .arg(m_path, what, QString::fromUtf8(sqlite3_errmsg(m_db.get())));
    qCWarning(lcStore).noquote() << message;
    return fail(Error::Code::Store, message);
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
    sql::addDesignHashFunction(db);
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

// The stored version, refused when it is newer than this code reads.
Result<int> ProjectStore::readableVersion() const
{
    auto version = storedVersion();
    if (version && *version > currentStoreVersion)
        return fail(Error::Code::NewerSchema,
                    QStringLiteral("%1: store version %2 is newer than this Converge reads (%3)")
                        .arg(m_path)
                        .arg(*version)
                        .arg(currentStoreVersion));
    return version;
}

// Brings the store to currentStoreVersion: a new file gets the whole schema, an older store the
// steps it lacks, all in one transaction (a failed upgrade leaves the store as it was).
Result<void> ProjectStore::migrate()
{
    const auto before = readableVersion();
    if (!before)
        return std::unexpected(before.error());
    if (*before == currentStoreVersion)
        return {};
    return inTransaction([&]() -> Result<void> {
        // Another process may have upgraded the store since we looked.
        const auto from = readableVersion();
        if (!from)
            return std::unexpected(from.error());
        if (*from == currentStoreVersion)
            return {};
        return upgradeFrom(*from);
    });
}

// Inside migrate()'s transaction.
Result<void> ProjectStore::upgradeFrom(int from)
{
    if (from > 0)
        qCInfo(lcStore) << "upgrading the store from version" << from << "to"
                        << currentStoreVersion;
    for (int v = from; v < currentStoreVersion; ++v)
        if (sqlite3_exec(m_db.get(), schemaSteps[v], nullptr, nullptr, nullptr) != SQLITE_OK)
            return sqlError(QStringLiteral("upgrading the store from version %1 to %2")
                                .arg(from)
                                .arg(currentStoreVersion));
    Statement put(m_db.get(), "INSERT OR REPLACE INTO meta(key, value) VALUES('storeVersion', ?1)");
    put.bind(1, QByteArray::number(currentStoreVersion));
    if (put.step() != SQLITE_DONE)
        return sqlError(QStringLiteral("write store version"));
    return from == 0 ? writeInfo({}) : Result<void>{};
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
