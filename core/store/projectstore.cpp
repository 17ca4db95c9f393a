#include "projectstore.h"

#include "../model/schema.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <sqlite3.h>

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

const char *schemaSql = R"(
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

Result<void> ProjectStore::migrate()
{
    Statement check(m_db.get(), "SELECT value FROM meta WHERE key='storeVersion'");
    if (check.ok() && check.step() == SQLITE_ROW) {
        const int version = check.text(0).toInt();
        if (version > currentStoreVersion)
            return fail(
                Error::Code::NewerSchema,
                QStringLiteral("%1: store version %2 is newer than this Converge reads (%3)")
                    .arg(m_path)
                    .arg(version)
                    .arg(currentStoreVersion));
        return {};
    }
    if (!Statement(m_db.get(), "SELECT 1 FROM sqlite_master").ok())
        return sqlError(QStringLiteral("not a project store"));
    return inTransaction([this]() -> Result<void> {
        if (auto ok = exec(schemaSql); !ok)
            return ok;
        Statement put(m_db.get(), "INSERT INTO meta(key, value) VALUES('storeVersion', ?1)");
        put.bind(1, QByteArray::number(currentStoreVersion));
        if (put.step() != SQLITE_DONE)
            return sqlError(QStringLiteral("write store version"));
        return writeInfo({});
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

} // namespace converge::core
