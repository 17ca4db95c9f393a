#include "plandiff.h"

#include "core/protocol/replies.h"

#include <QFontDatabase>
#include <QFontMetricsF>
#include <QJsonArray>
#include <QObject>
#include <QStringList>

namespace converge::views {

namespace {

// An operation's change lines are indented below it (Operation::diffLines).
bool isChangeLine(const QString &line)
{
    return line.startsWith(QLatin1String("    "));
}

qsizetype leadingSpaces(const QString &line)
{
    qsizetype n = 0;
    while (n < line.size() && line[n] == QLatin1Char(' '))
        ++n;
    return n;
}

QString styleFor(const QString &line, bool underDestructive)
{
    if (line.startsWith(QLatin1String("! ")))
        return QStringLiteral("color:#c00000;font-weight:bold");
    const QString body = line.trimmed();
    if (body.startsWith(QLatin1String("note:")))
        return QStringLiteral("color:#808080");
    if (body.startsWith(QLatin1String("+ ")))
        return QStringLiteral("color:#107010");
    if (body.startsWith(QLatin1String("- ")) || (underDestructive && isChangeLine(line)))
        return QStringLiteral("color:#a03030");
    return {};
}

} // namespace

QString planDiffHtml(const QJsonObject &plan)
{
    QString diff = plan.value(QLatin1String("diff")).toString();
    if (diff.endsWith(QLatin1Char('\n')))
        diff.chop(1);
    // One paragraph per line in the fixed font, wrapped with a hanging indent: a long change line
    // continues below its own text, after its mark ("+ ", "~ "), not at the left edge.
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const qreal column = QFontMetricsF(fixed).horizontalAdvance(QLatin1Char(' '));
    const QString paragraph = QStringLiteral(
        "<p style=\"margin:0;margin-left:%1px;text-indent:-%1px;white-space:pre-wrap\">%2</p>");
    QString body;
    bool underDestructive = false;
    for (const QString &line : diff.split(QLatin1Char('\n'))) {
        if (!isChangeLine(line))
            underDestructive = line.startsWith(QLatin1String("! "));
        const QString style = styleFor(line, underDestructive);
        const QString text = line.toHtmlEscaped();
        const qsizetype hang = leadingSpaces(line) + 2;
        body += paragraph.arg(qRound(column * qreal(hang)))
                    .arg(style.isEmpty()
                             ? text
                             : QStringLiteral("<span style=\"%1\">%2</span>").arg(style, text));
    }
    return QStringLiteral("<div style=\"font-family:'%1';font-size:%2pt\">%3</div>")
        .arg(fixed.family().toHtmlEscaped())
        .arg(fixed.pointSizeF())
        .arg(body);
}

QString planSummary(const QJsonObject &plan)
{
    const QJsonArray ops = plan.value(QLatin1String("operations")).toArray();
    int destructive = 0;
    for (const QJsonValue &op : ops)
        destructive += op.toObject().value(QLatin1String("destructive")).toBool() ? 1 : 0;
    return core::protocol::PlanReport::summaryOf(int(ops.size()), destructive);
}

} // namespace converge::views
