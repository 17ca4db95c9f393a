#include "schematable.h"

// The property table: every property of every kind, declared once (key, type, limits, doc).

namespace converge::core::schematable {

namespace {

using K = ElementKind;
using T = PropertyType;

PropertySpec prop(const char *key, T type, const char *doc)
{
    PropertySpec s;
    s.key = QString::fromLatin1(key);
    s.type = type;
    s.doc = QString::fromLatin1(doc);
    return s;
}

PropertySpec intProp(const char *key, double min, double max, const char *doc)
{
    PropertySpec s = prop(key, T::Int, doc);
    s.min = min;
    s.max = max;
    return s;
}

PropertySpec intList(const char *key, double min, double max, const char *doc)
{
    PropertySpec s = intProp(key, min, max, doc);
    s.type = T::IntList;
    return s;
}

PropertySpec enumProp(const char *key, QStringList values, const char *doc)
{
    PropertySpec s = prop(key, T::Enum, doc);
    s.enumValues = std::move(values);
    return s;
}

PropertySpec refProp(const char *key, QList<K> kinds, const char *doc, T type = T::Ref)
{
    PropertySpec s = prop(key, type, doc);
    s.refKinds = std::move(kinds);
    return s;
}

PropertySpec records(const char *key, std::vector<PropertySpec> fields, const char *doc)
{
    PropertySpec s = prop(key, T::Records, doc);
    s.fields = std::move(fields);
    return s;
}

// Where the diagram draws a host or physical switch (absent: placed by the automatic layout).
PropertySpec positionProp()
{
    PropertySpec s = prop("position", T::Point,
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
    std::vector<PropertySpec> all{required(prop("name", T::Name, "Name shown to people.")),
                                  prop("description", T::String, "Free notes.")};
    all.insert(all.end(), own.begin(), own.end());
    return all;
}

const QStringList vlanModes{QStringLiteral("Untagged"), QStringLiteral("Access"),
                            QStringLiteral("Trunk"), QStringLiteral("Pvlan")};

std::vector<PropertySpec> hostProps()
{
    return withCommon({
        required(enumProp("platform", {QStringLiteral("linux-ovs"), QStringLiteral("hyperv")},
                          "How the host is realized: Open vSwitch agent or Hyper-V bundle.")),
        enumProp("edition", {QStringLiteral("Standard"), QStringLiteral("Datacenter")},
                 "Windows Server edition (Hyper-V hosts)."),
        prop("hardwareVirtualization", T::Bool, "CPU virtualization (VT-x / AMD-V) enabled."),
        prop("mpio", T::Bool, "Multipath I/O installed in the management OS."),
        prop("cluster", T::Name, "Failover cluster the host belongs to."),
        prop("agentAddress", T::String, "host:port of the converged agent."),
        prop("providerAddress", T::IpPrefix, "HNV provider address (PA) with prefix."),
        enumProp(
            "workload",
            {QStringLiteral("General"), QStringLiteral("OutboundHeavy"), QStringLiteral("ManyVms")},
            "Declared traffic profile, for load-balancing advice."),
        positionProp(),
    });
}

std::vector<PropertySpec> nicProps()
{
    return withCommon({
        required(prop("interfaceName", T::Identifier, "Interface name on the host (eth1).")),
        prop("speed", T::Bandwidth, "Link speed in bits per second."),
        intProp("mtu", 68, 65535, "MTU in bytes."),
        prop("mac", T::MacAddress, "Hardware address."),
        prop("sriov", T::Bool, "SR-IOV capable (NIC, firmware, chipset and driver)."),
        intProp("vfCount", 0, 256, "SR-IOV virtual functions available."),
        prop("rdma", T::Bool, "RDMA capable."),
        prop("dcb", T::Bool, "Data Center Bridging capable."),
        records("dcbTrafficClasses",
                {required(prop("name", T::Name, "Traffic class name (SMB, iSCSI, ...).")),
                 intProp("priority", 0, 7, "802.1p priority mapped to the class."),
                 intProp("bandwidthPercent", 0, 100, "ETS bandwidth share in percent.")},
                "DCB traffic classes configured on the NIC."),
        prop("rss", T::Bool, "Receive-side scaling enabled."),
        prop("vmq", T::Bool, "Virtual machine queues enabled."),
        enumProp("role",
                 {QStringLiteral("LAN"), QStringLiteral("iSCSI"), QStringLiteral("Management"),
                  QStringLiteral("LiveMigration"), QStringLiteral("Cluster"),
                  QStringLiteral("Storage"), QStringLiteral("Unused")},
                 "What the NIC carries."),
    });
}

std::vector<PropertySpec> teamProps()
{
    return withCommon({
        // vNICs are allowed here so TEAM-011 can say why they cannot be members.
        refProp("members", {K::PhysicalNic, K::VirtualNic}, "Member NICs.", T::RefList),
        enumProp(
            "mode",
            {QStringLiteral("SwitchIndependent"), QStringLiteral("Static"), QStringLiteral("LACP")},
            "Teaming mode."),
        enumProp("loadBalancing",
                 {QStringLiteral("AddressHash"), QStringLiteral("HyperVPort"),
                  QStringLiteral("Dynamic")},
                 "Load-balancing algorithm."),
        refProp("standbyMember", {K::PhysicalNic}, "Member kept in standby."),
        enumProp("queueMode", {QStringLiteral("RSS"), QStringLiteral("dVMQ")},
                 "What the members' queues serve."),
        prop("switchEmbedded", T::Bool, "Switch-embedded team (SET) rather than LBFO."),
        records("teamInterfaces",
                {required(prop("name", T::Name, "Team interface name.")),
                 intProp("vlan", 0, 4095, "VLAN of the team interface (absent: default).")},
                "Team interfaces (tNICs)."),
    });
}

std::vector<PropertySpec> switchProps()
{
    return withCommon({
        required(enumProp(
            "type",
            {QStringLiteral("External"), QStringLiteral("Internal"), QStringLiteral("Private")},
            "Switch type.")),
        refProp("uplink", {K::PhysicalNic, K::Team}, "The NIC or team an external switch uses."),
        prop("allowManagementOs", T::Bool, "Management OS shares the uplink."),
        prop("sriov", T::Bool, "SR-IOV enabled (chosen at creation)."),
        enumProp("minimumBandwidthMode",
                 {QStringLiteral("None"), QStringLiteral("Absolute"), QStringLiteral("Weight")},
                 "Minimum-bandwidth mode."),
        intProp("defaultFlowWeight", 0, 100, "Weight reserved for vNICs without a policy."),
        records("extensions",
                {required(prop("name", T::Name, "Extension name.")),
                 required(enumProp("kind",
                                   {QStringLiteral("Capture"), QStringLiteral("Filter"),
                                    QStringLiteral("Forwarding")},
                                   "Extension kind.")),
                 prop("enabled", T::Bool, "Enabled.")},
                "Switch extensions."),
    });
}

std::vector<PropertySpec> aclFields()
{
    return {
        required(enumProp(
            "direction",
            {QStringLiteral("Inbound"), QStringLiteral("Outbound"), QStringLiteral("Both")},
            "Traffic direction.")),
        required(enumProp(
            "action", {QStringLiteral("Allow"), QStringLiteral("Deny"), QStringLiteral("Meter")},
            "What to do with matching traffic.")),
        prop("localAddress", T::IpPrefix, "Local IP prefix."),
        prop("remoteAddress", T::IpPrefix, "Remote IP prefix."),
        prop("localMac", T::MacAddress, "Local MAC address."),
        prop("remoteMac", T::MacAddress, "Remote MAC address."),
        enumProp("protocol",
                 {QStringLiteral("Any"), QStringLiteral("TCP"), QStringLiteral("UDP"),
                  QStringLiteral("ICMP")},
                 "IP protocol."),
        intList("localPorts", 1, 65535, "Local ports."),
        intList("remotePorts", 1, 65535, "Remote ports."),
        prop("stateful", T::Bool, "Stateful (extended) ACL."),
        intProp("weight", 0, 65535, "Order among ACLs (higher first)."),
    };
}

std::vector<PropertySpec> vnicProps()
{
    return withCommon({
        refProp("switch", {K::VirtualSwitch}, "Virtual switch the vNIC connects to."),
        prop("mac", T::MacAddress, "MAC address."),
        enumProp("vlanMode", vlanModes, "VLAN mode."),
        intProp("accessVlan", 0, 4095, "Access VLAN id."),
        intList("trunkVlans", 0, 4095, "Allowed VLAN ids in trunk mode."),
        intProp("nativeVlan", 0, 4095, "Native VLAN in trunk mode."),
        intProp("pvlanPrimary", 0, 4095, "PVLAN primary VLAN."),
        intProp("pvlanSecondary", 0, 4095, "PVLAN secondary VLAN."),
        enumProp("pvlanMode",
                 {QStringLiteral("Isolated"), QStringLiteral("Community"),
                  QStringLiteral("Promiscuous")},
                 "PVLAN port mode."),
        prop("minimumBandwidthAbsolute", T::Bandwidth, "Minimum bandwidth, bits per second."),
        intProp("minimumBandwidthWeight", 0, 100, "Minimum bandwidth weight."),
        prop("maximumBandwidth", T::Bandwidth, "Maximum bandwidth, bits per second."),
        prop("macSpoofing", T::Bool, "MAC address spoofing allowed."),
        prop("dhcpGuard", T::Bool, "DHCP guard on."),
        prop("routerGuard", T::Bool, "Router guard on."),
        prop("allowTeaming", T::Bool, "Guest may team this vNIC."),
        intProp("sriovWeight", 0, 100, "IOV weight (0: SR-IOV off)."),
        records("acls", aclFields(), "Port ACLs."),
        prop("addresses", T::IpPrefixList, "IP addresses with prefix length."),
        prop("gateway", T::IpAddress, "Default gateway."),
        prop("dns", T::IpAddressList, "DNS servers."),
        intProp("mtu", 68, 65535, "MTU in bytes."),
        enumProp("trafficRole",
                 {QStringLiteral("None"), QStringLiteral("LAN"), QStringLiteral("Management"),
                  QStringLiteral("LiveMigration"), QStringLiteral("Cluster"),
                  QStringLiteral("iSCSI"), QStringLiteral("Tenant")},
                 "Traffic the vNIC carries."),
        enumProp("mirroringRole",
                 {QStringLiteral("None"), QStringLiteral("Source"), QStringLiteral("Destination")},
                 "Port-mirroring role."),
        prop("hostInterface", T::Identifier, "Interface name inside the OS (vEthernet (LAN))."),
    });
}

std::vector<PropertySpec> vmProps()
{
    return withCommon({
        intProp("vcpus", 1, 1024, "Virtual processors."),
        intProp("memoryMiB", 1, 1 << 24, "Memory in MiB."),
        prop("guestTeam", T::Bool, "The guest teams its vNICs."),
        prop("approvedDhcpServer", T::Bool, "The VM is an approved DHCP server."),
        prop("mpio", T::Bool, "Multipath I/O installed in the guest."),
        refProp("resourcePool", {K::ResourcePool}, "Resource pool for metering."),
        refProp("vmNetwork", {K::VmNetwork}, "VM network the VM belongs to."),
    });
}

std::vector<PropertySpec> physicalSwitchProps()
{
    return withCommon({
        prop("model", T::String, "Make and model."),
        prop("stack", T::Name, "Stack the switch is a member of."),
        prop("dcb", T::Bool, "Data Center Bridging capable."),
        prop("managementAddress", T::IpAddress, "Management IP address."),
        positionProp(),
    });
}

std::vector<PropertySpec> portProps()
{
    return withCommon({
        enumProp("mode", {QStringLiteral("Access"), QStringLiteral("Trunk")}, "Port mode."),
        intProp("accessVlan", 0, 4095, "Access VLAN."),
        intList("allowedVlans", 0, 4095, "Allowed VLANs in trunk mode."),
        intProp("nativeVlan", 0, 4095, "Native VLAN in trunk mode."),
        intProp("portChannel", 1, 4096, "Port-channel group number."),
        enumProp(
            "channelMode",
            {QStringLiteral("Static"), QStringLiteral("LacpActive"), QStringLiteral("LacpPassive")},
            "Port-channel mode."),
        prop("speed", T::Bandwidth, "Port speed in bits per second."),
        intProp("mtu", 68, 65535, "MTU in bytes."),
        prop("dcb", T::Bool, "DCB enabled on the port."),
    });
}

std::vector<PropertySpec> linkProps()
{
    return withCommon({
        required(refProp("a", {K::PhysicalNic, K::SwitchPort}, "One end of the cable.")),
        required(refProp("b", {K::PhysicalNic, K::SwitchPort}, "The other end.")),
    });
}

std::vector<PropertySpec> vlanProps()
{
    return withCommon({required(intProp("vlanId", 0, 4095, "802.1Q VLAN id."))});
}

std::vector<PropertySpec> subnetProps()
{
    return withCommon({
        required(prop("prefix", T::IpPrefix, "Network prefix.")),
        prop("gateway", T::IpAddress, "Default gateway of the subnet."),
        refProp("vlan", {K::Vlan}, "VLAN carrying the subnet."),
        prop("routingDomain", T::Name, "Routing domain (default: the physical network)."),
    });
}

std::vector<PropertySpec> vmNetworkProps()
{
    return withCommon({
        required(enumProp("isolation",
                          {QStringLiteral("None"), QStringLiteral("Vlan"),
                           QStringLiteral("NetworkVirtualization"), QStringLiteral("External")},
                          "Isolation type.")),
        intProp("vsid", 0, 4294967295.0, "Virtual subnet id (24-bit for NVGRE/VXLAN)."),
        prop("routingDomain", T::Name, "Customer routing domain."),
        prop("customerSubnets", T::IpPrefixList, "Customer address (CA) prefixes."),
        enumProp("encapsulation", {QStringLiteral("NVGRE"), QStringLiteral("VXLAN")},
                 "Overlay encapsulation."),
    });
}

std::vector<PropertySpec> mirrorProps()
{
    return withCommon({
        refProp("switch", {K::VirtualSwitch}, "Switch the session runs on."),
        refProp("sources", {K::VirtualNic}, "Mirrored vNICs.", T::RefList),
        refProp("destination", {K::VirtualNic}, "Monitor vNIC receiving the copies."),
    });
}

std::vector<PropertySpec> dhcpProps()
{
    return withCommon({
        refProp("servers", {K::VirtualMachine}, "DHCPv4 servers in the relationship.", T::RefList),
        enumProp("mode", {QStringLiteral("HotStandby"), QStringLiteral("LoadSharing")},
                 "Failover mode."),
    });
}

std::vector<PropertySpec> storageProps()
{
    return withCommon({
        prop("portals", T::IpAddressList, "iSCSI portal addresses."),
        prop("iqn", T::String, "Target IQN."),
        prop("chap", T::Bool, "CHAP authentication required."),
        prop("dcb", T::Bool, "Array is DCB capable."),
    });
}

std::vector<PropertySpec> suppressionProps()
{
    QList<K> any(allElementKinds.begin(), allElementKinds.end());
    return withCommon({
        required(prop("rule", T::Name, "Rule id of the accepted finding (TEAM-002).")),
        required(refProp("elements", any, "The elements the finding names.", T::RefList)),
        required(prop("justification", T::Name, "Why the finding is accepted.")),
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
