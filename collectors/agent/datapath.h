#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

// The datapath of the bridges the agent creates (docs/agent.md, "Datapath").
namespace converge::collectors {

// A configured "system" or "netdev" as it is. "auto": "system" when the running ovs-vswitchd
// supports it (the Open_vSwitch row's datapath_types) and the kernel has the Open vSwitch
// datapath, else "netdev". Both are needed: an ovs-vswitchd started without --disable-system
// lists "system" even on a kernel without the module, and then cannot create such bridges.
QString chooseDatapath(const QString &configured, const QStringList &vswitchdTypes,
                       bool kernelHasOvsDatapath);

// Whether the kernel has the Open vSwitch datapath: generic netlink resolves the family
// "ovs_datapath", the lookup ovs-vswitchd makes (the kernel loads the openvswitch module on that
// request when it is installed, as it would for ovs-vswitchd).
bool kernelHasOvsDatapath();
// Whether generic netlink resolves the family NAME ("nlctrl" always does).
bool genericNetlinkHasFamily(const QByteArray &name);

} // namespace converge::collectors
