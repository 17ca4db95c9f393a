#pragma once

#include "hoststate.h"

#include <QJsonObject>

namespace converge::core::realize {

// One step of a plan: what changes on the host, whether it interrupts traffic, and the exact
// commands that realize it. All `vsctl` commands of a plan run as ONE ovs-vsctl invocation (one
// OVSDB transaction); `flows` replace a bridge's OpenFlow table atomically (an OpenFlow 1.4
// bundle), after its `meters` are added or changed (Open vSwitch takes no meter in a bundle, and
// refuses a flow whose meter does not exist) and before the bridge's other meters are deleted;
// `ip` commands set addresses on internal ports. Commands are argv lists, never shell.
struct Operation
{
    enum class Kind {
        AddBridge,
        RemoveBridge,
        RecreateBridge, // SR-IOV or datapath type changed: only possible by re-creating it
        SetBridge,
        AddPort,
        RemovePort,
        RecreatePort, // type or bond members changed
        SetPort,
        AddMirror,
        RemoveMirror,
        SetMirror,
        SetFlows,
        SetAddresses,
    };
    Kind kind = Kind::AddBridge;
    QString bridge;
    QString target; // port or mirror name; the bridge for bridge operations
    bool destructive = false;
    QStringList changes;      // "VLAN: access 10 -> access 20", one per setting (planlines.h)
    QList<QStringList> vsctl; // ovs-vsctl commands (without the "--" separators)
    QStringList flows;        // SetFlows: the bridge's complete flow table
    QStringList meters;       // SetFlows: the bridge's complete meter table (ratelimits.h)
    QList<QStringList> ip;    // argv lists of `ip` commands

    QString title() const; // "+ port vm1 on LAN", "~ flow table of LAN"
    // The title and its changes on one line: "~ port vm1 on LAN: VLAN: access 10 -> access 20".
    QString summary() const;
    // Its lines in a diff (Plan::diffText): "! " before a destructive step, then the summary on
    // one line when there is one change; else the title, then each change on a line of its own,
    // indented (an item added or removed, "+ ACL ...", always goes below).
    QStringList diffLines() const;
    QJsonObject toJson() const;
};

struct Plan
{
    std::vector<Operation> ops; // in the order they are applied
    QStringList notes;          // from the desired state (what is not enforced) and how rates are

    bool isEmpty() const { return ops.empty(); }
    bool hasDestructive() const;
    // Readable diff: each operation's diffLines, then the notes ("  note: ...").
    QString diffText() const;
    QJsonObject toJson() const;
    // SHA-256 of the operations: apply can insist on the plan the console reviewed.
    QString digest() const;

    // The single ovs-vsctl argument list (after the --db option) for all OVSDB changes.
    QStringList vsctlArguments() const;
};

// Desired vs current: the operations that make `current` equal to `desired`. Pure. Bridges of
// `current` that `desired` lacks are removed (both only hold Converge-managed bridges).
Plan makePlan(const HostState &desired, const HostState &current);

QString kindName(Operation::Kind kind);

} // namespace converge::core::realize

namespace converge::core::realize {
// The state a host reports after `desired` was applied: flow digests recorded, notes dropped.
// makePlan(desired, afterApply(desired)) is empty (idempotence).
HostState afterApply(const HostState &desired);
} // namespace converge::core::realize
