#pragma once

#include "finding.h"
#include "rulecontext.h"

#include <functional>

namespace converge::core {

class FindingSink;

// A rule: its catalog entry and a check run once per element of its anchor kind. The check
// reads the design only through the RuleContext, which records what it read, so the engine
// knows exactly which checks a change can affect.
struct Rule
{
    RuleInfo info;
    ElementKind anchor = ElementKind::Host;
    std::function<void(const Element &anchor, RuleContext &ctx, FindingSink &out)> check;
};

// Collects one check's findings, filling in the rule's id and severity.
class FindingSink
{
public:
    FindingSink(const RuleInfo &info, const Element &anchor, std::vector<Finding> &out)
        : m_info(info)
        , m_anchor(anchor)
        , m_out(out)
    {
    }

    // `elements`: the other elements involved (the anchor is always first).
    void add(const QString &message, const QStringList &elements = {},
             std::optional<QuickFix> fix = std::nullopt);

private:
    const RuleInfo &m_info;
    const Element &m_anchor;
    std::vector<Finding> &m_out;
};

} // namespace converge::core
