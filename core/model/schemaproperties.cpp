#include "limits.h"
#include "propertykeys.h"
#include "schematable.h"

// The property table: every property of every kind, declared once (key, type, limits, doc).

namespace converge::core::schematable {

namespace {

using K = ElementKind;
using T = PropertyType;

PropertySpec prop(QLatin1StringView key, T type, const char *doc)
{
    PropertySpec s;
    s.key = key;
    s.type = type;
    s.doc = QString::fromLatin1(doc);
    return s;
}

PropertySpec intProp(QLatin1StringView key, double min, double max, const char *doc)
{
    PropertySpec s = prop(key, T::Int, doc);
    s.min = min;
    s.max = max;
    return s;
}

PropertySpec intList(QLatin1StringView key, double min, double max, const char *doc)
{
    PropertySpec s = intProp(key, min, max, doc);
    s.type = T::IntList;
    return s;
}

// An ACL's ports: each one costs flows (core/realize/portmasks.h), so the list is capped.
PropertySpec portList(QLatin1StringView key, const char *doc)
{
    PropertySpec s = intList(key, 1, 65535, doc);
    s.maxItems = maxAclPorts;
    return s;
}

PropertySpec enumProp(QLatin1StringView key, QStringList values, const char *doc)
{
    PropertySpec s = prop(key, T::Enum, doc);
    s.enumValues = std::move(values);
    return s;
}

PropertySpec refProp(QLatin1StringView key, QList<K> kinds, const char *doc, T type = T::Ref)
{
    PropertySpec s = prop(key, type, doc);
    s.refKinds = std::move(kinds);
    return s;
}

PropertySpec records(QLatin1StringView key, std::vector<PropertySpec> fields, const char *doc)
{
    PropertySpec s = prop(key, T::Records, doc);
    s.fields = std::move(fields);
    return s;
}

// Where the diagram draws a host or physical switch (absent: placed by the automatic layout).
PropertySpec positionProp()
{
    PropertySpec s = prop(key::position, T::Point,
                          "Diagram position [x, y] of the top-left corner, in points; set by "
                          "dragging or by Arrange. Absent: the automatic layout places it.");
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
                                  prop(key::description, T::String, "Free notes.")};
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
                 "Windows Server edition (Hyper-V hosts)."),
        prop(key::hardwareVirtualization, T::Bool, "CPU virtualization (VT-x / AMD-V) enabled."),
        prop(key::mpio, T::Bool, "Multipath I/O installed in the management OS."),
        prop(key::cluster, T::Name, "Failover cluster the host belongs to."),
        prop(key::agentAddress, T::String, "host:port of the converged agent."),
        prop(key::providerAddress, T::IpPrefix, "HNV provider address (PA) with prefix."),
        enumProp(key::workload, {value::general, value::outboundHeavy, value::manyVms},
                 "Declared traffic profile, for load-balancing advice."),
        positionProp(),
    });
}

std::vector<PropertySpec> nicProps()
{
    return withCommon({
        required(prop(key::interfaceName, T::Identifier, "Interface name on the host (eth1).")),
        prop(key::speed, T::Bandwidth, "Link speed in bits per second."),
        intProp(key::mtu, 68, 65535, "MTU in bytes."),
        prop(key::mac, T::MacAddress, "Hardware address."),
        prop(key::sriov, T::Bool, "SR-IOV capable (NIC, firmware, chipset and driver)."),
        intProp(key::vfCount, 0, 256, "SR-IOV virtual functions available."),
        prop(key::rdma, T::Bool, "RDMA capable."),
        prop(key::dcb, T::Bool, "Data Center Bridging capable."),
        records(key::dcbTrafficClasses,
                {required(prop(key::name, T::Name, "Traffic class name (SMB, iSCSI, ...).")),
                 intProp(key::priority, 0, 7, "802.1p priority mapped to the class."),
                 intProp(key::bandwidthPercent, 0, 100, "ETS bandwidth share in percent.")},
                "DCB traffic classes configured on the NIC."),
        prop(key::rss, T::Bool, "Receive-side scaling enabled."),
        prop(key::vmq, T::Bool, "Virtual machine queues enabled."),
        enumProp(key::role,
                 {value::lan, value::iscsi, value::management, value::liveMigration, value::cluster,
                  value::storage, value::unused},
                 "What the NIC carries."),
    });
}

std::vector<PropertySpec> teamProps()
{
    return withCommon({
        // vNICs are allowed here so TEAM-011 can say why they cannot be members.
        refProp(key::members, {K::PhysicalNic, K::VirtualNic}, "Member NICs.", T::RefList),
        enumProp(key::mode, {value::switchIndependent, value::static_, value::lacp},
                 "Teaming mode."),
        enumProp(key::loadBalancing, {value::addressHash, value::hyperVPort, value::dynamic},
                 "Load-balancing algorithm."),
        refProp(key::standbyMember, {K::PhysicalNic}, "Member kept in standby."),
        enumProp(key::queueMode, {value::rss, value::dvmq}, "What the members' queues serve."),
        prop(key::switchEmbedded, T::Bool, "Switch-embedded team (SET) rather than LBFO."),
        records(key::teamInterfaces,
                {required(prop(key::name, T::Name, "Team interface name.")),
                 intProp(key::vlan, 0, 4095, "VLAN of the team interface (absent: default).")},
                "Team interfaces (tNICs)."),
    });
}

std::vector<PropertySpec> switchProps()
{
    return withCommon({
        required(enumProp(key::type, {value::external, value::internal, value::private_},
                          "Switch type.")),
        refProp(key::uplink, {K::PhysicalNic, K::Team}, "The NIC or team an external switch uses."),
        prop(key::allowManagementOs, T::Bool, "Management OS shares the uplink."),
        prop(key::sriov, T::Bool, "SR-IOV enabled (chosen at creation)."),
        enumProp(key::minimumBandwidthMode, {value::none, value::absolute, value::weight},
                 "Minimum-bandwidth mode."),
        intProp(key::defaultFlowWeight, 0, 100, "Weight reserved for vNICs without a policy."),
        records(key::extensions,
                {required(prop(key::name, T::Name, "Extension name.")),
                 required(enumProp(key::kind, {value::capture, value::filter, value::forwarding},
                                   "Extension kind.")),
                 prop(key::enabled, T::Bool, "Enabled.")},
                "Switch extensions."),
    });
}

std::vector<PropertySpec> aclFields()
{
    return {
        required(enumProp(key::direction, {value::inbound, value::outbound, value::both},
                          "Traffic direction.")),
        required(enumProp(key::action, {value::allow, value::deny, value::meter},
                          "What to do with matching traffic.")),
        prop(key::localAddress, T::IpPrefix, "Local IP prefix."),
        prop(key::remoteAddress, T::IpPrefix, "Remote IP prefix."),
        prop(key::localMac, T::MacAddress, "Local MAC address."),
        prop(key::remoteMac, T::MacAddress, "Remote MAC address."),
        enumProp(key::protocol, {value::any, value::tcp, value::udp, value::icmp}, "IP protocol."),
        portList(key::localPorts, "Local ports."),
        portList(key::remotePorts, "Remote ports."),
        prop(key::stateful, T::Bool, "Stateful (extended) ACL."),
        intProp(key::weight, 0, 65535, "Order among ACLs (higher first)."),
    };
}

std::vector<PropertySpec> vnicProps()
{
    return withCommon({
        refProp(key::switch_, {K::VirtualSwitch}, "Virtual switch the vNIC connects to."),
        prop(key::mac, T::MacAddress, "MAC address."),
        enumProp(key::vlanMode, vlanModes, "VLAN mode."),
        intProp(key::accessVlan, 0, 4095, "Access VLAN id."),
        intList(key::trunkVlans, 0, 4095, "Allowed VLAN ids in trunk mode."),
        intProp(key::nativeVlan, 0, 4095, "Native VLAN in trunk mode."),
        intProp(key::pvlanPrimary, 0, 4095, "PVLAN primary VLAN."),
        intProp(key::pvlanSecondary, 0, 4095, "PVLAN secondary VLAN."),
        enumProp(key::pvlanMode, {value::isolated, value::community, value::promiscuous},
                 "PVLAN port mode."),
        prop(key::minimumBandwidthAbsolute, T::Bandwidth, "Minimum bandwidth, bits per second."),
        intProp(key::minimumBandwidthWeight, 0, 100, "Minimum bandwidth weight."),
        prop(key::maximumBandwidth, T::Bandwidth, "Maximum bandwidth, bits per second."),
        prop(key::macSpoofing, T::Bool, "MAC address spoofing allowed."),
        prop(key::dhcpGuard, T::Bool, "DHCP guard on."),
        prop(key::routerGuard, T::Bool, "Router guard on."),
        prop(key::allowTeaming, T::Bool, "Guest may team this vNIC."),
        intProp(key::sriovWeight, 0, 100, "IOV weight (0: SR-IOV off)."),
        records(key::acls, aclFields(), "Port ACLs."),
        prop(key::addresses, T::IpPrefixList, "IP addresses with prefix length."),
        prop(key::gateway, T::IpAddress, "Default gateway."),
        prop(key::dns, T::IpAddressList, "DNS servers."),
        intProp(key::mtu, 68, 65535, "MTU in bytes."),
        enumProp(key::trafficRole,
                 {value::none, value::lan, value::management, value::liveMigration, value::cluster,
                  value::iscsi, value::tenant},
                 "Traffic the vNIC carries."),
        enumProp(key::mirroringRole, {value::none, value::source, value::destination},
                 "Port-mirroring role."),
        prop(key::hostInterface, T::Identifier, "Interface name inside the OS (vEthernet (LAN))."),
    });
}

std::vector<PropertySpec> vmProps()
{
    return withCommon({
        intProp(key::vcpus, 1, 1024, "Virtual processors."),
        intProp(key::memoryMiB, 1, 1 << 24, "Memory in MiB."),
        refProp(key::guestTeamMembers, {K::VirtualNic},
                "The VM's vNICs the guest teams (two, on external switches); its other vNICs "
                "(iSCSI with MPIO, say) stay out of the team. Absent: no guest team, unless "
                "guestTeam is on.",
                T::RefList),
        prop(key::guestTeam, T::Bool,
             "Older form of guestTeamMembers (schema 1): on means the guest teams all of the "
             "VM's vNICs. Ignored when guestTeamMembers is set. Absent: off."),
        prop(key::approvedDhcpServer, T::Bool, "The VM is an approved DHCP server."),
        prop(key::mpio, T::Bool, "Multipath I/O installed in the guest."),
        refProp(key::resourcePool, {K::ResourcePool}, "Resource pool for metering."),
        refProp(key::vmNetwork, {K::VmNetwork}, "VM network the VM belongs to."),
    });
}

std::vector<PropertySpec> physicalSwitchProps()
{
    return withCommon({
        prop(key::model, T::String, "Make and model."),
        prop(key::stack, T::Name, "Stack the switch is a member of."),
        prop(key::dcb, T::Bool, "Data Center Bridging capable."),
        prop(key::managementAddress, T::IpAddress, "Management IP address."),
        positionProp(),
    });
}

std::vector<PropertySpec> portProps()
{
    return withCommon({
        enumProp(key::mode, {value::access, value::trunk}, "Port mode."),
        intProp(key::accessVlan, 0, 4095, "Access VLAN."),
        intList(key::allowedVlans, 0, 4095, "Allowed VLANs in trunk mode."),
        intProp(key::nativeVlan, 0, 4095, "Native VLAN in trunk mode."),
        intProp(key::portChannel, 1, 4096, "Port-channel group number."),
        enumProp(key::channelMode, {value::static_, value::lacpActive, value::lacpPassive},
                 "Port-channel mode."),
        prop(key::speed, T::Bandwidth, "Port speed in bits per second."),
        intProp(key::mtu, 68, 65535, "MTU in bytes."),
        prop(key::dcb, T::Bool, "DCB enabled on the port."),
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
        prop(key::gateway, T::IpAddress, "Default gateway of the subnet."),
        refProp(key::vlan, {K::Vlan}, "VLAN carrying the subnet."),
        prop(key::routingDomain, T::Name, "Routing domain (default: the physical network)."),
    });
}

std::vector<PropertySpec> vmNetworkProps()
{
    return withCommon({
        required(enumProp(key::isolation,
                          {value::none, value::vlan, value::networkVirtualization, value::external},
                          "Isolation type.")),
        intProp(key::vsid, 0, 4294967295.0, "Virtual subnet id (24-bit for NVGRE/VXLAN)."),
        prop(key::routingDomain, T::Name, "Customer routing domain."),
        prop(key::customerSubnets, T::IpPrefixList, "Customer address (CA) prefixes."),
        enumProp(key::encapsulation, {value::nvgre, value::vxlan}, "Overlay encapsulation."),
    });
}

std::vector<PropertySpec> mirrorProps()
{
    return withCommon({
        refProp(key::switch_, {K::VirtualSwitch}, "Switch the session runs on."),
        refProp(key::sources, {K::VirtualNic}, "Mirrored vNICs.", T::RefList),
        refProp(key::destination, {K::VirtualNic}, "Monitor vNIC receiving the copies."),
    });
}

std::vector<PropertySpec> dhcpProps()
{
    return withCommon({
        refProp(key::servers, {K::VirtualMachine}, "DHCPv4 servers in the relationship.",
                T::RefList),
        enumProp(key::mode, {value::hotStandby, value::loadSharing}, "Failover mode."),
    });
}

std::vector<PropertySpec> storageProps()
{
    return withCommon({
        prop(key::portals, T::IpAddressList, "iSCSI portal addresses."),
        prop(key::iqn, T::String, "Target IQN."),
        prop(key::chap, T::Bool, "CHAP authentication required."),
        prop(key::dcb, T::Bool, "Array is DCB capable."),
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
