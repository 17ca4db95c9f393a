#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace converge::core {

// A place in a text file, as code-review tools count it: 1-based line and 1-based column in
// UTF-16 code units (SARIF's default column kind). Lines end at LF, CR LF or a lone CR.
struct TextPosition
{
    int line = 0;
    int column = 0;
    friend bool operator==(const TextPosition &, const TextPosition &) = default;
};

namespace designdocument {

// Where each element's object (its '{') starts in a design document's text, by element id.
// Qt's JSON parser keeps no positions, so this scans the same text, following the document's
// nesting of element collections exactly as load() does. Meant for a text load() accepted; on
// other text it returns what it could place and never fails.
QHash<QString, TextPosition> elementPositions(const QByteArray &json);

} // namespace designdocument
} // namespace converge::core
