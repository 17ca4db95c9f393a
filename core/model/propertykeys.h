#pragma once

#include <QString>

// The one spelling of every design-property key and enum choice. The schema's property table
// (schemaproperties.cpp) builds its rows from these constants and everything else reads or
// writes properties through them: `e.value(key::platform) == value::linuxOvs`. A unit test
// checks that the table and these lists name the same keys and choices.
//
// Each entry is X(identifier, "spelling"): the identifier is the spelling in lowerCamel case,
// with '_' after a C++ keyword (switch_, static_, private_).

// Property keys and record-field keys of every kind, in alphabetical order.
// clang-format off
#define CONVERGE_PROPERTY_KEYS(X) \
    X(a, "a") \
    X(accessVlan, "accessVlan") \
    X(acls, "acls") \
    X(action, "action") \
    X(addresses, "addresses") \
    X(agentAddress, "agentAddress") \
    X(allowManagementOs, "allowManagementOs") \
    X(allowTeaming, "allowTeaming") \
    X(allowedVlans, "allowedVlans") \
    X(approvedDhcpServer, "approvedDhcpServer") \
    X(b, "b") \
    X(bandwidthPercent, "bandwidthPercent") \
    X(channelMode, "channelMode") \
    X(chap, "chap") \
    X(cluster, "cluster") \
    X(customerSubnets, "customerSubnets") \
    X(dcb, "dcb") \
    X(dcbTrafficClasses, "dcbTrafficClasses") \
    X(defaultFlowWeight, "defaultFlowWeight") \
    X(description, "description") \
    X(destination, "destination") \
    X(dhcpGuard, "dhcpGuard") \
    X(direction, "direction") \
    X(dns, "dns") \
    X(edition, "edition") \
    X(elements, "elements") \
    X(enabled, "enabled") \
    X(encapsulation, "encapsulation") \
    X(extensions, "extensions") \
    X(gateway, "gateway") \
    X(guestTeam, "guestTeam") \
    X(guestTeamMembers, "guestTeamMembers") \
    X(hardwareVirtualization, "hardwareVirtualization") \
    X(hostInterface, "hostInterface") \
    X(interfaceName, "interfaceName") \
    X(iqn, "iqn") \
    X(isolation, "isolation") \
    X(justification, "justification") \
    X(kind, "kind") \
    X(loadBalancing, "loadBalancing") \
    X(localAddress, "localAddress") \
    X(localMac, "localMac") \
    X(localPorts, "localPorts") \
    X(mac, "mac") \
    X(macSpoofing, "macSpoofing") \
    X(managementAddress, "managementAddress") \
    X(maximumBandwidth, "maximumBandwidth") \
    X(members, "members") \
    X(memoryMiB, "memoryMiB") \
    X(minimumBandwidthAbsolute, "minimumBandwidthAbsolute") \
    X(minimumBandwidthMode, "minimumBandwidthMode") \
    X(minimumBandwidthWeight, "minimumBandwidthWeight") \
    X(mirroringRole, "mirroringRole") \
    X(mode, "mode") \
    X(model, "model") \
    X(mpio, "mpio") \
    X(mtu, "mtu") \
    X(name, "name") \
    X(nativeVlan, "nativeVlan") \
    X(platform, "platform") \
    X(portChannel, "portChannel") \
    X(portals, "portals") \
    X(position, "position") \
    X(prefix, "prefix") \
    X(priority, "priority") \
    X(protocol, "protocol") \
    X(providerAddress, "providerAddress") \
    X(pvlanMode, "pvlanMode") \
    X(pvlanPrimary, "pvlanPrimary") \
    X(pvlanSecondary, "pvlanSecondary") \
    X(queueMode, "queueMode") \
    X(rdma, "rdma") \
    X(remoteAddress, "remoteAddress") \
    X(remoteMac, "remoteMac") \
    X(remotePorts, "remotePorts") \
    X(resourcePool, "resourcePool") \
    X(role, "role") \
    X(routerGuard, "routerGuard") \
    X(routingDomain, "routingDomain") \
    X(rss, "rss") \
    X(rule, "rule") \
    X(servers, "servers") \
    X(sources, "sources") \
    X(speed, "speed") \
    X(sriov, "sriov") \
    X(sriovWeight, "sriovWeight") \
    X(stack, "stack") \
    X(standbyMember, "standbyMember") \
    X(stateful, "stateful") \
    X(switch_, "switch") \
    X(switchEmbedded, "switchEmbedded") \
    X(teamInterfaces, "teamInterfaces") \
    X(trafficRole, "trafficRole") \
    X(trunkVlans, "trunkVlans") \
    X(type, "type") \
    X(uplink, "uplink") \
    X(vcpus, "vcpus") \
    X(vfCount, "vfCount") \
    X(vlan, "vlan") \
    X(vlanId, "vlanId") \
    X(vlanMode, "vlanMode") \
    X(vmNetwork, "vmNetwork") \
    X(vmq, "vmq") \
    X(vsid, "vsid") \
    X(weight, "weight") \
    X(workload, "workload")
// clang-format on

// The choices of every enum property, in alphabetical order. A choice several enums share
// ("None", "LAN", "Static", "External") is one constant.
// clang-format off
#define CONVERGE_ENUM_VALUES(X) \
    X(absolute, "Absolute") \
    X(access, "Access") \
    X(addressHash, "AddressHash") \
    X(allow, "Allow") \
    X(any, "Any") \
    X(both, "Both") \
    X(capture, "Capture") \
    X(cluster, "Cluster") \
    X(community, "Community") \
    X(datacenter, "Datacenter") \
    X(deny, "Deny") \
    X(destination, "Destination") \
    X(dvmq, "dVMQ") \
    X(dynamic, "Dynamic") \
    X(external, "External") \
    X(filter, "Filter") \
    X(forwarding, "Forwarding") \
    X(general, "General") \
    X(hotStandby, "HotStandby") \
    X(hyperv, "hyperv") \
    X(hyperVPort, "HyperVPort") \
    X(icmp, "ICMP") \
    X(inbound, "Inbound") \
    X(internal, "Internal") \
    X(iscsi, "iSCSI") \
    X(isolated, "Isolated") \
    X(lacp, "LACP") \
    X(lacpActive, "LacpActive") \
    X(lacpPassive, "LacpPassive") \
    X(lan, "LAN") \
    X(linuxOvs, "linux-ovs") \
    X(liveMigration, "LiveMigration") \
    X(loadSharing, "LoadSharing") \
    X(management, "Management") \
    X(manyVms, "ManyVms") \
    X(meter, "Meter") \
    X(networkVirtualization, "NetworkVirtualization") \
    X(none, "None") \
    X(nvgre, "NVGRE") \
    X(outbound, "Outbound") \
    X(outboundHeavy, "OutboundHeavy") \
    X(private_, "Private") \
    X(promiscuous, "Promiscuous") \
    X(pvlan, "Pvlan") \
    X(rss, "RSS") \
    X(source, "Source") \
    X(standard, "Standard") \
    X(static_, "Static") \
    X(storage, "Storage") \
    X(switchIndependent, "SwitchIndependent") \
    X(tcp, "TCP") \
    X(tenant, "Tenant") \
    X(trunk, "Trunk") \
    X(udp, "UDP") \
    X(untagged, "Untagged") \
    X(unused, "Unused") \
    X(vlan, "Vlan") \
    X(vxlan, "VXLAN") \
    X(weight, "Weight")
// clang-format on

namespace converge::core::key {
#define CONVERGE_DEFINE_CONSTANT(id, spelling) inline constexpr QLatin1StringView id{spelling};
CONVERGE_PROPERTY_KEYS(CONVERGE_DEFINE_CONSTANT)
} // namespace converge::core::key

namespace converge::core::value {
CONVERGE_ENUM_VALUES(CONVERGE_DEFINE_CONSTANT)
#undef CONVERGE_DEFINE_CONSTANT
} // namespace converge::core::value
