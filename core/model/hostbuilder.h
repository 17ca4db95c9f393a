#pragma once

#include "design.h"

#include <QStringList>

namespace converge::core {

// What the "add host" wizard asks, after the SMB design templates of
// 003_8b87448cefe986c9.txt §4.3: basic (one NIC per traffic type), converged (teamed LAN switch
// carrying management, live migration and cluster vNICs with QoS weights) and high-performance
// iSCSI (the converged one with SR-IOV iSCSI NICs). In all of them iSCSI has dedicated NICs,
// each with its own external switch, is never teamed and uses MPIO (§4.1.2, §4.3.2).
struct HostPlan
{
    // Where a kind of traffic goes: not on this host, on the LAN switch next to the
    // management vNIC (with a QoS weight), or on a NIC of its own with its own switch.
    enum class Placement { None, Converged, Dedicated };

    QString name;
    QString platform = value::hyperv;
    QString edition = value::datacenter; // Hyper-V hosts only
    QString cluster;                     // failover cluster; empty: none
    int nics = 4;                        // physical NICs in all
    qint64 speed = 10'000'000'000;       // bits per second, each NIC
    // Team the LAN NICs (the NICs left after the dedicated ones) when there are two or more;
    // otherwise the LAN switch uses the first of them and the rest stay unused.
    bool team = true;

    // LAN (management and guests) always goes on the LAN switch.
    Placement iscsi = Placement::Dedicated; // never Converged: iSCSI is not teamed
    int iscsiPaths = 2;                     // dedicated NICs, switches and vNICs (2 or more)
    bool iscsiSriov = false;                // the high-performance template
    Placement liveMigration = Placement::Converged;
    Placement clusterTraffic = Placement::Converged;

    // Management-OS addresses with prefix length ("10.127.4.50/22"); empty: not yet known.
    // Only the management vNIC has a gateway (Table 8).
    QString managementAddress;
    QString gateway;
    QString liveMigrationAddress;
    QString clusterAddress;
    QStringList iscsiAddresses; // one per path, or none
};

namespace commands {

// One edit adding the planned host with its NICs, team, switches and management-OS vNICs.
// A plan that cannot be built (too few NICs for the dedicated traffic, iSCSI on the converged
// switch, a bad address) is refused with what to change.
Result<Edit> addHost(const Design &design, const HostPlan &plan);

} // namespace commands
} // namespace converge::core
