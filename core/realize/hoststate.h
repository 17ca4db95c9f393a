#pragma once

#include "core/util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

// The per-host desired-state form: what one Linux host's Open vSwitch (plus iproute2 addresses)
// should look like, or looks like now. The console derives it from a design (desiredstate.h),
// the agent reads it from OVSDB (collectors/ovs) and the planner diffs two of them (planner.h).
//
// How each field is stored on the host (docs/agent.md, "What it changes on a host"):
//   Bridge  Bridge row; external_ids converge-managed=true, converge-id, converge-sriov,
//           converge-flows (SHA-256 of the flow table the agent installed, see flows.h),
//           converge-pvlans (compact JSON of the PVLAN domains), converge-overlays (compact
//           JSON of the overlay networks' remote endpoints), converge-pa (the provider address
//           the agent put on the bridge's own interface); datapath_type; protocols include
//           OpenFlow14 (atomic flow bundles).
//   Port    Port row: tag, trunks, vlan_mode, protected (PVLAN isolated), bond_mode, lacp,
//           other_config:bond-primary; external_ids converge-id, converge-uplink and
//           converge-policy (compact JSON of the guards, MAC, PVLAN role and ACLs, realized as
//           OpenFlow flows).
//           Interface row(s): type ("", internal, vxlan or gre; tunnels with options
//           remote_ip=flow and key=flow), mtu_request, ingress_policing_rate/burst.
//   Mirror  Mirror row: name, select_src_port, select_dst_port, output_port; external_ids
//           converge-id.
//   Address `ip addr` on internal ports (management-OS vNICs) and the provider address on the
//           bridge's own interface (Open vSwitch's userspace tunnels route through it).
// Only bridges marked converge-managed belong to a HostState read from a host; others are listed
// in unmanagedBridges and never touched.
namespace converge::core::realize {

using core::Result;

// One port ACL rule in one direction, as Hyper-V's Add-VMNetworkAdapterAcl defines it.
struct Acl
{
    QString direction;    // "in" (to the vNIC) or "out" (from the vNIC)
    QString action;       // "allow", "deny" or "meter"
    QString localPrefix;  // "10.0.0.0/24" (network form) or empty for any
    QString remotePrefix; // idem
    QString localMac;     // "00:15:5d:01:01:01" or empty
    QString remoteMac;    // idem
    QString protocol;     // "", "tcp", "udp" or "icmp"
    QList<int> localPorts;
    QList<int> remotePorts;
    int weight = 0;
    friend bool operator==(const Acl &, const Acl &) = default;
};

// Overlays (network virtualization). On the host, the port of a vNIC on a network-virtualized VM
// network (Port::vsid) is an access port of this VLAN, which no design VLAN uses (1-4094) and
// the flows drop on arrival: Open vSwitch's NORMAL never floods the physical network's frames to
// it, and its own frames are forwarded by flows only (overlayflows.cpp), to its VM network's
// ports and tunnels. The host-state form does not show it: such a port has no VLANs.
constexpr int overlayVlan = 4095;

struct Port
{
    // Vxlan and Gre: the bridge's tunnel ports (one per encapsulation, see tunnelPortName).
    enum class Type { System, Internal, Bond, Vxlan, Gre };

    QString name; // port name; the interface name for System and Internal ports
    Type type = Type::System;
    QString elementId; // the design element realized by this port

    // Bonds (teams)
    QStringList members; // member interface names, sorted
    QString bondMode;    // "active-backup", "balance-slb" or "balance-tcp"
    bool lacp = false;   // lacp=active
    QString bondPrimary; // active-backup: the preferred member (the other is standby)

    // VLANs
    QString vlanMode;  // "" (untagged, all VLANs), "access", "trunk" or "native-untagged"
    int tag = -1;      // access VLAN (PVLAN: the primary), native VLAN for native-untagged
    QList<int> trunks; // sorted

    // PVLAN. Isolated and community ports carry their secondary VLAN (their tag), on the wire
    // too, as the PVLAN standard does; flows.h delivers between it and the primary VLAN's
    // promiscuous ports (the access ports of the primary). Isolated ports are also OVS
    // protected ports (no traffic between them on one bridge).
    bool isolated = false;
    int community = -1;    // secondary VLAN of a community port (its tag)
    int pvlanPrimary = -1; // isolated and community ports: the primary VLAN
    bool uplink = false;   // the bridge's uplink to the physical network (a NIC or a bond)

    // Network virtualization: the VSID of the vNIC's VM network and its encapsulation ("vxlan"
    // or "nvgre"); -1 and empty for the physical network. Such a port has no VLANs.
    int vsid = -1;
    QString encapsulation;

    // QoS
    qint64 maxRateKbps = 0; // ingress policing (traffic from the vNIC); 0 = none
    int mtu = 0;            // mtu_request; 0 = leave as is

    // Guards and ACLs, realized as OpenFlow flows (flows.h)
    QString mac; // the vNIC's MAC, lower case with colons; needed by spoofing and inbound ACLs
    bool macSpoofing = true;
    bool dhcpGuard = false;
    bool routerGuard = false;
    QList<Acl> acls;

    // Internal ports: addresses with prefix length ("10.0.0.5/24"), sorted
    QStringList addresses;

    // guards, MAC, PVLAN role, VSID, ACLs (external_ids:converge-policy)
    QJsonObject policyJson() const;
    Result<void> setPolicyJson(const QJsonObject &policy, const QString &where);
    friend bool operator==(const Port &, const Port &) = default;
};

// A PVLAN domain a bridge takes part in: its primary VLAN and the secondary VLANs of the
// design's isolated and community ports in it, on every host (frames of a secondary VLAN can
// arrive over the uplink from a host this bridge has no port of it on).
struct PvlanDomain
{
    int primary = -1;
    QList<int> isolated;    // sorted
    QList<int> communities; // sorted
    friend bool operator==(const PvlanDomain &, const PvlanDomain &) = default;
};

// A host other VMs of an overlay network run on: its provider address and their MACs.
struct TunnelEndpoint
{
    QString address;  // the remote host's provider address, without prefix length
    QStringList macs; // sorted
    friend bool operator==(const TunnelEndpoint &, const TunnelEndpoint &) = default;
};

// An overlay network (a network-virtualized VM network) this bridge has ports on: the other
// hosts its frames are tunnelled to, keyed by the VSID, as HNV's lookup records are.
struct Overlay
{
    int vsid = -1;
    QString encapsulation;               // "vxlan" or "nvgre"
    std::vector<TunnelEndpoint> remotes; // sorted by address
    friend bool operator==(const Overlay &, const Overlay &) = default;
};

struct Bridge
{
    QString name;
    QString elementId;
    QString datapathType;    // "system" or "netdev"; filled from the agent's config when planning
    bool sriov = false;      // chosen at creation; changing it re-creates the bridge (VSW-004)
    QString flowsDigest;     // SHA-256 of the flow table (flows.h); observed: empty if it differs
    std::vector<Port> ports; // sorted by name
    std::vector<PvlanDomain> pvlans; // sorted by primary
    QString providerAddress;         // "10.77.0.1/24" on the bridge's own interface, or empty
    std::vector<Overlay> overlays;   // sorted by VSID
    const Port *port(const QString &name) const;
    friend bool operator==(const Bridge &, const Bridge &) = default;
};

// Where a state read from a host found a row: its OVSDB UUID. It is not part of the value:
// any two compare equal (a desired state has none), and the host-state form leaves it out.
struct RowUuid
{
    QString value; // "5d8e...-..." or empty (not read from a host)
    friend bool operator==(const RowUuid &, const RowUuid &) { return true; }
};

struct Mirror
{
    QString name; // isValidMirrorName
    QString bridge;
    QString elementId;
    QStringList selectSrc; // port names, sorted
    QStringList selectDst; // port names, sorted
    QString output;        // port name
    RowUuid uuid;          // observed: the Mirror row, which the planner changes and removes by
    friend bool operator==(const Mirror &, const Mirror &) = default;
};

struct HostState
{
    QString host;                 // the design host's name
    std::vector<Bridge> bridges;  // sorted by name
    std::vector<Mirror> mirrors;  // sorted by name
    QStringList notes;            // desired: what the plan cannot enforce on this host, and why
    QStringList unmanagedBridges; // observed: bridges Converge does not manage (left alone)

    const Bridge *bridge(const QString &name) const;
    void normalize(); // sorts every list so equal states compare equal

    QJsonObject toJson() const;
    // Validates everything a host will be given: names (interface-name rules), VLAN ids,
    // prefixes, MACs, enums, references between ports, bonds and mirrors. Errors name the path
    // ("bridges[1].ports[3].tag: 5000 is not a VLAN id (0-4094)").
    static Result<HostState> fromJson(const QJsonObject &json);
    friend bool operator==(const HostState &, const HostState &) = default;
};

// The PVLAN domains as JSON (the "pvlans" of a bridge, external_ids:converge-pvlans) and back;
// errors name the path.
QJsonArray pvlansJson(const std::vector<PvlanDomain> &pvlans);
Result<std::vector<PvlanDomain>> pvlansFromJson(const QJsonArray &json, const QString &path);

// The overlays as JSON (the "overlays" of a bridge, external_ids:converge-overlays) and back;
// errors name the path.
QJsonArray overlaysJson(const std::vector<Overlay> &overlays);
Result<std::vector<Overlay>> overlaysFromJson(const QJsonArray &json, const QString &path);

// "system", "internal", "bond", "vxlan" or "gre".
QString typeName(Port::Type type);
// The bridge's tunnel port for an encapsulation ("vxlan" or "nvgre") and its type.
QString tunnelPortName(const QString &encapsulation);
Port::Type tunnelPortType(const QString &encapsulation);
// The tunnel key that carries `vsid`: the VNI for VXLAN; for NVGRE the GRE key, whose upper 24
// bits are the VSID and lower 8 the flow id (0).
quint32 tunnelKey(int vsid, const QString &encapsulation);

// Interface-name rules Linux and OVS share: 1-15 bytes of [A-Za-z0-9_.-], not "." or "..", and
// not starting with '-' (ovs-ofctl and ip would take it for an option).
bool isValidInterfaceName(const QString &name);
// A mirror's name (Mirror::name; OVSDB takes any string): 1-64 characters, no control or
// invisible formatting characters, not starting with '-' (ovs-vsctl would take it for an option
// or its "--" separator), no white space at either end.
bool isValidMirrorName(const QString &name);
// "00-15-5D-01-01-01" or "00:15:5d:01:01:01" -> "00:15:5d:01:01:01"; empty if not a MAC.
QString canonicalMac(const QString &text);

} // namespace converge::core::realize
