// collectors/ovs/ovserrors.h: the errors of ovs-vsctl and ovs-ofctl put as what to do. The tool
// texts below are what Open vSwitch 3.1 printed on this project's test machine when provoked
// (ovs_errors_test.cpp provokes them again, as root, through the agent's applier).
#include "collectors/ovs/ovserrors.h"

#include <gtest/gtest.h>

namespace {

using converge::collectors::ovs::adviceFor;
using converge::collectors::ovs::explainToolFailure;

std::string str(const QString &s)
{
    return s.toStdString();
}

// A runChecked() message as the applier gets it: the command, its exit code, standard error.
QString failureOf(const QString &command, const QString &stderrText)
{
    return QStringLiteral("%1: exit code 1: %2").arg(command, stderrText);
}

const QString replaceFlows =
    QStringLiteral("/usr/bin/ovs-ofctl -O OpenFlow14 --bundle -- replace-flows conv -");

TEST(OvsErrors, AVmThatIsNotRunningIsToldToBeStartedFirst)
{
    for (const char *tool : {R"(ovs-ofctl: -:1: "vm-web1": invalid or unknown port for in_port)",
                             R"(ovs-ofctl: -:7: "vm-web1": output to unknown port)"}) {
        const QString failure = failureOf(replaceFlows, QString::fromUtf8(tool));
        const QString explained = explainToolFailure(failure);
        EXPECT_TRUE(explained.startsWith(
            QStringLiteral("port vm-web1 does not exist on this host: if it is a VM's vNIC (the "
                           "VM's tap or veth), start the VM first")))
            << str(explained);
        // The tool's own words stay, the command line (possibly hundreds of arguments) goes.
        EXPECT_TRUE(explained.endsWith(QStringLiteral("(%1)").arg(QString::fromUtf8(tool))))
            << str(explained);
        EXPECT_FALSE(explained.contains(QStringLiteral("--bundle"))) << str(explained);
    }
}

TEST(OvsErrors, OpenVSwitchNotRunningOrNotWhereTheConfigSaysNamesTheSetting)
{
    EXPECT_EQ(adviceFor(failureOf(replaceFlows,
                                  QStringLiteral("ovs-ofctl: conv is not a bridge or a socket"))),
              QStringLiteral("ovs-ofctl cannot reach bridge conv: ovs-vswitchd is not running "
                             "(systemctl status openvswitch-switch), or the agent's ovs_rundir is "
                             "not its run directory"));
    const QString db = adviceFor(QStringLiteral(
        "/usr/bin/ovs-vsctl --db=unix:/tmp/x/nosuch.sock --timeout=60 -- add-br conv: exit code "
        "1: ovs-vsctl: unix:/tmp/x/nosuch.sock: database connection failed (No such file or "
        "directory)"));
    EXPECT_EQ(db,
              QStringLiteral("cannot reach the Open vSwitch database at unix:/tmp/x/nosuch.sock "
                             "(No such file or directory): ovsdb-server is not running "
                             "(systemctl status openvswitch-switch), or the agent's ovs_db is "
                             "not its socket"));
    // ovs-vsctl's --timeout: it ends itself with SIGALRM, which runArgv reports as a crash.
    const QString timedOut = adviceFor(QStringLiteral(
        "/usr/bin/ovs-vsctl --timeout=2 add-br tmo: crashed (Process crashed); stderr: "
        "2026-12-07T09:50:39Z|00002|fatal_signal|WARN|terminating with signal 14 (Alarm clock)"));
    EXPECT_TRUE(timedOut.startsWith(QStringLiteral("ovs-vsctl gave up when its --timeout passed")))
        << str(timedOut);
}

TEST(OvsErrors, NamesTakenOnTheHostSayWhatHoldsThem)
{
    EXPECT_EQ(adviceFor(QStringLiteral("ovs-vsctl: cannot create a port named up1 because a port "
                                       "named up1 already exists on bridge other")),
              QStringLiteral("interface up1 is already a port of bridge other: take it off that "
                             "bridge first (ovs-vsctl del-port other up1), or give the design "
                             "another NIC"));
    // A bond member: ovs-vsctl says "interface".
    EXPECT_TRUE(adviceFor(QStringLiteral("ovs-vsctl: cannot create an interface named up1 because "
                                         "a port named up1 already exists on bridge other"))
                    .startsWith(QStringLiteral("interface up1 is already a port of bridge other")));
    EXPECT_TRUE(adviceFor(QStringLiteral("ovs-vsctl: cannot create a bridge named other because a "
                                         "bridge named other already exists"))
                    .startsWith(QStringLiteral("a bridge named other exists already and Converge "
                                               "does not manage it")));
    EXPECT_TRUE(adviceFor(QStringLiteral("ovs-vsctl: cannot create a port named conv because a "
                                         "bridge named conv already exists"))
                    .startsWith(QStringLiteral("the name conv is taken by a bridge")));
}

TEST(OvsErrors, AnythingElseIsLeftAsTheToolSaidIt)
{
    for (const char *tool :
         {"ovs-vsctl: no row \"nosuch\" in table Mirror", "ovs-vsctl: no port named nosuch",
          "Cannot find device \"nosuch\"", ""}) {
        const QString failure =
            failureOf(QStringLiteral("/usr/bin/ovs-vsctl -- x"), QString::fromUtf8(tool));
        EXPECT_EQ(adviceFor(failure), QString()) << tool;
        EXPECT_EQ(explainToolFailure(failure), failure) << tool;
    }
}

TEST(OvsErrors, ANameThatLooksLikeAPlaceholderIsTakenLiterally)
{
    EXPECT_EQ(adviceFor(QStringLiteral("ovs-vsctl: cannot create a port named %2 because a port "
                                       "named %2 already exists on bridge br%1")),
              QStringLiteral("interface %2 is already a port of bridge br%1: take it off that "
                             "bridge first (ovs-vsctl del-port br%1 %2), or give the design "
                             "another NIC"));
}

} // namespace
