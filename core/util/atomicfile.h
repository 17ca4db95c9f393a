#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QString>

namespace converge::core {

// Replaces path with bytes atomically (QSaveFile: a temporary file, then a rename); secret files
// get mode 0600 before any byte is written. For identities, tokens, keys and journals.
Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes, bool secret);

} // namespace converge::core
