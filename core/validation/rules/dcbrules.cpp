// DCB traffic classes: 002_4fa7ab3843d54fef.txt "Bandwidth management".
#include "../catalog.h"
#include "rulehelpers.h"

#include <QJsonObject>

namespace converge::core::rules {

namespace {

void atMostEightClasses(const Element &nic, RuleContext &ctx, FindingSink &out)
{
    const QJsonArray classes = nic.value(QStringLiteral("dcbTrafficClasses")).toArray();
    if (classes.size() <= 8)
        return;
    QStringList names;
    for (const QJsonValue c : classes)
        names << c.toObject().value(QStringLiteral("name")).toString();
    out.add(QStringLiteral("%1 defines %2 DCB traffic classes (%3); DCB supports at most eight. "
                           "Merge classes that can share a priority.")
                .arg(labelOnHost(nic, ctx))
                .arg(classes.size())
                .arg(names.join(QStringLiteral(", "))));
}

} // namespace

void addDcbRules(std::vector<Rule> &out)
{
    out.push_back(rule("QOS-007", Severity::Error, ElementKind::PhysicalNic,
                       "DCB: at most eight traffic classes",
                       "Data Center Bridging separates traffic into at most eight classes, each "
                       "with its bandwidth guarantee.",
                       "002_4fa7ab3843d54fef.txt \"Bandwidth management\"", atMostEightClasses));
}

} // namespace converge::core::rules
