#include "finding.h"

#include "rule.h"

#include "../model/commands.h"

#include <algorithm>

namespace converge::core {

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return QStringLiteral("error");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Info:
        return QStringLiteral("info");
    }
    return {};
}

std::optional<Severity> severityFromName(const QString &name)
{
    for (Severity s : {Severity::Error, Severity::Warning, Severity::Info})
        if (severityName(s) == name)
            return s;
    return std::nullopt;
}

Result<Edit> quickFixEdit(const Design &design, const QuickFix &fix)
{
    std::vector<Edit> edits;
    for (const QuickFix::Change &c : fix.changes) {
        auto edit = commands::setProperty(design, c.id, c.key, c.value);
        if (!edit)
            return edit;
        edits.push_back(*edit);
    }
    return commands::combine(fix.title, edits);
}

void sortFindings(std::vector<Finding> &findings)
{
    std::ranges::sort(findings, [](const Finding &a, const Finding &b) {
        return std::tie(a.severity, a.ruleId, a.elements, a.message) <
               std::tie(b.severity, b.ruleId, b.elements, b.message);
    });
}

void FindingSink::add(const QString &message, const QStringList &elements,
                      std::optional<QuickFix> fix)
{
    QStringList ids{m_anchor.id};
    for (const QString &id : elements)
        if (!ids.contains(id))
            ids << id;
    m_out.push_back({m_info.id, m_info.severity, message, ids, std::move(fix), {}});
}

} // namespace converge::core
