#pragma once

// Two or more agent hosts whose uplinks meet on a "physical switch" (a Linux bridge carrying every
// VLAN as is, in the fleet lab's console namespace), VMs in namespaces of their own, and a
// design deployed to them through the console library: for tests of what lands on the wire
// (root; tests/fleet/fleetlab.h does the hosts, agents and enrollment).
#include "fleetlab.h"

#include "core/model/design.h"

#include <map>
#include <memory>

namespace converge::testing {

class WireLab
{
public:
    // Hosts hv1..hvN, each with an uplink "up1" on the physical switch, whose ports have
    // `switchMtu` (tunnels need room for their headers). *why says what is missing (tests:
    // GTEST_SKIP when it says "needs root" or "not installed").
    bool setUp(int hosts, QString *why, int switchMtu = 1500);
    // A VM on host `host` (0-based): its port on the host is `name`, its eth0 has `mac` and `ipv4`.
    bool addVm(int host, const QString &name, const QString &mac, const QString &ipv4,
               QString *why);
    // Every VM of every host of `design` whose hosts are, in document order, this lab's hosts; the
    // VM's port is its vNIC's hostInterface, its address and MAC the vNIC's.
    bool addVmsOf(const core::Design &design, QString *why);
    // Deploys `design` (design host i on lab host i) through the Deployer; the summary if it was
    // not confirmed.
    core::Result<void> deploy(const core::Design &design);

    enum class Ready { Yes, Skip, Fail };
    // setUp with as many hosts as `design` has, addVmsOf and deploy in one: Skip when this
    // machine cannot run the lab (not root, a tool missing), Fail otherwise; *why says why.
    Ready deployed(const core::Design &design, QString *why, int switchMtu = 1500);

    // What each agent would still change to reach `design`, "HOST: DIFF" per host with
    // changes; empty when the hosts are as designed (a second deploy is a no-op).
    core::Result<QStringList> planAgain(const core::Design &design);

    Vm &vm(const QString &name) { return *m_vms.at(name); }
    FleetLab &fleet() { return m_fleet; }

private:
    FleetLab m_fleet;
    std::map<QString, std::unique_ptr<Vm>> m_vms;
};

// The design at tests/wire/data/FILE.
core::Design wireDesign(const char *file);

} // namespace converge::testing
