#pragma once

#include "core/validation/finding.h"

#include <QStringList>

#include <vector>

namespace converge::core {
class Design;
}

// A design with an unaccepted error finding is never deployed nor bundled: the one rule the
// Deploy dialog, File > Export Bundle, `convergectl deploy` and `convergectl bundle` share.
namespace converge::collectors {

// "RULE  message" of every unaccepted error finding; empty when the design may go out.
QStringList blockingFindings(const std::vector<core::Finding> &findings);
// The same after a full validation of `design`.
QStringList blockingFindings(const core::Design &design);

} // namespace converge::collectors
