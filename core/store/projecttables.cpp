#include "projecttables.h"

#include "core/store/statement.h"

#include <sqlite3.h>

namespace converge::core::sql {

Result<void> makeProjectTables(sqlite3 *db, const QString &path, const char *versionKey,
                               qint64 version, const char *what, const char *schema)
{
    Statement current(db, "SELECT (SELECT value FROM meta WHERE key = 'storeVersion'), "
                          "(SELECT value FROM meta WHERE key = ?1)");
    current.bind(1, QByteArray(versionKey));
    if (!current.ok() || current.step() != SQLITE_ROW || current.isNull(0))
        return fail(Error::Code::Store,
                    QStringLiteral("%1: not a project store (no store version)").arg(path));
    if (!current.isNull(1) && current.int64(1) > version)
        return fail(Error::Code::NewerSchema,
                    QStringLiteral("%1: %2 tables version %3 are newer than this Converge reads "
                                   "(%4)")
                        .arg(path, QString::fromUtf8(what), current.text(1))
                        .arg(version));
    if (!current.isNull(1))
        return {};
    const QByteArray script = QByteArray("BEGIN IMMEDIATE;") + schema + "COMMIT;";
    if (sqlite3_exec(db, script.constData(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        const QString message =
            QStringLiteral("%1: making the %2 tables: %3")
                .arg(path, QString::fromUtf8(what), QString::fromUtf8(sqlite3_errmsg(db)));
        (void)sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return fail(Error::Code::Store, message);
    }
    return {};
}

} // namespace converge::core::sql
