#pragma once

// Internal to the stores' .cpp files (projectstore*.cpp, metering*.cpp): not part of core's
// interface.

#include <QByteArray>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <sqlite3.h>

namespace converge::core::sql {

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
    // For statements run many times (the metering store's writer and readers).
    void bindBlob(int i, const QByteArray &bytes)
    {
        sqlite3_bind_blob(m_stmt, i, bytes.constData(), int(bytes.size()), SQLITE_TRANSIENT);
    }
    void bindReal(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }
    double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
    bool m_ok = false;
};

// A deployed design's hash (DeploymentRecord::designHash): 12 hex digits of the SHA-256 of the
// design as the store keeps it, its canonical JSON (compact designdocument::toJson).
inline QByteArray designHash(const QByteArray &canonicalJson)
{
    return QCryptographicHash::hash(canonicalJson, QCryptographicHash::Sha256).toHex().left(12);
}

// converge_design_hash(TEXT) in SQL: designHash, for the statements that record and upgrade
// deployments, so that the hash has one definition.
inline void addDesignHashFunction(sqlite3 *db)
{
    const auto hash = [](sqlite3_context *context, int, sqlite3_value **args) {
        const QByteArray json(static_cast<const char *>(sqlite3_value_blob(args[0])),
                              sqlite3_value_bytes(args[0]));
        const QByteArray digest = designHash(json);
        sqlite3_result_text(context, digest.constData(), int(digest.size()), SQLITE_TRANSIENT);
    };
    sqlite3_create_function_v2(db, "converge_design_hash", 1,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr, hash,
                               nullptr, nullptr, nullptr);
}

// JSON as the store keeps it in its TEXT columns.
inline QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace converge::core::sql
