#pragma once

#include <QJsonObject>
#include <QString>

// An agent's plan (Plan::toJson: "diff" text, one line per operation; destructive ones start
// with "! ", notes with "  note: ") as HTML for a text view: destructive steps red and bold,
// additions green, removals dark red, notes grey. HTML-escaped.
namespace converge::views {

QString planDiffHtml(const QJsonObject &plan);
// "3 operations, 1 destructive" / "no changes".
QString planSummary(const QJsonObject &plan);

} // namespace converge::views
