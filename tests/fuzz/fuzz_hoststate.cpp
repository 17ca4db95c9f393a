// The host-state form the agent accepts as "desired" in plan and apply (HostState::fromJson,
// which reads it with HostStateReader), then what the agent does with an accepted one. The input
// is one state (a JSON object) or two ([A, B]: A desired on a host that is B now, as a rollback
// or a second deployment plans). Checked: errors have a message; an accepted state survives its
// JSON (toJson, fromJson: equal) and normalize() puts its lists in one order whatever order
// they come in; the planner plans it onto an empty host, onto itself (an
// empty plan: makePlan(desired, afterApply(desired)), planner.h) and away (an empty desired
// state); the console reads the plans' JSON (PlanReport).
#include "fuzzchecks.h"

#include "core/protocol/replies.h"
#include "core/realize/hoststate.h"
#include "core/realize/planner.h"

#include <QJsonArray>

#include <algorithm>

using namespace converge;
using namespace converge::core::realize;
using fuzz::require;

namespace {

void checkPlan(const Plan &plan)
{
    const auto report = core::protocol::PlanReport::fromJson(plan.toJson(), QStringLiteral("plan"));
    require(report.has_value(), "the console reads the agent's plan",
            report ? QString() : report.error().message);
    require(report->operations == int(plan.ops.size()), "the plan's operations are counted");
    require(report->digest == plan.digest(), "the plan's digest is the one reported");
}

void checkPlans(const HostState &desired)
{
    checkPlan(makePlan(desired, HostState{}));
    const Plan again = makePlan(desired, afterApply(desired));
    require(again.isEmpty(), "a state applied plans nothing", again.diffText());
    const Plan away = makePlan(HostState{}, afterApply(desired));
    checkPlan(away);
    require(desired.bridges.empty() || !away.isEmpty(), "removing bridges is a plan");
}

// The same state with its lists in the opposite order.
HostState reversed(HostState s)
{
    std::ranges::reverse(s.bridges);
    for (Bridge &b : s.bridges) {
        std::ranges::reverse(b.ports);
        std::ranges::reverse(b.pvlans);
        std::ranges::reverse(b.overlays);
        for (Overlay &o : b.overlays)
            std::ranges::reverse(o.remotes);
    }
    std::ranges::reverse(s.mirrors);
    std::reverse(s.unmanagedBridges.begin(), s.unmanagedBridges.end());
    return s;
}

std::optional<HostState> accepted(const QJsonValue &input)
{
    if (!input.isObject())
        return std::nullopt;
    const auto state = HostState::fromJson(input.toObject());
    if (fuzz::failedWithMessage(state))
        return std::nullopt;
    const QJsonObject json = state->toJson();
    const auto again = HostState::fromJson(json);
    require(again.has_value(), "an accepted state's toJson() is accepted",
            again ? QString() : again.error().message + QLatin1Char(' ') + fuzz::compact(json));
    require(*again == *state, "a state survives its JSON", fuzz::compact(json));
    HostState other = reversed(*state);
    other.normalize();
    require(other == *state, "normalize() gives a state's lists one order", fuzz::compact(json));
    checkPlans(*state);
    return *state;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument doc = QJsonDocument::fromJson(fuzz::bytesOf(data, size));
    if (doc.isObject()) {
        accepted(doc.object());
    } else if (doc.isArray() && doc.array().size() == 2) {
        const auto a = accepted(doc.array()[0]);
        const auto b = a ? accepted(doc.array()[1]) : std::nullopt;
        if (b) {
            checkPlan(makePlan(*a, afterApply(*b)));
            checkPlan(makePlan(*b, afterApply(*a)));
        }
    }
    return 0;
}
