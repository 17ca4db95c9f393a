#include "schematable.h"

// The kind table: one row per kind with where documents keep it, what may own it, its doc and
// the words people read for it. Every per-kind text elsewhere reads its row.

namespace converge::core::schematable {

namespace {

using K = ElementKind;

struct Row
{
    K kind;
    const char *name;
    const char *collection;
    QList<K> parents;
    const char *doc;
    const char *noun;
    const char *label;
    const char *groupLabel;
    const char *shortNoun;
    const char *shortPlural;
    const char *newName = nullptr;     // null: the palette does not add this kind
    const char *paletteHint = nullptr; // null: not in the palette
    const char *findingNoun = nullptr; // null: the noun
};

constexpr const char *onHost = "Adds one to the selected host";
constexpr const char *onDesign = "Adds one to the design";

const Row rows[] = {
    {.kind = K::Host,
     .name = "Host",
     .collection = "hosts",
     .parents = {},
     .doc = "A virtualization host.",
     .noun = "host",
     .label = "Host",
     .groupLabel = "Hosts",
     .shortNoun = "host",
     .shortPlural = "hosts",
     .newName = "Host ",
     .paletteHint = onDesign},
    {.kind = K::PhysicalNic,
     .name = "PhysicalNic",
     .collection = "nics",
     .parents = {K::Host},
     .doc = "A physical network adapter.",
     .noun = "physical NIC",
     .label = "Physical NIC",
     .groupLabel = "Physical NICs",
     .shortNoun = "NIC",
     .shortPlural = "NICs",
     .newName = "eth",
     .paletteHint = onHost,
     .findingNoun = "NIC"},
    {.kind = K::Team,
     .name = "Team",
     .collection = "teams",
     .parents = {K::Host},
     .doc = "A NIC team (LBFO or SET).",
     .noun = "team",
     .label = "Team",
     .groupLabel = "Teams",
     .shortNoun = "team",
     .shortPlural = "teams",
     .newName = "Team ",
     .paletteHint = onHost},
    {.kind = K::VirtualSwitch,
     .name = "VirtualSwitch",
     .collection = "switches",
     .parents = {K::Host},
     .doc = "A virtual switch.",
     .noun = "virtual switch",
     .label = "Virtual switch",
     .groupLabel = "Virtual switches",
     .shortNoun = "vSwitch",
     .shortPlural = "vSwitches",
     .newName = "vSwitch ",
     .paletteHint = onHost},
    {.kind = K::VirtualMachine,
     .name = "VirtualMachine",
     .collection = "vms",
     .parents = {K::Host},
     .doc = "A virtual machine.",
     .noun = "VM",
     .label = "VM",
     .groupLabel = "VMs",
     .shortNoun = "VM",
     .shortPlural = "VMs",
     .newName = "VM ",
     .paletteHint = onHost},
    {.kind = K::VirtualNic,
     .name = "VirtualNic",
     .collection = "vnics",
     .parents = {K::Host, K::VirtualMachine},
     .doc = "A virtual NIC of the management OS (under a host) or of a VM.",
     .noun = "vNIC",
     .label = "vNIC",
     .groupLabel = "vNICs",
     .shortNoun = "vNIC",
     .shortPlural = "vNICs",
     .newName = "vNIC ",
     .paletteHint = "Adds one to the selected VM (or the host's management OS)"},
    {.kind = K::PhysicalSwitch,
     .name = "PhysicalSwitch",
     .collection = "physicalSwitches",
     .parents = {},
     .doc = "A physical switch.",
     .noun = "physical switch",
     .label = "Physical switch",
     .groupLabel = "Physical switches",
     .shortNoun = "physical switch",
     .shortPlural = "physical switches",
     .newName = "Switch ",
     .paletteHint = onDesign},
    {.kind = K::SwitchPort,
     .name = "SwitchPort",
     .collection = "ports",
     .parents = {K::PhysicalSwitch},
     .doc = "A physical switch port.",
     .noun = "switch port",
     .label = "Switch port",
     .groupLabel = "Switch ports",
     .shortNoun = "switch port",
     .shortPlural = "switch ports",
     .newName = "Port ",
     .paletteHint = "Adds one to the selected physical switch"},
    {.kind = K::Link,
     .name = "Link",
     .collection = "links",
     .parents = {},
     .doc = "A cable between a NIC and a port (or two ports).",
     .noun = "link",
     .label = "Link",
     .groupLabel = "Links",
     .shortNoun = "link",
     .shortPlural = "links"},
    {.kind = K::Vlan,
     .name = "Vlan",
     .collection = "vlans",
     .parents = {},
     .doc = "A VLAN.",
     .noun = "VLAN",
     .label = "VLAN",
     .groupLabel = "VLANs",
     .shortNoun = "VLAN",
     .shortPlural = "VLANs",
     .newName = "VLAN ",
     .paletteHint = onDesign},
    {.kind = K::Subnet,
     .name = "Subnet",
     .collection = "subnets",
     .parents = {},
     .doc = "An IP subnet.",
     .noun = "subnet",
     .label = "Subnet",
     .groupLabel = "Subnets",
     .shortNoun = "subnet",
     .shortPlural = "subnets",
     .newName = "Subnet ",
     .paletteHint = onDesign},
    {.kind = K::VmNetwork,
     .name = "VmNetwork",
     .collection = "vmNetworks",
     .parents = {},
     .doc = "A VM network (tenant network).",
     .noun = "VM network",
     .label = "VM network",
     .groupLabel = "VM networks",
     .shortNoun = "VM network",
     .shortPlural = "VM networks",
     .newName = "VM network ",
     .paletteHint = onDesign},
    {.kind = K::ResourcePool,
     .name = "ResourcePool",
     .collection = "resourcePools",
     .parents = {},
     .doc = "A resource pool for metering.",
     .noun = "resource pool",
     .label = "Resource pool",
     .groupLabel = "Resource pools",
     .shortNoun = "resource pool",
     .shortPlural = "resource pools",
     .newName = "Pool ",
     .paletteHint = onDesign},
    {.kind = K::MirrorSession,
     .name = "MirrorSession",
     .collection = "mirrorSessions",
     .parents = {},
     .doc = "A port-mirroring session.",
     .noun = "mirror session",
     .label = "Mirror session",
     .groupLabel = "Mirror sessions",
     .shortNoun = "mirror session",
     .shortPlural = "mirror sessions",
     .newName = "Mirror ",
     .paletteHint = onDesign},
    {.kind = K::DhcpFailover,
     .name = "DhcpFailover",
     .collection = "dhcpFailovers",
     .parents = {},
     .doc = "A DHCP failover relationship.",
     .noun = "DHCP failover",
     .label = "DHCP failover",
     .groupLabel = "DHCP failovers",
     .shortNoun = "DHCP failover",
     .shortPlural = "DHCP failovers",
     .newName = "DHCP failover ",
     .paletteHint = onDesign},
    {.kind = K::StorageTarget,
     .name = "StorageTarget",
     .collection = "storageTargets",
     .parents = {},
     .doc = "An iSCSI storage target.",
     .noun = "storage target",
     .label = "Storage target",
     .groupLabel = "Storage targets",
     .shortNoun = "storage target",
     .shortPlural = "storage targets",
     .newName = "Storage ",
     .paletteHint = onDesign},
    {.kind = K::Suppression,
     .name = "Suppression",
     .collection = "suppressions",
     .parents = {},
     .doc = "An accepted validation finding: the rule, the elements it named, and why it is "
            "accepted (shown, not hidden, in reports).",
     .noun = "suppression",
     .label = "Accepted finding",
     .groupLabel = "Accepted findings",
     .shortNoun = "accepted finding",
     .shortPlural = "accepted findings"},
};
static_assert(std::size(rows) == allElementKinds.size());

QString text(const char *s)
{
    return s ? QString::fromLatin1(s) : QString();
}

KindSpec specOf(const Row &r)
{
    KindTexts texts{.noun = text(r.noun),
                    .findingNoun = text(r.findingNoun ? r.findingNoun : r.noun),
                    .label = text(r.label),
                    .groupLabel = text(r.groupLabel),
                    .shortNoun = text(r.shortNoun),
                    .shortPlural = text(r.shortPlural),
                    .newName = text(r.newName),
                    .paletteHint = text(r.paletteHint)};
    return KindSpec{.kind = r.kind,
                    .name = text(r.name),
                    .collection = text(r.collection),
                    .parentKinds = r.parents,
                    .properties = properties(r.kind),
                    .doc = text(r.doc),
                    .texts = std::move(texts)};
}

} // namespace

std::vector<KindSpec> kinds()
{
    std::vector<KindSpec> out;
    for (const Row &r : rows) {
        Q_ASSERT(std::size_t(r.kind) == out.size()); // rows in ElementKind order
        out.push_back(specOf(r));
    }
    return out;
}

} // namespace converge::core::schematable
