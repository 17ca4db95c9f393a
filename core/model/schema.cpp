#include "schema.h"

#include "../util/ipaddress.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <cmath>
#include <map>

namespace converge::core {

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

std::map<K, KindSpec> buildSpecs()
{
    std::map<K, KindSpec> m;
    auto add = [&m](K k, const char *collection, QList<K> parents, std::vector<PropertySpec> p,
                    const char *doc) {
        m.emplace(k, KindSpec{k, QString::fromLatin1(collection), std::move(parents), std::move(p),
                              QString::fromLatin1(doc)});
    };
    add(K::Host, "hosts", {}, hostProps(), "A virtualization host.");
    add(K::PhysicalNic, "nics", {K::Host}, nicProps(), "A physical network adapter.");
    add(K::Team, "teams", {K::Host}, teamProps(), "A NIC team (LBFO or SET).");
    add(K::VirtualSwitch, "switches", {K::Host}, switchProps(), "A virtual switch.");
    add(K::VirtualMachine, "vms", {K::Host}, vmProps(), "A virtual machine.");
    add(K::VirtualNic, "vnics", {K::Host, K::VirtualMachine}, vnicProps(),
        "A virtual NIC of the management OS (under a host) or of a VM.");
    add(K::PhysicalSwitch, "physicalSwitches", {}, physicalSwitchProps(), "A physical switch.");
    add(K::SwitchPort, "ports", {K::PhysicalSwitch}, portProps(), "A physical switch port.");
    add(K::Link, "links", {}, linkProps(), "A cable between a NIC and a port (or two ports).");
    add(K::Vlan, "vlans", {}, vlanProps(), "A VLAN.");
    add(K::Subnet, "subnets", {}, subnetProps(), "An IP subnet.");
    add(K::VmNetwork, "vmNetworks", {}, vmNetworkProps(), "A VM network (tenant network).");
    add(K::ResourcePool, "resourcePools", {}, withCommon({}), "A resource pool for metering.");
    add(K::MirrorSession, "mirrorSessions", {}, mirrorProps(), "A port-mirroring session.");
    add(K::DhcpFailover, "dhcpFailovers", {}, dhcpProps(), "A DHCP failover relationship.");
    add(K::StorageTarget, "storageTargets", {}, storageProps(), "An iSCSI storage target.");
    add(K::Suppression, "suppressions", {}, suppressionProps(),
        "An accepted validation finding: the rule, the elements it named, and why it is accepted "
        "(shown, not hidden, in reports).");
    return m;
}

const std::map<K, KindSpec> &specs()
{
    static const std::map<K, KindSpec> s = buildSpecs();
    return s;
}

bool isInteger(const QJsonValue &v, double min, double max)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::floor(d) == d && d >= min && d <= max;
}

bool isPrintable(const QString &s)
{
    for (QChar c : s) {
        if (c.category() == QChar::Other_Control)
            return false;
    }
    return true;
}

bool isIpAddress(const QString &s)
{
    return IpAddress::parse(s).has_value();
}

bool isIpPrefix(const QString &s)
{
    return IpPrefix::parse(s).has_value();
}

bool isMac(const QString &s)
{
    static const QRegularExpression re(
        QStringLiteral("^[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}$"));
    return re.match(s).hasMatch();
}

bool isIdentifier(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9 ._:()#+-]{0,63}$"));
    return re.match(s).hasMatch();
}

std::optional<QString> checkList(const QJsonValue &v, const char *what,
                                 bool (*ok)(const QJsonValue &, const PropertySpec &),
                                 const PropertySpec &spec, bool unique)
{
    const QString expected = QStringLiteral("expected an array of ") + QLatin1String(what);
    if (!v.isArray())
        return expected;
    QSet<QString> seen;
    for (const QJsonValue item : v.toArray()) {
        if (!ok(item, spec))
            return expected;
        if (unique) {
            const QString key =
                item.isString() ? item.toString() : QString::number(item.toDouble(), 'g', 17);
            if (seen.contains(key))
                return QStringLiteral("duplicate entry %1 in the list").arg(key);
            seen.insert(key);
        }
    }
    return std::nullopt;
}

std::optional<QString> checkRecords(const PropertySpec &spec, const QJsonValue &value)
{
    if (!value.isArray())
        return QStringLiteral("expected an array of objects");
    const QJsonArray items = value.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString at = QStringLiteral("[%1]").arg(i);
        if (!items.at(i).isObject())
            return at + QStringLiteral(": expected an object");
        const QJsonObject o = items.at(i).toObject();
        for (const PropertySpec &f : spec.fields) {
            if (f.required && !o.contains(f.key))
                return at + QStringLiteral(".") + f.key + QStringLiteral(": missing (required)");
        }
        for (auto it = o.begin(); it != o.end(); ++it) {
            const PropertySpec *f = findField(spec, it.key());
            if (!f)
                return at + QStringLiteral(".") + it.key() + QStringLiteral(": unknown field");
            if (auto problem = checkValue(*f, it.value()))
                return at + QStringLiteral(".") + it.key() + QStringLiteral(": ") + *problem;
        }
    }
    return std::nullopt;
}

} // namespace

QString kindName(ElementKind kind)
{
    static const char *names[] = {
        "Host",          "PhysicalNic",    "Team",         "VirtualSwitch", "VirtualMachine",
        "VirtualNic",    "PhysicalSwitch", "SwitchPort",   "Link",          "Vlan",
        "Subnet",        "VmNetwork",      "ResourcePool", "MirrorSession", "DhcpFailover",
        "StorageTarget", "Suppression"};
    return QString::fromLatin1(names[static_cast<int>(kind)]);
}

std::optional<ElementKind> kindFromName(const QString &name)
{
    for (ElementKind k : allElementKinds) {
        if (kindName(k) == name)
            return k;
    }
    return std::nullopt;
}

const KindSpec &kindSpec(ElementKind kind)
{
    return specs().at(kind);
}

const PropertySpec *findProperty(ElementKind kind, const QString &key)
{
    for (const PropertySpec &p : kindSpec(kind).properties) {
        if (p.key == key)
            return &p;
    }
    return nullptr;
}

const PropertySpec *findField(const PropertySpec &records, const QString &key)
{
    for (const PropertySpec &f : records.fields) {
        if (f.key == key)
            return &f;
    }
    return nullptr;
}

QList<ElementKind> childKinds(std::optional<ElementKind> parent)
{
    QList<ElementKind> out;
    for (ElementKind k : allElementKinds) {
        const auto &parents = kindSpec(k).parentKinds;
        if (parent ? parents.contains(*parent) : parents.isEmpty())
            out.append(k);
    }
    return out;
}

std::optional<QString> checkValue(const PropertySpec &spec, const QJsonValue &value)
{
    const QString s = value.toString();
    switch (spec.type) {
    case T::String:
        if (value.isString())
            return std::nullopt;
        return QStringLiteral("expected a string");
    case T::Name:
        if (value.isString() && !s.trimmed().isEmpty() && isPrintable(s))
            return std::nullopt;
        return QStringLiteral("expected a non-empty name");
    case T::Identifier:
        if (value.isString() && isIdentifier(s))
            return std::nullopt;
        return QStringLiteral("expected an interface name (1-64 letters, digits, spaces or "
                              "._:()#+-, starting with a letter or digit)");
    case T::Bool:
        if (value.isBool())
            return std::nullopt;
        return QStringLiteral("expected true or false");
    case T::Int:
        if (isInteger(value, spec.min, spec.max))
            return std::nullopt;
        return QStringLiteral("expected ") + describeType(spec);
    case T::Bandwidth:
        if (isInteger(value, 1, 9007199254740992.0))
            return std::nullopt;
        return QStringLiteral("expected a positive number (bits per second)");
    case T::Enum:
        if (value.isString() && spec.enumValues.contains(s))
            return std::nullopt;
        return QStringLiteral("expected one of ") + spec.enumValues.join(QStringLiteral(", "));
    case T::IntList:
        return checkList(
                   value, "integers",
                   [](const QJsonValue &v, const PropertySpec &p) {
                       return isInteger(v, p.min, p.max);
                   },
                   spec, true)
            .transform([&](QString m) {
                return m.startsWith(QLatin1String("duplicate"))
                           ? m
                           : m + QStringLiteral(" %1-%2").arg(spec.min).arg(spec.max);
            });
    case T::IpAddress:
        if (value.isString() && isIpAddress(s))
            return std::nullopt;
        return QStringLiteral("expected an IP address");
    case T::IpPrefix:
        if (value.isString() && isIpPrefix(s))
            return std::nullopt;
        return QStringLiteral("expected an IP prefix such as 10.0.0.5/24");
    case T::IpAddressList:
        return checkList(
            value, "IP addresses",
            [](const QJsonValue &v, const PropertySpec &) {
                return v.isString() && isIpAddress(v.toString());
            },
            spec, true);
    case T::IpPrefixList:
        return checkList(
            value, "IP prefixes such as 10.0.0.5/24",
            [](const QJsonValue &v, const PropertySpec &) {
                return v.isString() && isIpPrefix(v.toString());
            },
            spec, true);
    case T::MacAddress:
        if (value.isString() && isMac(s))
            return std::nullopt;
        return QStringLiteral("expected a MAC address such as 00-15-5D-01-02-03");
    case T::Ref:
        if (value.isString() && isValidId(s))
            return std::nullopt;
        return QStringLiteral("expected an element id");
    case T::RefList:
        return checkList(
            value, "element ids",
            [](const QJsonValue &v, const PropertySpec &) {
                return v.isString() && isValidId(v.toString());
            },
            spec, true);
    case T::Records:
        return checkRecords(spec, value);
    case T::Point: {
        const QJsonArray xy = value.toArray();
        const auto coordinate = [&](const QJsonValue &v) {
            return v.isDouble() && v.toDouble() >= spec.min && v.toDouble() <= spec.max;
        };
        if (value.isArray() && xy.size() == 2 && coordinate(xy[0]) && coordinate(xy[1]))
            return std::nullopt;
        return QStringLiteral("expected ") + describeType(spec);
    }
    }
    return QStringLiteral("unsupported property type");
}

QString refKindsText(const PropertySpec &spec)
{
    QStringList names;
    for (ElementKind k : spec.refKinds)
        names << kindName(k);
    return names.join(QStringLiteral(" or "));
}

QString describeType(const PropertySpec &spec)
{
    switch (spec.type) {
    case T::String:
        return QStringLiteral("string");
    case T::Name:
        return QStringLiteral("non-empty name");
    case T::Identifier:
        return QStringLiteral("interface name");
    case T::Bool:
        return QStringLiteral("boolean");
    case T::Int:
        return QStringLiteral("an integer %1-%2").arg(spec.min, 0, 'f', 0).arg(spec.max, 0, 'f', 0);
    case T::Bandwidth:
        return QStringLiteral("bits per second (positive integer)");
    case T::Enum:
        return QStringLiteral("one of ") + spec.enumValues.join(QStringLiteral(", "));
    case T::IntList:
        return QStringLiteral("array of integers %1-%2")
            .arg(spec.min, 0, 'f', 0)
            .arg(spec.max, 0, 'f', 0);
    case T::IpAddress:
        return QStringLiteral("IP address");
    case T::IpPrefix:
        return QStringLiteral("IP prefix (address/length)");
    case T::IpAddressList:
        return QStringLiteral("array of IP addresses");
    case T::IpPrefixList:
        return QStringLiteral("array of IP prefixes");
    case T::MacAddress:
        return QStringLiteral("MAC address");
    case T::Ref:
        return QStringLiteral("id of a ") + refKindsText(spec);
    case T::RefList:
        return QStringLiteral("array of ids of ") + refKindsText(spec) +
               QStringLiteral(" elements");
    case T::Records:
        return QStringLiteral("array of objects");
    case T::Point:
        return QStringLiteral("[x, y], two numbers %1 to %2")
            .arg(spec.min, 0, 'g', 8)
            .arg(spec.max, 0, 'g', 8);
    }
    return {};
}

bool isValidId(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"));
    return re.match(id).hasMatch();
}

} // namespace converge::core

namespace converge::core {

std::optional<QString> checkProperties(ElementKind kind, const QJsonObject &props)
{
    for (const PropertySpec &p : kindSpec(kind).properties) {
        if (p.required && !props.contains(p.key))
            return p.key + QStringLiteral(": missing (required for a %1)").arg(kindName(kind));
    }
    for (auto it = props.begin(); it != props.end(); ++it) {
        const PropertySpec *p = findProperty(kind, it.key());
        if (!p)
            return it.key() + QStringLiteral(": unknown property of a %1").arg(kindName(kind));
        if (auto problem = checkValue(*p, it.value()))
            return it.key() +
                   (problem->startsWith(QLatin1Char('[')) ? QString() : QStringLiteral(": ")) +
                   *problem;
    }
    return std::nullopt;
}

std::optional<QString> checkReferences(ElementKind kind, const QJsonObject &props,
                                       const KindLookup &kindOf)
{
    for (const PropertySpec &p : kindSpec(kind).properties) {
        if (p.type != PropertyType::Ref && p.type != PropertyType::RefList)
            continue;
        const QJsonValue v = props.value(p.key);
        const QJsonArray ids = p.type == PropertyType::Ref
                                   ? (v.isUndefined() ? QJsonArray{} : QJsonArray{v})
                                   : v.toArray();
        for (qsizetype i = 0; i < ids.size(); ++i) {
            const QString id = ids.at(i).toString();
            const QString at =
                p.key +
                (p.type == PropertyType::RefList ? QStringLiteral("[%1]").arg(i) : QString());
            const auto target = kindOf(id);
            if (!target)
                return at + QStringLiteral(": no element with id '%1'").arg(id);
            if (!p.refKinds.contains(*target))
                return at + QStringLiteral(": '%1' is a %2, expected a %3")
                                .arg(id, kindName(*target), refKindsText(p));
        }
    }
    return std::nullopt;
}

QStringList referencedIds(ElementKind kind, const QJsonObject &props)
{
    // Called for every element when validation indexes a design: look only at the kind's
    // reference properties (a vNIC has 2 of its 27).
    static const auto refProps = [] {
        std::vector<std::vector<const PropertySpec *>> byKind(allElementKinds.size());
        for (ElementKind k : allElementKinds)
            for (const PropertySpec &p : kindSpec(k).properties)
                if (p.type == PropertyType::Ref || p.type == PropertyType::RefList)
                    byKind[std::size_t(k)].push_back(&p);
        return byKind;
    }();
    QStringList out;
    for (const PropertySpec *p : refProps[std::size_t(kind)]) {
        const QJsonValue v = props.value(p->key);
        if (p->type == PropertyType::Ref && v.isString())
            out << v.toString();
        else if (p->type == PropertyType::RefList)
            for (const QJsonValue id : v.toArray())
                out << id.toString();
    }
    return out;
}

} // namespace converge::core
