#include "scripts.h"

namespace converge::core::realize {

namespace {

using realize::Operation;

// The argument of a created bridge's datapath: taken from $OVS_DATAPATH at run time, because a
// bundle's plan has no agent configuration to take it from (realize::Bridge::datapathType).
bool isDatapathArgument(const QStringList &command, qsizetype index)
{
    return command.value(0) == QLatin1String("set") &&
           command.value(1) == QLatin1String("Bridge") && index >= 3 &&
           command[index].startsWith(QLatin1String("datapath_type="));
}

// One argument of an ovs-vsctl command: KERNEL's, or USERSPACE's when the script runs with
// OVS_DATAPATH=netdev (by_datapath, see datapathChooser).
QString vsctlArgument(const QString &kernel, const QString &userspace)
{
    if (kernel == userspace)
        return shQuote(kernel);
    return QStringLiteral("\"$(by_datapath %1 %2)\"").arg(shQuote(kernel), shQuote(userspace));
}

// Whether two plans of one desired state differ only in arguments (the datapath's), command
// for command, so that one invocation can hold both.
bool sameCommands(const realize::Plan &a, const realize::Plan &b)
{
    if (a.ops.size() != b.ops.size())
        return false;
    for (std::size_t i = 0; i < a.ops.size(); ++i) {
        const auto &ca = a.ops[i].vsctl;
        const auto &cb = b.ops[i].vsctl;
        if (ca.size() != cb.size())
            return false;
        for (qsizetype j = 0; j < ca.size(); ++j)
            if (ca[j].size() != cb[j].size())
                return false;
    }
    return true;
}

// ONE ovs-vsctl invocation for PLAN; arguments that differ in USERSPACEPLAN (same commands)
// are chosen when the script runs.
QString vsctlInvocation(const realize::Plan &plan, const realize::Plan &userspacePlan)
{
    QString out = QStringLiteral("ovs-vsctl ${OVS_DB:+\"--db=$OVS_DB\"} --timeout=60");
    for (std::size_t o = 0; o < plan.ops.size(); ++o) {
        for (qsizetype c = 0; c < plan.ops[o].vsctl.size(); ++c) {
            const QStringList &command = plan.ops[o].vsctl[c];
            const QStringList &other = userspacePlan.ops[o].vsctl[c];
            out += QStringLiteral(" \\\n    --");
            for (qsizetype i = 0; i < command.size(); ++i)
                out += QLatin1Char(' ') + (isDatapathArgument(command, i)
                                               ? QStringLiteral("'datapath_type='\"$OVS_DATAPATH\"")
                                               : vsctlArgument(command[i], other[i]));
        }
    }
    return out + QLatin1Char('\n');
}

// A here-document delimiter that no line of LINES equals.
QString delimiterFor(const QStringList &lines)
{
    QString delimiter = QStringLiteral("CONVERGE_FLOWS");
    while (lines.contains(delimiter))
        delimiter += QLatin1Char('_');
    return delimiter;
}

// A SetFlows operation: its meters first (Open vSwitch refuses a flow whose meter is missing),
// then the table in one bundle.
QString flowTable(const Operation &op, const QString &indent = {})
{
    const QString end = delimiterFor(op.flows);
    QString out;
    for (const QString &meter : op.meters)
        out += indent + QStringLiteral("ovs-ofctl -O OpenFlow14 -- add-meter %1 %2\n")
                            .arg(shQuote(op.bridge), shQuote(meter));
    out +=
        indent + QStringLiteral("ovs-ofctl -O OpenFlow14 --bundle -- replace-flows %1 - <<'%2'\n")
                     .arg(shQuote(op.bridge), end);
    for (const QString &flow : op.flows)
        out += flow + QLatin1Char('\n');
    return out + end + QLatin1Char('\n');
}

std::vector<const Operation *> flowOps(const realize::Plan &plan)
{
    std::vector<const Operation *> ops;
    for (const Operation &op : plan.ops)
        if (op.kind == Operation::Kind::SetFlows)
            ops.push_back(&op);
    return ops;
}

// Each bridge's table; where the userspace datapath's differs (meters), OVS_DATAPATH picks.
QString flowsSection(const realize::Plan &plan, const realize::Plan &userspacePlan)
{
    const auto kernel = flowOps(plan);
    const auto userspace = flowOps(userspacePlan);
    QString out;
    for (std::size_t i = 0; i < kernel.size(); ++i) {
        const Operation &op = *kernel[i];
        const Operation *u = i < userspace.size() ? userspace[i] : nullptr;
        const bool differs = u && (u->flows != op.flows || u->meters != op.meters);
        out += QStringLiteral("\n# Flow table of bridge %1 (%2 flows), replaced atomically "
                              "(an OpenFlow 1.4 bundle)\n")
                   .arg(commentText(op.bridge))
                   .arg(op.flows.size());
        if (!differs) {
            out += flowTable(op);
            continue;
        }
        out += QStringLiteral("# Maximum rates: OpenFlow meters on the userspace datapath (%1 "
                              "flows), ingress policing on the kernel one\n"
                              "if [ \"$OVS_DATAPATH\" = netdev ]; then\n")
                   .arg(u->flows.size()) +
               flowTable(*u, QStringLiteral("    ")) + QStringLiteral("else\n") +
               flowTable(op, QStringLiteral("    ")) + QStringLiteral("fi\n");
    }
    return out;
}

// The shell function the ovs-vsctl invocation calls where the datapath decides an argument.
QString datapathChooser()
{
    return QStringLiteral(
        "\n# by_datapath KERNEL USERSPACE: the argument for the datapath this script runs on\n"
        "# (maximum rates: ingress policing on the kernel datapath, OpenFlow meters on the "
        "userspace one)\n"
        "by_datapath() {\n"
        "    if [ \"$OVS_DATAPATH\" = netdev ]; then printf '%s' \"$2\"; else printf '%s' "
        "\"$1\"; fi\n"
        "}\n");
}

QString ipSection(const realize::Plan &plan)
{
    QString out;
    for (const Operation &op : plan.ops) {
        if (op.ip.isEmpty())
            continue;
        out += QStringLiteral("\n# %1\n").arg(commentText(op.summary()));
        for (const QStringList &argv : op.ip) {
            out += QStringLiteral("ip");
            for (const QString &a : argv)
                out += QLatin1Char(' ') + shQuote(a);
            out += QLatin1Char('\n');
        }
    }
    return out;
}

QString shellHeader(const QString &designName, const QString &hostName, const realize::Plan &plan)
{
    QString out = QStringLiteral(
                      "#!/bin/sh\n"
                      "# Converge deployment bundle: linux-ovs host %1 of design \"%2\".\n"
                      "# Generated by Converge (convergectl bundle); do not edit, regenerate.\n"
                      "#\n"
                      "# Applies the host's part of the design by hand, as the converged agent "
                      "would:\n"
                      "#   1. every Open vSwitch database change in ONE ovs-vsctl transaction (all "
                      "of it or nothing),\n"
                      "#   2. each bridge's OpenFlow table, replaced atomically (ovs-ofctl "
                      "--bundle replace-flows),\n"
                      "#   3. the addresses of management-OS vNICs (ip).\n"
                      "# The plan starts from a host without Converge's bridges; where they exist "
                      "already, use\n"
                      "# `converged --apply-bundle` instead (it plans from what is there and rolls "
                      "back on failure).\n"
                      "#\n"
                      "# Run it as root on %1:  sh apply.sh\n"
                      "# Environment: OVS_DB (ovsdb-server remote, e.g. "
                      "unix:/run/openvswitch/db.sock; default: OVS's own),\n"
                      "# OVS_RUNDIR (ovs-vswitchd's run directory, for ovs-ofctl), OVS_DATAPATH "
                      "(system or netdev; default system).\n")
                      .arg(commentText(hostName), commentText(designName));
    for (const QString &note : plan.notes)
        out += QStringLiteral("# note: %1\n").arg(commentText(note));
    out += QStringLiteral("set -eu\n"
                          "\n"
                          "OVS_DATAPATH=${OVS_DATAPATH:-system}\n"
                          "case $OVS_DATAPATH in\n"
                          "system | netdev) ;;\n"
                          "*)\n"
                          "    echo \"apply.sh: OVS_DATAPATH must be system or netdev\" >&2\n"
                          "    exit 2\n"
                          "    ;;\n"
                          "esac\n");
    return out;
}

} // namespace

QString shQuote(const QString &value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString psQuote(const QString &value)
{
    QString out = QStringLiteral("'");
    for (QChar c : value) {
        out += c;
        // PowerShell ends a single-quoted string at any of these; doubled, each stands for itself.
        if (c == u'\'' || c == u'\u2018' || c == u'\u2019' || c == u'\u201a' || c == u'\u201b')
            out += c;
    }
    return out + QLatin1Char('\'');
}

QString commentText(const QString &value)
{
    QString out = value;
    for (QChar &c : out)
        if (c.category() == QChar::Other_Control || c == u'\u2028' || c == u'\u2029' ||
            c == u'\u0085')
            c = QLatin1Char(' ');
    return out;
}

QString shellScript(const QString &designName, const QString &hostName, const realize::Plan &plan)
{
    return shellScript(designName, hostName, plan, plan);
}

QString shellScript(const QString &designName, const QString &hostName, const realize::Plan &plan,
                    const realize::Plan &userspacePlan)
{
    QString out = shellHeader(designName, hostName, plan);
    if (plan.isEmpty())
        return out + QStringLiteral("\n# Nothing to change on this host.\n");
    // A userspace plan that is not the same commands with other arguments is not used: its
    // datapath would then need a script of its own.
    const realize::Plan &userspace = sameCommands(plan, userspacePlan) ? userspacePlan : plan;
    out += QStringLiteral("\n# Open vSwitch database: %1 operations in one transaction\n")
               .arg(plan.ops.size());
    for (const Operation &op : plan.ops)
        if (!op.vsctl.isEmpty())
            for (const QString &line : op.diffLines())
                out += QStringLiteral("# %1\n").arg(commentText(line));
    if (!plan.vsctlArguments().isEmpty()) {
        const QString invocation = vsctlInvocation(plan, userspace);
        if (invocation.contains(QLatin1String("\"$(by_datapath ")))
            out += datapathChooser();
        out += invocation;
    }
    out += flowsSection(plan, userspace);
    out += ipSection(plan);
    out += QStringLiteral("\necho %1\n")
               .arg(shQuote(QStringLiteral("apply.sh: host %1 configured").arg(hostName)));
    return out;
}

} // namespace converge::core::realize
