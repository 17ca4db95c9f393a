#pragma once

#include "core/util/result.h"

#include <QString>

struct sqlite3;

// Tables a part of Converge adds to a project store (metering, alerts): made on first open, in
// one transaction, and versioned in the store's meta table under their own key.
namespace converge::core::sql {

// Runs SCHEMA (CREATE ... IF NOT EXISTS, and the meta row of VERSIONKEY) in the project store DB
// at PATH unless its WHAT tables are there already. Refused, saying so, for a file that is not a
// project store or whose tables are newer than VERSION.
Result<void> makeProjectTables(sqlite3 *db, const QString &path, const char *versionKey,
                               qint64 version, const char *what, const char *schema);

} // namespace converge::core::sql
