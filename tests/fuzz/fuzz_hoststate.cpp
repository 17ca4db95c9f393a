// The host-state form the agent accepts as "desired" in plan and apply (HostState::fromJson,
// which reads it with HostStateReader), then what the agent does with an accepted one. Checked:
// errors have a message; an accepted state survives its JSON (toJson, fromJson: equal); the
// planner plans it onto an empty host and onto itself, the second plan being empty
// (makePlan(desired, afterApply(desired)), planner.h), and the console reads the plan's JSON.
#include "fuzzchecks.h"

#include "core/protocol/replies.h"
#include "core/realize/hoststate.h"
#include "core/realize/planner.h"

using namespace converge;
using namespace converge::core::realize;
using fuzz::require;

namespace {

void checkPlans(const HostState &desired)
{
    const Plan fresh = makePlan(desired, HostState{});
    const auto report =
        core::protocol::PlanReport::fromJson(fresh.toJson(), QStringLiteral("plan"));
    require(report.has_value(), "the console reads the agent's plan",
            report ? QString() : report.error().message);
    require(report->operations == int(fresh.ops.size()), "the plan's operations are counted");
    const Plan again = makePlan(desired, afterApply(desired));
    require(again.isEmpty(), "a state applied plans nothing", again.diffText());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(fuzz::bytesOf(data, size));
    if (!doc.isObject())
        return 0;
    const auto state = HostState::fromJson(doc.object());
    if (fuzz::failedWithMessage(state))
        return 0;
    const QJsonObject json = state->toJson();
    const auto again = HostState::fromJson(json);
    require(again.has_value(), "an accepted state's toJson() is accepted",
            again ? QString() : again.error().message + QLatin1Char(' ') + fuzz::compact(json));
    require(*again == *state, "a state survives its JSON", fuzz::compact(json));
    checkPlans(*state);
    return 0;
}
