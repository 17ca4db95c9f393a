#pragma once

#include <QString>

namespace converge::core {

// A string from outside (a peer's request type, a name inside an error) as one log line can
// hold it: control characters escaped (\n, \r, \t, \0, \xHH), so no peer can end a line or
// forge one, and at most `maxChars` characters kept, the rest counted ("... (8388600 more)").
QString logText(const QString &text, qsizetype maxChars = 200);

} // namespace converge::core
