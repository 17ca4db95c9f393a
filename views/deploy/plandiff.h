#pragma once

#include <QJsonObject>
#include <QString>

// An agent's plan (Plan::toJson: "diff" text, each operation on a line, "! " before a destructive
// one, its changes on indented lines below it or after a colon, notes as "  note: ") as HTML for a
// text view: destructive steps red and bold and their changes red, added operations and items
// green, removed ones dark red, notes grey. HTML-escaped; long lines wrap.
namespace converge::views {

QString planDiffHtml(const QJsonObject &plan);
// "3 operations, 1 destructive" / "no changes".
QString planSummary(const QJsonObject &plan);

} // namespace converge::views
