#include "ovserrors.h"

#include <QRegularExpression>

#include <vector>

namespace converge::collectors::ovs {

namespace {

// One failure an admin can act on: the tool's words (a pattern whose groups are %1, %2 of the
// advice) and what to do. The texts are ovs-vsctl's and ovs-ofctl's (tests/agent/
// collectors_ovserrors_test.cpp quotes them, ovs_errors_test.cpp provokes them).
struct KnownError
{
    QRegularExpression words;
    QString advice;
};

const std::vector<KnownError> &knownErrors()
{
    static const std::vector<KnownError> table{
        {QRegularExpression(QStringLiteral(
             R"re(ovs-ofctl: -:\d+: "?([^":\s]+)"?: (?:invalid or unknown port for in_port|output to unknown port))re")),
         QStringLiteral("port %1 does not exist on this host: if it is a VM's vNIC (the VM's tap "
                        "or veth), start the VM first, as the device exists only while the VM "
                        "runs; otherwise check its name (the vNIC's hostInterface, the NIC's "
                        "interfaceName)")},
        {QRegularExpression(QStringLiteral(R"re(ovs-ofctl: (\S+) is not a bridge or a socket)re")),
         QStringLiteral("ovs-ofctl cannot reach bridge %1: ovs-vswitchd is not running "
                        "(systemctl status openvswitch-switch), or the agent's ovs_rundir is not "
                        "its run directory")},
        {QRegularExpression(
             QStringLiteral(R"re(ovs-vsctl: (\S+): database connection failed \(([^)]*)\))re")),
         QStringLiteral("cannot reach the Open vSwitch database at %1 (%2): ovsdb-server is not "
                        "running (systemctl status openvswitch-switch), or the agent's ovs_db is "
                        "not its socket")},
        {QRegularExpression(QStringLiteral(
             R"re(ovs-vsctl: cannot create (?:a port|an interface) named (\S+) because a port named \S+ already exists on bridge (\S+))re")),
         QStringLiteral("interface %1 is already a port of bridge %2: take it off that bridge "
                        "first (ovs-vsctl del-port %2 %1), or give the design another NIC")},
        {QRegularExpression(QStringLiteral(
             R"re(ovs-vsctl: cannot create a bridge named (\S+) because a bridge named \S+ already exists)re")),
         QStringLiteral("a bridge named %1 exists already and Converge does not manage it: "
                        "rename the virtual switch in the design, or delete that bridge "
                        "(ovs-vsctl del-br %1) if nothing uses it")},
        {QRegularExpression(QStringLiteral(
             R"re(ovs-vsctl: cannot create a port named (\S+) because a bridge named \S+ already exists)re")),
         QStringLiteral("the name %1 is taken by a bridge: give the port another name in the "
                        "design (the vNIC's hostInterface or the NIC's interfaceName)")},
        // ovs-vsctl --timeout ends itself with SIGALRM.
        {QRegularExpression(QStringLiteral(R"re(terminating with signal 14 \(Alarm clock\))re")),
         QStringLiteral("ovs-vsctl gave up when its --timeout passed: ovsdb-server or "
                        "ovs-vswitchd did not answer in time; check that both run (systemctl "
                        "status openvswitch-switch) and what ovs-vswitchd's log says")},
    };
    return table;
}

struct Found
{
    QString advice;
    QString words; // the tool's own line
};

Found find(const QString &toolError)
{
    for (const KnownError &known : knownErrors()) {
        const QRegularExpressionMatch m = known.words.match(toolError);
        if (!m.hasMatch())
            continue;
        // Both groups at once: a name the tool quotes must not be read as a placeholder.
        const int groups = m.lastCapturedIndex();
        const QString advice = groups >= 2   ? known.advice.arg(m.captured(1), m.captured(2))
                               : groups == 1 ? known.advice.arg(m.captured(1))
                                             : known.advice;
        return {advice, m.captured(0)};
    }
    return {};
}

} // namespace

QString adviceFor(const QString &toolError)
{
    return find(toolError).advice;
}

QString explainToolFailure(const QString &failure)
{
    const Found found = find(failure);
    if (found.advice.isEmpty())
        return failure;
    return QStringLiteral("%1 (%2)").arg(found.advice, found.words);
}

} // namespace converge::collectors::ovs
