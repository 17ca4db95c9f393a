#pragma once

#include "../model/design.h"

#include <QJsonValue>
#include <QStringList>

#include <optional>
#include <vector>

namespace converge::core {

enum class Severity { Error, Warning, Info };
QString severityName(Severity severity); // "error", "warning", "info"
std::optional<Severity> severityFromName(const QString &name);

// A rule's catalog entry (docs/rules.md).
struct RuleInfo
{
    QString id; // "TEAM-001", never reused
    Severity severity = Severity::Error;
    QString title;
    QString rationale;
    QString source; // seed file and section, or "Microsoft docs: <page>"
};

// A quick fix: property changes applied as one undoable edit.
struct QuickFix
{
    struct Change
    {
        QString id;
        QString key;
        QJsonValue value; // Undefined clears the property
        friend bool operator==(const Change &, const Change &) = default;
    };
    QString title;
    std::vector<Change> changes;
    friend bool operator==(const QuickFix &, const QuickFix &) = default;
};

struct Finding
{
    QString ruleId;
    Severity severity = Severity::Error;
    QString message;      // names the elements and says what to change
    QStringList elements; // ids, the anchor first
    std::optional<QuickFix> fix;
    QString justification; // set when the finding is accepted (suppressed) in the design
    bool isSuppressed() const { return !justification.isEmpty(); }
    friend bool operator==(const Finding &, const Finding &) = default;
};

// The edit that applies a quick fix (refused when the design changed so it no longer fits).
Result<Edit> quickFixEdit(const Design &design, const QuickFix &fix);

// Deterministic order: severity, rule id, elements, message.
void sortFindings(std::vector<Finding> &findings);

} // namespace converge::core
