#include "flowstats.h"

#include <QRegularExpression>

namespace converge::collectors::ovs {

namespace {

using core::Error;
using core::fail;

QStringList ofctlArgs(const QString &command, const QString &bridge)
{
    // "--": no bridge name is taken for an option.
    return {QStringLiteral("-O"),
            QStringLiteral("OpenFlow14"),
            QStringLiteral("--no-names"),
            QStringLiteral("--"),
            command,
            bridge};
}

} // namespace

QString FlowStat::text() const
{
    QString t;
    if (priority != 32768)
        t = QStringLiteral("priority=%1").arg(priority);
    if (!match.isEmpty())
        t += (t.isEmpty() ? QString() : QStringLiteral(",")) + match;
    if (table != 0)
        t = QStringLiteral("table=%1").arg(table) + (t.isEmpty() ? QString() : u',' + t);
    return (t.isEmpty() ? QString() : t + u' ') + QStringLiteral("actions=") + actions;
}

Result<QList<FlowStat>> parseFlowStats(const QByteArray &output, const QString &where)
{
    static const QStringList flagWords{
        QStringLiteral("send_flow_rem"), QStringLiteral("check_overlap"),
        QStringLiteral("reset_counts"), QStringLiteral("no_packet_counts"),
        QStringLiteral("no_byte_counts")};
    QList<FlowStat> flows;
    const QList<QByteArray> lines = output.split('\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const QString line = QString::fromUtf8(lines.at(n)).trimmed();
        if (!line.startsWith(QLatin1String("cookie=")))
            continue; // reply headers ("OFPST_FLOW reply (OF1.4) (xid=0x2):") and blank lines
        const auto bad = [&](const QString &what) {
            return fail(
                Error::Code::Io,
                QStringLiteral("%1: line %2: %3: \"%4\"").arg(where).arg(n + 1).arg(what, line));
        };
        qsizetype actionsAt = line.indexOf(QLatin1String(" actions="));
        if (actionsAt < 0)
            return bad(QStringLiteral("no actions"));
        FlowStat flow;
        flow.actions = line.mid(actionsAt + 9);
        QStringList matchParts;
        bool inMatch = false;
        for (QString token : line.left(actionsAt).split(u',', Qt::SkipEmptyParts)) {
            token = token.trimmed();
            if (!inMatch && token.contains(u' ')) { // "send_flow_rem priority=5"
                QStringList words = token.split(u' ', Qt::SkipEmptyParts);
                while (!words.isEmpty() && flagWords.contains(words.front()))
                    words.removeFirst();
                token = words.join(u' ');
            }
            if (token.isEmpty())
                continue;
            const qsizetype eq = token.indexOf(u'=');
            const QString key = eq < 0 ? token : token.left(eq);
            const QString value = eq < 0 ? QString() : token.mid(eq + 1);
            bool ok = true;
            if (key == QLatin1String("priority")) {
                flow.priority = value.toInt(&ok);
                inMatch = true; // the match starts with the priority
            } else if (inMatch) {
                matchParts << token;
            } else if (key == QLatin1String("cookie")) {
                flow.cookie = value.toULongLong(&ok, 16);
            } else if (key == QLatin1String("table")) {
                flow.table = value.toInt(&ok);
            } else if (key == QLatin1String("n_packets")) {
                flow.packets = value.toULongLong(&ok);
            } else if (key == QLatin1String("n_bytes")) {
                flow.bytes = value.toULongLong(&ok);
            } else if (key == QLatin1String("duration") || key == QLatin1String("idle_timeout") ||
                       key == QLatin1String("hard_timeout") || key == QLatin1String("idle_age") ||
                       key == QLatin1String("hard_age") || key == QLatin1String("importance")) {
                // statistics and timeouts: not part of the flow's identity
            } else {
                inMatch = true;
                matchParts << token;
            }
            if (!ok)
                return bad(QStringLiteral("cannot parse %1").arg(key));
        }
        flow.match = matchParts.join(u',');
        flows << flow;
    }
    return flows;
}

Result<QList<FlowStat>> readFlowStats(const OvsEnv &env, const QString &bridge, int timeoutMs)
{
    auto out =
        runChecked(findTool(QStringLiteral("ovs-ofctl")),
                   ofctlArgs(QStringLiteral("dump-flows"), bridge), {}, timeoutMs, processEnv(env));
    if (!out)
        return std::unexpected(out.error());
    return parseFlowStats(*out, QStringLiteral("ovs-ofctl dump-flows %1").arg(bridge));
}

Result<qint64> readFlowCount(const OvsEnv &env, const QString &bridge, int timeoutMs)
{
    auto out = runChecked(findTool(QStringLiteral("ovs-ofctl")),
                          ofctlArgs(QStringLiteral("dump-aggregate"), bridge), {}, timeoutMs,
                          processEnv(env));
    if (!out)
        return std::unexpected(out.error());
    static const QRegularExpression flowCount(QStringLiteral("\\bflow_count=(\\d+)"));
    const auto m = flowCount.match(QString::fromUtf8(*out));
    if (!m.hasMatch())
        return fail(Error::Code::Io, QStringLiteral("ovs-ofctl dump-aggregate %1: no flow_count in "
                                                    "\"%2\"")
                                         .arg(bridge, QString::fromUtf8(out->trimmed())));
    return m.captured(1).toLongLong();
}

} // namespace converge::collectors::ovs
