// Root: the agent's applier (collectors/ovs/ovsapplier.h) meets the failures an admin meets on a
// private Open vSwitch (network namespace, userspace datapath), and says what to do about each
// (collectors/ovs/ovserrors.h). This provokes the tool texts that collectors_ovserrors_test.cpp
// quotes, so a new Open vSwitch that words them differently fails here.
#include "collectors/ovs/ovsapplier.h"
#include "core/realize/planner.h"
#include "tests/agent/ovshosttest.h"

#include <gtest/gtest.h>

namespace converge::collectors::ovs {
namespace {

using core::realize::Bridge;
using core::realize::HostState;
using core::realize::Port;
using testing::haveRootAndOvs;
using testing::NetNs;
using testing::OvsInstance;

std::string str(const QString &s)
{
    return s.toStdString();
}

// A host with one managed netdev bridge "conv" holding PORTS.
HostState hostWith(std::vector<Port> ports)
{
    HostState s;
    s.host = QStringLiteral("hv1");
    Bridge b;
    b.name = QStringLiteral("conv");
    b.elementId = QStringLiteral("hv1.conv");
    b.datapathType = QStringLiteral("netdev");
    b.ports = std::move(ports);
    s.bridges = {b};
    s.normalize();
    return s;
}

Port port(const QString &name, Port::Type type = Port::Type::System)
{
    Port p;
    p.name = name;
    p.type = type;
    p.elementId = QStringLiteral("hv1.") + name;
    return p;
}

class OvsErrorsRoot : public converge::testing::OvsHostTest
{
protected:
    // Applies DESIRED to the (empty) host through ENV; the error it fails with.
    QString failureApplying(const HostState &desired, const OvsEnv &env)
    {
        auto applied = applyPlan(env, core::realize::makePlan(desired, {}), 10000);
        EXPECT_FALSE(applied) << "applied after all";
        return applied ? QString() : applied.error().message;
    }
};

TEST_F(OvsErrorsRoot, AVmNotRunningIsToldToStartTheVmFirst)
{
    // The vNIC's port has a MAC guard, so the flow table names the VM's tap, which does not
    // exist: ovs-vsctl adds the port (with an error on its interface), ovs-ofctl refuses the
    // flows.
    Port vm = port(QStringLiteral("web1-lan"));
    vm.mac = QStringLiteral("02:00:00:00:00:01");
    vm.macSpoofing = false;
    const QString message = failureApplying(hostWith({vm}), ovs->env());
    EXPECT_TRUE(message.startsWith(QStringLiteral("flow table of conv: port web1-lan does not "
                                                  "exist on this host: if it is a VM's vNIC")))
        << str(message);
    EXPECT_TRUE(message.contains(QStringLiteral("start the VM first"))) << str(message);
    EXPECT_TRUE(message.contains(
        QStringLiteral("(ovs-ofctl: -:1: \"web1-lan\": invalid or unknown port for in_port)")))
        << str(message);
}

TEST_F(OvsErrorsRoot, ANicOnAnotherBridgeNamesThatBridge)
{
    ASSERT_TRUE(
        ovs->vsctl({QStringLiteral("add-br"), QStringLiteral("other"), QStringLiteral("--"),
                    QStringLiteral("set"), QStringLiteral("bridge"), QStringLiteral("other"),
                    QStringLiteral("datapath_type=netdev"), QStringLiteral("--"),
                    QStringLiteral("add-port"), QStringLiteral("other"), QStringLiteral("up1")}));
    const QString message = failureApplying(hostWith({port(QStringLiteral("up1"))}), ovs->env());
    EXPECT_TRUE(message.startsWith(QStringLiteral(
        "OVSDB transaction (nothing was changed): interface up1 is already a port of bridge "
        "other: take it off that bridge first (ovs-vsctl del-port other up1)")))
        << str(message);
}

TEST_F(OvsErrorsRoot, ABridgeConvergeDoesNotManageIsNamed)
{
    ASSERT_TRUE(ovs->vsctl({QStringLiteral("add-br"), QStringLiteral("conv"), QStringLiteral("--"),
                            QStringLiteral("set"), QStringLiteral("bridge"), QStringLiteral("conv"),
                            QStringLiteral("datapath_type=netdev")}));
    const QString message = failureApplying(hostWith({}), ovs->env());
    EXPECT_TRUE(message.contains(
        QStringLiteral("a bridge named conv exists already and Converge does not manage it")))
        << str(message);
}

TEST_F(OvsErrorsRoot, OpenVSwitchNotWhereTheConfigSaysNamesTheSetting)
{
    OvsEnv wrongDb = ovs->env();
    wrongDb.dbSocket = ovs->dir() + QStringLiteral("/nosuch.sock");
    QString message = failureApplying(hostWith({}), wrongDb);
    EXPECT_TRUE(message.contains(QStringLiteral("cannot reach the Open vSwitch database at unix:%1 "
                                                "(No such file or directory)")
                                     .arg(wrongDb.dbSocket)))
        << str(message);
    EXPECT_TRUE(message.contains(QStringLiteral("the agent's ovs_db is not its socket")))
        << str(message);

    OvsEnv wrongRunDir = ovs->env();
    wrongRunDir.runDir = ovs->dir() + QStringLiteral("/nosuch");
    message = failureApplying(hostWith({}), wrongRunDir);
    EXPECT_TRUE(message.startsWith(QStringLiteral(
        "flow table of conv: ovs-ofctl cannot reach bridge conv: ovs-vswitchd is not running")))
        << str(message);
    EXPECT_TRUE(message.contains(QStringLiteral("the agent's ovs_rundir is not its run directory")))
        << str(message);
}

} // namespace
} // namespace converge::collectors::ovs
