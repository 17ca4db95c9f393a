#pragma once

#include <QLoggingCategory>

// The logging categories of views, one per area (QT_LOGGING_RULES="converge.views.*=true").
namespace converge::views {

Q_DECLARE_LOGGING_CATEGORY(lcDeployGui) // converge.views.deploy: runs started from the GUI
Q_DECLARE_LOGGING_CATEGORY(lcSession)   // converge.views.session: opening, saving, autosave

} // namespace converge::views
