#pragma once

#include "../io/documentpositions.h"
#include "finding.h"

#include <QByteArray>
#include <QHash>

namespace converge::core {

// Validation reports for people (text) and for pipelines (JSON, SARIF 2.1.0, JUnit XML).
// Accepted (suppressed) findings are shown with their justification, never hidden.
struct ValidationReport
{
    QString file; // the design's file, as given
    const Design *design = nullptr;
    std::vector<Finding> findings; // already filtered by severity
    std::vector<RuleInfo> rules;   // the catalog that ran
    // Where each element starts in `file` (designdocument::elementPositions), for SARIF regions.
    // Empty when `file` is a project store: SARIF results then have logical locations only.
    QHash<QString, TextPosition> positions;
};

enum class ReportFormat { Text, Json, Sarif, Junit };
std::optional<ReportFormat> reportFormatFromName(const QString &name);

QByteArray renderReport(const ValidationReport &report, ReportFormat format);

// "hv1 / LAN / Mgmt": the owner chain of an element, for locating it.
QString elementPath(const Design &design, const QString &id);

// Findings at or above `minimum`, keeping order.
std::vector<Finding> atLeast(const std::vector<Finding> &findings, Severity minimum);
// Error-severity findings that are not accepted: these make validation fail.
std::size_t blockingCount(const std::vector<Finding> &findings);

// The rule catalog as Markdown (docs/rules.md is generated from it).
QString rulesMarkdown(const std::vector<RuleInfo> &rules);

} // namespace converge::core
