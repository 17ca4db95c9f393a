#pragma once

#include <QLoggingCategory>

// The logging categories of core, one per area (QT_LOGGING_RULES="converge.store.debug=true").
namespace converge::core {

Q_DECLARE_LOGGING_CATEGORY(lcStore)      // converge.store: opening, upgrading, failed writes
Q_DECLARE_LOGGING_CATEGORY(lcValidation) // converge.validation: full runs and their cost

} // namespace converge::core
