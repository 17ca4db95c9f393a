#pragma once

#include "hoststate.h"

#include <QStringList>

// The lines a reviewer reads in a plan (Operation::changes, planner.h): what a new bridge or port
// will be, what changes on one, and what a flow table is made of, in the words of the GUI and the
// design ("access 10", "isolated in PVLAN 300 (secondary 301)", "10 Mb/s").
//
// Every setting is one row of the tables in planlines.cpp (bridgeSettings, portSettings,
// portLists): a row names the setting and says how its value reads. A field added to Bridge or
// Port gets its lines, new and changed, by adding its row there.
namespace converge::core::realize::planlines {

// A new bridge or port: "setting: value" for each setting it has (settings at their default,
// such as a guard that is off, are left out), then one line per list item ("ACL deny in ...").
QStringList newBridge(const Bridge &bridge);
QStringList newPort(const Bridge &bridge, const Port &port);

// What changes: "setting: old -> new" per changed setting ("none" or the setting's default word
// where it has no value), and "- ITEM" / "+ ITEM" per list item removed or added, so one changed
// ACL of three shows as that rule removed and its new form added. Each side is read with its own
// bridge (PVLAN domains, datapath).
QStringList bridgeChanges(const Bridge &current, const Bridge &desired);
QStringList portChanges(const Bridge &currentBridge, const Port &current,
                        const Bridge &desiredBridge, const Port &desired);

// The table flows.h builds for `bridge`, counted by purpose (FlowPurpose; purposes without flows
// left out): "37 flows: 4 guard, 12 ACL, 16 PVLAN, 5 forwarding".
QString flowTable(const Bridge &bridge);

// Texts shared by these lines, public for their tests:
// a port ACL as an admin writes it, "deny in tcp from 10.0.0.0/24 to any port 443, weight 10";
QString aclText(const Acl &acl);
// a port's VLANs, "access 10", "trunk 10-12, 20, native 5 untagged", "isolated in PVLAN 300
// (secondary 301)", "community 302 in PVLAN 300", "promiscuous in PVLAN 300";
QString vlanText(const Bridge &bridge, const Port &port);
// a bond's mode with the team mode it comes from, "balance-tcp (team mode LACP)";
QString bondModeText(const QString &bondMode);

} // namespace converge::core::realize::planlines
