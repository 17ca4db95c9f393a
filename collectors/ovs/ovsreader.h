#pragma once

#include "collectors/ovs/flowstats.h"
#include "collectors/ovs/ovsdbclient.h"
#include "collectors/ovs/process.h"
#include "core/realize/hoststate.h"
#include "core/util/result.h"

#include <QList>
#include <QString>

#include <vector>

// Reading a host's observed state from Open vSwitch (one OVSDB transaction, plus ovs-ofctl for
// flow counts and `ip -j addr` for the addresses of internal ports), following the storage
// conventions of core/realize/hoststate.h.
namespace converge::collectors::ovs {

using core::Result;

// A bridge with a row in OVSDB that ovs-vswitchd does not serve: it has no OpenFlow socket
// (RUNDIR/NAME.mgmt) or ovs-ofctl cannot talk to it. ovs-vswitchd could not create it (a
// datapath type the host lacks: "br-vm is not a bridge or a socket") or is not running.
struct UnrealizedBridge
{
    QString name;
    QString datapathType;
    bool managed = false; // external_ids converge-managed=true
    QString reason;       // what showed it: the missing socket, or ovs-ofctl's error
    friend bool operator==(const UnrealizedBridge &, const UnrealizedBridge &) = default;
};

struct HostReading
{
    core::realize::HostState state;
    // Bridges ovs-vswitchd does not serve. Managed ones are in state.bridges too, with their
    // flow table unknown (flowsDigest empty), so that plans can remove or re-create them.
    std::vector<UnrealizedBridge> unrealized;
    QStringList datapathTypes; // the Open_vSwitch row's datapath_types: what ovs-vswitchd supports
    QStringList unrealizedManaged() const; // their names, sorted
};

// The observed host named HOSTNAME: managed bridges (external_ids converge-managed=true) with
// their ports and mirrors; other bridges only by name (unmanagedBridges). A bridge's flowsDigest
// is its external_ids converge-flows only while ovs-vswitchd serves it and its flow count still
// equals external_ids converge-flow-count. Addresses are read in the calling thread's network
// namespace. The state is normalized.
Result<HostReading> readHost(const OvsEnv &env, OvsdbClient &client, const QString &hostName,
                             int timeoutMs = 30000);
// readHost's state alone.
Result<core::realize::HostState> readHostState(const OvsEnv &env, OvsdbClient &client,
                                               const QString &hostName, int timeoutMs = 30000);

} // namespace converge::collectors::ovs
