#include "plandiff.h"

#include "core/protocol/replies.h"

#include <QJsonArray>
#include <QObject>
#include <QStringList>

namespace converge::views {

namespace {

QString styleFor(const QString &line)
{
    if (line.startsWith(QLatin1String("! ")))
        return QStringLiteral("color:#c00000;font-weight:bold");
    const QString body = line.trimmed();
    if (body.startsWith(QLatin1String("note:")))
        return QStringLiteral("color:#808080");
    if (body.startsWith(QLatin1String("+ ")))
        return QStringLiteral("color:#107010");
    if (body.startsWith(QLatin1String("- ")))
        return QStringLiteral("color:#a03030");
    return {};
}

} // namespace

QString planDiffHtml(const QJsonObject &plan)
{
    QString diff = plan.value(QLatin1String("diff")).toString();
    if (diff.endsWith(QLatin1Char('\n')))
        diff.chop(1);
    QStringList lines;
    for (const QString &line : diff.split(QLatin1Char('\n'))) {
        const QString style = styleFor(line);
        const QString text = line.toHtmlEscaped();
        lines << (style.isEmpty()
                      ? text
                      : QStringLiteral("<span style=\"%1\">%2</span>").arg(style, text));
    }
    return QStringLiteral("<pre style=\"margin:0\">%1</pre>").arg(lines.join(QLatin1Char('\n')));
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
