#include "viewslogging.h"

namespace converge::views {

Q_LOGGING_CATEGORY(lcDeployGui, "converge.views.deploy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "converge.views.session", QtInfoMsg)

} // namespace converge::views
