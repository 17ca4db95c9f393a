#pragma once

#include "../model/design.h"
#include "documentpositions.h"

#include <QByteArray>

namespace converge::core {

// The design document (*.converge.json): the interchange and diff-friendly form of a design.
// Schema: docs/design-document.md.
namespace designdocument {

inline constexpr int currentSchemaVersion = 1;
inline constexpr auto fileSuffix = ".converge.json";

// Loads a whole document or nothing. Errors name the JSON path and the problem:
// "$.hosts[2].nics[0].speed: expected a positive number (bits per second)".
Result<Design> load(const QByteArray &json);
// With `positions`, also fills in where each element starts in the file (elementPositions),
// from the same bytes, for reports that point at lines.
Result<Design> loadFile(const QString &path, QHash<QString, TextPosition> *positions = nullptr);

QJsonObject toJson(const Design &design);
// Indented, with ids and names first in each object so diffs read well.
QByteArray save(const Design &design);
// Writes through a temporary file and renames it, so a crash never leaves half a document.
Result<void> saveFile(const Design &design, const QString &path);

} // namespace designdocument
} // namespace converge::core
