#pragma once

#include "design.h"

#include <QByteArray>
#include <QStringList>

namespace converge::core {

// Copy, paste and duplicate of elements. The clipboard form is JSON:
// {"convergeClipboard": 1, "elements": [{"id", "kind", "parent", "props"}, ...]} in creation
// order, owners before what they own, so it can travel between designs and processes.
namespace clipboard {

inline constexpr int formatVersion = 1;
inline constexpr auto mimeType = "application/x-converge-elements+json";

// The elements `ids` with everything they own, plus the links whose both ends are among them.
// Ids that name no element are skipped.
QByteArray copy(const Design &design, const QStringList &ids);

// The edit that adds the clipboard's elements with new ids. References among them follow the
// new ids; references outside are kept when the target is still there (else dropped, and a
// link that loses an end is left out). Elements whose owner was not copied go under
// `targetParent` when it may own them, else under their old owner. Names that clash with a
// sibling of the same kind become "Name (2)", "Name (3)"... Bad data is an error naming the
// element and the key.
Result<Edit> paste(const Design &design, const QByteArray &data, const QString &targetParent = {});

// Copy and paste in place: "Duplicate host 'HV01'".
Result<Edit> duplicate(const Design &design, const QStringList &ids);

} // namespace clipboard
} // namespace converge::core
