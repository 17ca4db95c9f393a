#include "logging.h"

namespace converge::collectors {

Q_LOGGING_CATEGORY(lcAgent, "converge.agent", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApply, "converge.agent.apply", QtInfoMsg)
Q_LOGGING_CATEGORY(lcChannel, "converge.agent.channel", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEnroll, "converge.agent.enroll", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConsole, "converge.console", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDeploy, "converge.console.deploy", QtInfoMsg)

} // namespace converge::collectors
