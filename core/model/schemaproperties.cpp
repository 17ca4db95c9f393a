#include "limits.h"
#include "propertykeys.h"
#include "schematable.h"

// The property table: every property of every kind, declared once (key, type, limits, doc).

namespace converge::core::schematable {

namespace {

using K = ElementKind;
using T = PropertyType;

// `absent`: what leaving an optional property out means, for the reference (null: required).
PropertySpec prop(QLatin1StringView key, T type, const char *doc, const char *absent = nullptr)
{
    PropertySpec s;
    s.key = key;
    s.type = type;
    s.doc = QString::fromLatin1(doc);
    s.absent = QString::fromUtf8(absent);
    return s;
}

PropertySpec intProp(QLatin1StringView key, double min, double max, const char *doc,
                     const char *absent = nullptr)
{
    PropertySpec s = prop(key, T::Int, doc, absent);
    s.min = min;
    s.max = max;
    return s;
}

PropertySpec intList(QLatin1StringView key, double min, double max, const char *doc,
                     const char *absent = nullptr)
{
    PropertySpec s = intProp(key, min, max, doc, absent);
    s.type = T::IntList;
    return s;
}

// An ACL's ports: each one costs flows (core/realize/portmasks.h), so the list is capped.
PropertySpec portList(QLatin1StringView key, const char *doc, const char *absent)
{
    PropertySpec s = intList(key, 1, 65535, doc, absent);
    s.maxItems = maxAclPorts;
    return s;
}

PropertySpec enumProp(QLatin1StringView key, QStringList values, const char *doc,
                      const char *absent = nullptr)
{
    PropertySpec s = prop(key, T::Enum, doc, absent);
    s.enumValues = std::move(values);
    return s;
}

PropertySpec refProp(QLatin1StringView key, QList<K> kinds, const char *doc, T type = T::Ref,
                     const char *absent = nullptr)
{
    PropertySpec s = prop(key, type, doc, absent);
    s.refKinds = std::move(kinds);
    return s;
}

PropertySpec records(QLatin1StringView key, std::vector<PropertySpec> fields, const char *doc,
                     const char *absent = nullptr)
{
    PropertySpec s = prop(key, T::Records, doc, absent);
    s.fields = std::move(fields);
    return s;
}

// Where the diagram draws a host or physical switch (absent: placed by the automatic layout).
PropertySpec positionProp()
{
    PropertySpec s = prop(key::position, T::Point,
                          "Diagram position [x, y] of the top-left corner, in points; set by "
                          "dragging or by Arrange. Absent: the automatic layout places it.",
                          "placed by the automatic layout");
    s.min = -1e7;
    s.max = 1e7;
    return s;
}

PropertySpec required(PropertySpec s)
{
    s.required = true;
    return s;
}

// Every element has an id and a name; the rest is per kind.
std::vector<PropertySpec> withCommon(std::vector<PropertySpec> own)
{
    std::vector<PropertySpec> all{required(prop(key::name, T::Name, "Name shown to people.")),
                                  prop(key::description, T::String, "Free notes.", "no notes")};
    all.insert(all.end(), own.begin(), own.end());
    return all;
}

const QStringList vlanModes{value::untagged, value::access, value::trunk, value::pvlan};

std::vector<PropertySpec> hostProps()
{
    return withCommon({
        required(enumProp(key::platform, {value::linuxOvs, value::hyperv},
                          "How the host is realized: Open vSwitch agent or Hyper-V bundle.")),
        enumProp(key::edition, {value::standard, value::datacenter},
                 "Windows Server edition (Hyper-V hosts).",
                 "not declared: no VM-count limit is checked"),
        prop(key::hardwareVirtualization, T::Bool, "CPU virtualization (VT-x / AMD-V) enabled.",
             "not declared; HOST-001 asks Hyper-V hosts to declare it"),
        prop(key::mpio, T::Bool, "Multipath I/O installed in the management OS.", "off"),
        prop(key::cluster, T::Name, "Failover cluster the host belongs to.", "not clustered"),
        prop(key::agentAddress, T::String, "host:port of the converged agent.",
             "none: the host is not reached by an agent"),
        prop(key::providerAddress, T::IpPrefix, "HNV provider address (PA) with prefix.",
             "none; a host with network-virtualized VMs needs one (HNV-003)"),
        enumProp(key::workload, {value::general, value::outboundHeavy, value::manyVms},
                 "Declared traffic profile, for load-balancing advice.",
                 "General: no load-balancing advice"),
        positionProp(),
    });
}

std::vector<PropertySpec> nicProps()
{
    return withCommon({
        required(prop(key::interfaceName, T::Identifier, "Interface name on the host (eth1).")),
        prop(key::speed, T::Bandwidth, "Link speed in bits per second.",
             "unknown: speed checks skip the NIC"),
        intProp(key::mtu, 68, 65535, "MTU in bytes.",
                "1500 (standard Ethernet; not changed on the host)"),
        prop(key::mac, T::MacAddress, "Hardware address.", "not declared"),
        prop(key::sriov, T::Bool, "SR-IOV capable (NIC, firmware, chipset and driver).", "off"),
        intProp(key::vfCount, 0, 256, "SR-IOV virtual functions available.",
                "unknown: VSW-006 does not count"),
        prop(key::rdma, T::Bool, "RDMA capable.", "off"),
        prop(key::dcb, T::Bool, "Data Center Bridging capable.", "off"),
        records(key::dcbTrafficClasses,
                {required(prop(key::name, T::Name, "Traffic class name (SMB, iSCSI, ...).")),
                 intProp(key::priority, 0, 7, "802.1p priority mapped to the class.",
                         "no priority mapped to the class"),
                 intProp(key::bandwidthPercent, 0, 100, "ETS bandwidth share in percent.",
                         "no share reserved")},
                "DCB traffic classes configured on the NIC.", "none"),
        prop(key::rss, T::Bool, "Receive-side scaling enabled.", "not declared"),
        prop(key::vmq, T::Bool, "Virtual machine queues enabled.", "not declared"),
        enumProp(key::role,
                 {value::lan, value::iscsi, value::management, value::liveMigration, value::cluster,
                  value::storage, value::unused},
                 "What the NIC carries.", "not declared"),
    });
}

std::vector<PropertySpec> teamProps()
{
    return withCommon({
        // vNICs are allowed here so TEAM-011 can say why they cannot be members.
        refProp(key::members, {K::PhysicalNic, K::VirtualNic}, "Member NICs.", T::RefList,
                "no members (TEAM-001)"),
        enumProp(key::mode, {value::switchIndependent, value::static_, value::lacp},
                 "Teaming mode.", "SwitchIndependent"),
        enumProp(key::loadBalancing, {value::addressHash, value::hyperVPort, value::dynamic},
                 "Load-balancing algorithm.",
                 "Dynamic (linux-ovs: balance-slb, or active-backup with a standby member)"),
        refProp(key::standbyMember, {K::PhysicalNic}, "Member kept in standby.", T::Ref,
                "none: every member is active"),
        enumProp(key::queueMode, {value::rss, value::dvmq}, "What the members' queues serve.",
                 "not chosen: TEAM-007 asks Hyper-V hosts to choose"),
        prop(key::switchEmbedded, T::Bool, "Switch-embedded team (SET) rather than LBFO.",
             "off: an LBFO team"),
        records(key::teamInterfaces,
                {required(prop(key::name, T::Name, "Team interface name.")),
                 intProp(key::vlan, 0, 4095, "VLAN of the team interface (absent: default).",
                         "the default, untagged interface")},
                "Team interfaces (tNICs).", "the default, untagged team interface only"),
    });
}

std::vector<PropertySpec> switchProps()
{
    return withCommon({
        required(enumProp(key::type, {value::external, value::internal, value::private_},
                          "Switch type.")),
        refProp(key::uplink, {K::PhysicalNic, K::Team}, "The NIC or team an external switch uses.",
                T::Ref, "none: an external switch needs one (VSW-001)"),
        prop(key::allowManagementOs, T::Bool, "Management OS shares the uplink.",
             "on (selected by default when an external switch is created, 003 l.683)"),
        prop(key::sriov, T::Bool, "SR-IOV enabled (chosen at creation).", "off"),
        enumProp(key::minimumBandwidthMode, {value::none, value::absolute, value::weight},
                 "Minimum-bandwidth mode.",
                 "None, unless vNIC minimums or a default-flow weight imply one"),
        intProp(key::defaultFlowWeight, 0, 100, "Weight reserved for vNICs without a policy.",
                "none reserved (QOS-005 advises one in weight mode)"),
        records(
            key::extensions,
            {required(prop(key::name, T::Name, "Extension name.")),
             required(enumProp(key::kind, {value::capture, value::filter, value::forwarding},
                               "Extension kind.")),
             prop(key::enabled, T::Bool, "Enabled.", "on: a listed extension counts as enabled")},
            "Switch extensions.", "none"),
    });
}

std::vector<PropertySpec> aclFields()
{
    return {
        required(enumProp(key::direction, {value::inbound, value::outbound, value::both},
                          "Traffic direction.")),
        required(enumProp(key::action, {value::allow, value::deny, value::meter},
                          "What to do with matching traffic.")),
        prop(key::localAddress, T::IpPrefix, "Local IP prefix.", "any local address"),
        prop(key::remoteAddress, T::IpPrefix, "Remote IP prefix.", "any remote address"),
        prop(key::localMac, T::MacAddress, "Local MAC address.", "any local MAC address"),
        prop(key::remoteMac, T::MacAddress, "Remote MAC address.", "any remote MAC address"),
        enumProp(key::protocol, {value::any, value::tcp, value::udp, value::icmp}, "IP protocol.",
                 "Any"),
        portList(key::localPorts, "Local ports.", "any local port"),
        portList(key::remotePorts, "Remote ports.", "any remote port"),
        prop(key::stateful, T::Bool, "Stateful (extended) ACL.", "off: a plain port ACL"),
        intProp(key::weight, 0, 65535, "Order among ACLs (higher first).", "0"),
    };
}

std::vector<PropertySpec> vnicProps()
{
    return withCommon({
        refProp(key::switch_, {K::VirtualSwitch}, "Virtual switch the vNIC connects to.", T::Ref,
                "not connected"),
        prop(key::mac, T::MacAddress, "MAC address.", "assigned dynamically by the host"),
        enumProp(key::vlanMode, vlanModes, "VLAN mode.",
                 "Access when accessVlan is set, else Untagged"),
        intProp(key::accessVlan, 0, 4095, "Access VLAN id.",
                "none: with no VLAN mode the vNIC is untagged"),
        intList(key::trunkVlans, 0, 4095, "Allowed VLAN ids in trunk mode.",
                "none: a trunk vNIC must list its VLANs (VLAN-004)"),
        intProp(key::nativeVlan, 0, 4095, "Native VLAN in trunk mode.",
                "none: untagged frames have no VLAN on the trunk"),
        intProp(key::pvlanPrimary, 0, 4095, "PVLAN primary VLAN.",
                "none: PVLAN mode needs one (VLAN-003)"),
        intProp(key::pvlanSecondary, 0, 4095,
                "PVLAN secondary VLAN: the isolated or community VLAN of the port. A promiscuous "
                "port takes a list of secondary VLANs: this one and the secondary VLANs of the "
                "isolated and community ports of its primary VLAN on the same switch (Hyper-V "
                "-SecondaryVlanIdList).",
                "none: PVLAN mode needs one (VLAN-003)"),
        enumProp(key::pvlanMode, {value::isolated, value::community, value::promiscuous},
                 "PVLAN port mode.", "none: PVLAN mode needs one (VLAN-003)"),
        prop(key::minimumBandwidthAbsolute, T::Bandwidth, "Minimum bandwidth, bits per second.",
             "no absolute minimum"),
        intProp(key::minimumBandwidthWeight, 0, 100, "Minimum bandwidth weight.",
                "no weight: the vNIC shares the default flow"),
        prop(key::maximumBandwidth, T::Bandwidth, "Maximum bandwidth, bits per second.",
             "no maximum"),
        prop(key::macSpoofing, T::Bool, "MAC address spoofing allowed.",
             "off (the Hyper-V default); a guest-team member needs it on"),
        prop(key::dhcpGuard, T::Bool, "DHCP guard on.",
             "off (the Hyper-V default); SEC-003 asks for it on VMs that are not DHCP servers"),
        prop(key::routerGuard, T::Bool, "Router guard on.",
             "off (the Hyper-V default); SEC-002 asks for it on tenant vNICs"),
        prop(key::allowTeaming, T::Bool, "Guest may team this vNIC.",
             "off (the Hyper-V default); a guest-team member needs it on"),
        intProp(key::sriovWeight, 0, 100, "IOV weight (0: SR-IOV off).",
                "0: SR-IOV off for the vNIC"),
        records(key::acls, aclFields(), "Port ACLs.", "none: all traffic passes"),
        prop(key::addresses, T::IpPrefixList, "IP addresses with prefix length.",
             "none (DHCP, or no IP configuration)"),
        prop(key::gateway, T::IpAddress, "Default gateway.", "none: the vNIC does not route out"),
        prop(key::dns, T::IpAddressList, "DNS servers.", "none configured"),
        intProp(key::mtu, 68, 65535, "MTU in bytes.",
                "1500 (standard Ethernet; not changed on the host)"),
        enumProp(key::trafficRole,
                 {value::none, value::lan, value::management, value::liveMigration, value::cluster,
                  value::iscsi, value::tenant},
                 "Traffic the vNIC carries.", "None: no role-specific checks"),
        enumProp(key::mirroringRole, {value::none, value::source, value::destination},
                 "Port-mirroring role.", "None"),
        prop(key::hostInterface, T::Identifier,
             "The vNIC's interface name on the host. hyperv: for a management-OS vNIC, the "
             "adapter alias in the management OS that the bundle configures addresses on "
             "(vEthernet (LAN)); not used for VM vNICs. linux-ovs: the Open vSwitch port, an "
             "internal port the agent creates for a management-OS vNIC, or for a VM vNIC the "
             "VM's existing tap or veth the agent attaches to the bridge.",
             "hyperv, management-OS vNIC: \"vEthernet (NAME)\"; linux-ovs, management-OS vNIC: the "
             "vNIC's name; linux-ovs, VM vNIC: \"VM-NAME\" (the VM's tap or veth must be given "
             "that name)"),
    });
}

std::vector<PropertySpec> vmProps()
{
    return withCommon({
        intProp(key::vcpus, 1, 1024, "Virtual processors.", "not declared"),
        intProp(key::memoryMiB, 1, 1 << 24, "Memory in MiB.", "not declared"),
        refProp(key::guestTeamMembers, {K::VirtualNic},
                "The VM's vNICs the guest teams (two, on external switches); its other vNICs "
                "(iSCSI with MPIO, say) stay out of the team. Absent: no guest team, unless "
                "guestTeam is on.",
                T::RefList, "no guest team (or, with guestTeam on, all of the VM's vNICs)"),
        prop(key::guestTeam, T::Bool,
             "Older form of guestTeamMembers (schema 1): on means the guest teams all of the "
             "VM's vNICs. Ignored when guestTeamMembers is set. Absent: off.",
             "off"),
        prop(key::approvedDhcpServer, T::Bool, "The VM is an approved DHCP server.",
             "off (a DHCP failover partner counts as a server)"),
        prop(key::mpio, T::Bool, "Multipath I/O installed in the guest.", "off"),
        refProp(key::resourcePool, {K::ResourcePool}, "Resource pool for metering.", T::Ref,
                "none: the VM is not metered in a pool"),
        refProp(key::vmNetwork, {K::VmNetwork}, "VM network the VM belongs to.", T::Ref,
                "none: the VM is on the physical network"),
    });
}

std::vector<PropertySpec> physicalSwitchProps()
{
    return withCommon({
        prop(key::model, T::String, "Make and model.", "not declared"),
        prop(key::stack, T::Name, "Stack the switch is a member of.",
             "not stacked: the switch stands alone"),
        prop(key::dcb, T::Bool, "Data Center Bridging capable.", "off"),
        prop(key::managementAddress, T::IpAddress, "Management IP address.", "none"),
        positionProp(),
    });
}

std::vector<PropertySpec> portProps()
{
    return withCommon({
        enumProp(key::mode, {value::access, value::trunk}, "Port mode.",
                 "implied by the port's VLAN settings: Trunk with allowed or native VLANs, Access "
                 "with an access VLAN, else unknown"),
        intProp(key::accessVlan, 0, 4095, "Access VLAN.",
                "none (VLAN checks cannot tell what an access port carries)"),
        intList(key::allowedVlans, 0, 4095, "Allowed VLANs in trunk mode.",
                "a trunk port carries every VLAN (the switches' default)"),
        intProp(key::nativeVlan, 0, 4095, "Native VLAN in trunk mode.",
                "none: untagged frames have no VLAN on the trunk"),
        intProp(key::portChannel, 1, 4096, "Port-channel group number.", "not in a port-channel"),
        enumProp(key::channelMode, {value::static_, value::lacpActive, value::lacpPassive},
                 "Port-channel mode.", "none"),
        prop(key::speed, T::Bandwidth, "Port speed in bits per second.", "unknown"),
        intProp(key::mtu, 68, 65535, "MTU in bytes.",
                "1500 (standard Ethernet; not changed on the host)"),
        prop(key::dcb, T::Bool, "DCB enabled on the port.", "off"),
    });
}

std::vector<PropertySpec> linkProps()
{
    return withCommon({
        required(refProp(key::a, {K::PhysicalNic, K::SwitchPort}, "One end of the cable.")),
        required(refProp(key::b, {K::PhysicalNic, K::SwitchPort}, "The other end.")),
    });
}

std::vector<PropertySpec> vlanProps()
{
    return withCommon({required(intProp(key::vlanId, 0, 4095, "802.1Q VLAN id."))});
}

std::vector<PropertySpec> subnetProps()
{
    return withCommon({
        required(prop(key::prefix, T::IpPrefix, "Network prefix.")),
        prop(key::gateway, T::IpAddress, "Default gateway of the subnet.",
             "none: the subnet is not routed"),
        refProp(key::vlan, {K::Vlan}, "VLAN carrying the subnet.", T::Ref, "not declared"),
        prop(key::routingDomain, T::Name, "Routing domain (default: the physical network).",
             "the physical network"),
    });
}

std::vector<PropertySpec> vmNetworkProps()
{
    return withCommon({
        required(enumProp(key::isolation,
                          {value::none, value::vlan, value::networkVirtualization, value::external},
                          "Isolation type.")),
        intProp(key::vsid, 0, 4294967295.0, "Virtual subnet id (24-bit for NVGRE/VXLAN).",
                "none; a network-virtualized VM network needs one"),
        prop(key::routingDomain, T::Name, "Customer routing domain.",
             "the VM network is its own routing domain"),
        prop(key::customerSubnets, T::IpPrefixList, "Customer address (CA) prefixes.",
             "none: customer addresses are not checked against a subnet"),
        enumProp(key::encapsulation, {value::nvgre, value::vxlan}, "Overlay encapsulation.",
                 "NVGRE"),
    });
}

std::vector<PropertySpec> mirrorProps()
{
    return withCommon({
        refProp(key::switch_, {K::VirtualSwitch}, "Switch the session runs on.", T::Ref,
                "none: MON-001 asks for one"),
        refProp(key::sources, {K::VirtualNic}, "Mirrored vNICs.", T::RefList,
                "none: MON-001 asks for one"),
        refProp(key::destination, {K::VirtualNic}, "Monitor vNIC receiving the copies.", T::Ref,
                "none: MON-001 asks for one"),
    });
}

std::vector<PropertySpec> dhcpProps()
{
    return withCommon({
        refProp(key::servers, {K::VirtualMachine}, "DHCPv4 servers in the relationship.",
                T::RefList, "none: DHCP-001 asks for two"),
        enumProp(key::mode, {value::hotStandby, value::loadSharing}, "Failover mode.",
                 "not declared (HotStandby or LoadSharing is chosen on the servers)"),
    });
}

std::vector<PropertySpec> storageProps()
{
    return withCommon({
        prop(key::portals, T::IpAddressList, "iSCSI portal addresses.", "none"),
        prop(key::iqn, T::String, "Target IQN.", "not declared"),
        prop(key::chap, T::Bool, "CHAP authentication required.", "off (ISCSI-004 advises CHAP)"),
        prop(key::dcb, T::Bool, "Array is DCB capable.", "off"),
    });
}

std::vector<PropertySpec> suppressionProps()
{
    QList<K> any(allElementKinds.begin(), allElementKinds.end());
    return withCommon({
        required(prop(key::rule, T::Name, "Rule id of the accepted finding (TEAM-002).")),
        required(refProp(key::elements, any, "The elements the finding names.", T::RefList)),
        required(prop(key::justification, T::Name, "Why the finding is accepted.")),
    });
}

} // namespace

std::vector<PropertySpec> properties(ElementKind kind)
{
    switch (kind) {
    case K::Host:
        return hostProps();
    case K::PhysicalNic:
        return nicProps();
    case K::Team:
        return teamProps();
    case K::VirtualSwitch:
        return switchProps();
    case K::VirtualMachine:
        return vmProps();
    case K::VirtualNic:
        return vnicProps();
    case K::PhysicalSwitch:
        return physicalSwitchProps();
    case K::SwitchPort:
        return portProps();
    case K::Link:
        return linkProps();
    case K::Vlan:
        return vlanProps();
    case K::Subnet:
        return subnetProps();
    case K::VmNetwork:
        return vmNetworkProps();
    case K::ResourcePool:
        return withCommon({});
    case K::MirrorSession:
        return mirrorProps();
    case K::DhcpFailover:
        return dhcpProps();
    case K::StorageTarget:
        return storageProps();
    case K::Suppression:
        return suppressionProps();
    }
    return withCommon({});
}

} // namespace converge::core::schematable
