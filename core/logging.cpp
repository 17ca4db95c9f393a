#include "logging.h"

namespace converge::core {

Q_LOGGING_CATEGORY(lcStore, "converge.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcValidation, "converge.validation", QtInfoMsg)

} // namespace converge::core
