#include "desiredstate.h"
#include "interfacenames.h"
#include "portsettings.h"

#include "core/model/design.h"
#include "core/model/labels.h"
#include "core/model/newelements.h"
#include "core/util/ipaddress.h"

#include <QJsonArray>
#include <QSet>

#include <map>

#include <optional>

namespace converge::core::realize {

using core::Design;
using core::Element;
using core::ElementKind;

namespace {

std::vector<const Element *> onHost(const Design &design, ElementKind kind, const Element &host)
{
    std::vector<const Element *> out;
    for (const Element *e : design.elements(kind))
        if (core::hostOf(design, *e) == &host)
            out.push_back(e);
    return out;
}

// Builds one host's desired state. The steps share the interface names handed out, the bridge
// of each switch and the notes.
class StateBuilder
{
public:
    StateBuilder(const Design &design, const Element &host)
        : m_design(design)
        , m_host(host)
        , m_names(design)
    {
    }
    Result<HostState> build();

private:
    Result<void> addBridges();
    Result<Bridge> bridge(const Element &sw);
    Result<void> addUplinks();
    Result<std::optional<Port>> uplinkPort(const Element &uplink);
    Result<std::optional<Port>> teamPort(const Element &team);
    Result<void> addTeamMembers(const Element &team, Port &p);
    Result<void> addVnicPorts();
    Port vnicPort(const Element &vnic, const QString &name);
    void addPvlanDomains();
    Result<void> addOverlays();
    void addTunnels(Bridge &b);
    std::vector<TunnelEndpoint> remotesOf(int vsid) const;
    void addMirrors();
    void noteMinimumBandwidth();
    std::optional<Mirror> sessionMirror(const Element &session, QSet<QString> &inSession);
    std::optional<Mirror> roleMirror(const Bridge &b, const QSet<QString> &inSession) const;

    const Design &m_design;
    const Element &m_host;
    InterfaceNames m_names;
    HostState m_state;
    std::vector<const Element *> m_switches;
    QHash<QString, Bridge *> m_bridgeOf; // switch id -> bridge
    QStringList m_minimums;              // switches and vNICs asking for minimum bandwidth
};

Result<HostState> StateBuilder::build()
{
    m_state.host = m_host.name();
    // Bridges first: uplinks and vNICs are ports on them.
    for (auto step :
         {&StateBuilder::addBridges, &StateBuilder::addUplinks, &StateBuilder::addVnicPorts})
        if (auto done = (this->*step)(); !done)
            return std::unexpected(done.error());
    addPvlanDomains();
    if (auto overlays = addOverlays(); !overlays)
        return std::unexpected(overlays.error());
    addMirrors();
    noteMinimumBandwidth();
    m_state.normalize();
    // The form the agent accepts is the form we produce: check it the way the agent will.
    auto checked = HostState::fromJson(m_state.toJson());
    if (!checked)
        return core::invalid(
            QStringLiteral("host %1: %2").arg(m_host.name(), checked.error().message));
    return m_state;
}

// One bridge per virtual switch.
Result<void> StateBuilder::addBridges()
{
    m_switches = onHost(m_design, ElementKind::VirtualSwitch, m_host);
    m_state.bridges.reserve(m_switches.size());
    for (const Element *sw : m_switches) {
        auto b = bridge(*sw);
        if (!b)
            return std::unexpected(b.error());
        m_state.bridges.push_back(std::move(*b));
    }
    // Pointers into bridges: no bridge is added after this.
    for (std::size_t i = 0; i < m_switches.size(); ++i)
        m_bridgeOf.insert(m_switches[i]->id, &m_state.bridges[i]);
    return {};
}

Result<Bridge> StateBuilder::bridge(const Element &sw)
{
    auto name = m_names.claim(sw);
    if (!name)
        return std::unexpected(name.error());
    Bridge b;
    b.name = *name;
    b.elementId = sw.id;
    b.sriov = sw.value(key::sriov).toBool();
    const QString minimum = sw.value(key::minimumBandwidthMode).toString();
    if (minimum == value::weight || minimum == value::absolute)
        m_minimums << QStringLiteral("%1 (mode %2)").arg(core::elementLabel(sw), minimum);
    if (b.sriov)
        m_state.notes << QStringLiteral("%1: SR-IOV is recorded but Open vSwitch bridges do not "
                                        "offload to virtual functions")
                             .arg(core::describe(sw));
    return b;
}

// Uplinks: a NIC or a team (bond) on external switches.
Result<void> StateBuilder::addUplinks()
{
    for (const Element *sw : m_switches) {
        if (sw->value(key::type).toString() != value::external)
            continue;
        const Element *uplink = m_design.find(sw->value(key::uplink).toString());
        if (!uplink)
            continue;
        auto port = uplinkPort(*uplink);
        if (!port)
            return std::unexpected(port.error());
        if (std::optional<Port> &made = *port) {
            made->uplink = true;
            m_bridgeOf.value(sw->id)->ports.push_back(std::move(*made));
        }
    }
    return {};
}

// The uplink's port; none for a team with fewer than two NICs or an element of another kind.
Result<std::optional<Port>> StateBuilder::uplinkPort(const Element &uplink)
{
    if (uplink.kind == ElementKind::Team)
        return teamPort(uplink);
    if (uplink.kind != ElementKind::PhysicalNic)
        return std::nullopt;
    auto name = m_names.claim(uplink);
    if (!name)
        return std::unexpected(name.error());
    Port p;
    p.name = *name;
    p.elementId = uplink.id;
    p.mtu = uplink.value(key::mtu).toInt();
    return p;
}

Result<std::optional<Port>> StateBuilder::teamPort(const Element &team)
{
    auto name = m_names.claim(team);
    if (!name)
        return std::unexpected(name.error());
    Port p;
    p.name = *name;
    p.elementId = team.id;
    p.type = Port::Type::Bond;
    if (auto members = addTeamMembers(team, p); !members)
        return std::unexpected(members.error());
    setBondMode(team, p, m_state.notes);
    if (p.members.size() < 2) {
        m_state.notes
            << QStringLiteral("%1 has fewer than two NICs: not realized").arg(core::describe(team));
        return std::nullopt;
    }
    return p;
}

// The team's NICs as bond members; the one that is not the standby member is the primary.
Result<void> StateBuilder::addTeamMembers(const Element &team, Port &p)
{
    const QString standby = team.value(key::standbyMember).toString();
    for (const QJsonValue &m : team.value(key::members).toArray()) {
        const Element *nic = m_design.find(m.toString());
        if (!nic || nic->kind != ElementKind::PhysicalNic)
            continue;
        auto member = m_names.claim(*nic);
        if (!member)
            return std::unexpected(member.error());
        p.members << *member;
        if (p.bondPrimary.isEmpty() && nic->id != standby && !standby.isEmpty())
            p.bondPrimary = *member;
        p.mtu = std::max(p.mtu, nic->value(key::mtu).toInt());
    }
    return {};
}

// vNICs: management OS (internal ports) and VMs (their tap/veth).
Result<void> StateBuilder::addVnicPorts()
{
    for (const Element *vnic : onHost(m_design, ElementKind::VirtualNic, m_host)) {
        Bridge *b = m_bridgeOf.value(vnic->value(key::switch_).toString());
        if (!b)
            continue;
        auto name = m_names.claim(*vnic);
        if (!name)
            return std::unexpected(name.error());
        b->ports.push_back(vnicPort(*vnic, *name));
    }
    return {};
}

Port StateBuilder::vnicPort(const Element &vnic, const QString &name)
{
    const Element *owner = m_design.find(vnic.parent);
    Port p;
    p.name = name;
    p.elementId = vnic.id;
    p.type = owner && owner->kind == ElementKind::Host ? Port::Type::Internal : Port::Type::System;
    applyVlan(vnic, p);
    const QJsonValue maxBw = vnic.value(key::maximumBandwidth);
    if (maxBw.isDouble() && maxBw.toDouble() >= 1000)
        p.maxRateKbps = static_cast<qint64>(maxBw.toDouble() / 1000);
    else if (maxBw.isDouble() && maxBw.toDouble() > 0)
        // Policing and meters count in kbit/s: below one there is nothing to set.
        m_state.notes << QStringLiteral("%1: a maximum bandwidth below 1 kbit/s is not enforced")
                             .arg(core::describe(vnic));
    p.mtu = vnic.value(key::mtu).toInt();
    applyPolicy(vnic, p, m_state.notes);
    if (const Element *net = overlayNetworkOf(m_design, vnic); net && p.type == Port::Type::System)
        applyOverlay(vnic, *net, p, m_state.notes);
    if (vnic.value(key::minimumBandwidthWeight).toInt() > 0 ||
        vnic.value(key::minimumBandwidthAbsolute).toDouble() > 0)
        m_minimums << core::vnicLabel(
            vnic, owner && owner->kind == ElementKind::VirtualMachine ? owner : nullptr, nullptr);
    applyAddresses(vnic, p, m_state.notes);
    return p;
}

// The PVLAN domains each bridge takes part in (with a promiscuous, isolated or community port),
// with every secondary VLAN of the design's isolated and community vNICs in them, on any host.
void StateBuilder::addPvlanDomains()
{
    std::map<int, PvlanDomain> domains;
    for (const Element *vnic : m_design.elements(ElementKind::VirtualNic)) {
        if (vnic->value(key::vlanMode).toString() != value::pvlan)
            continue;
        Port probe;
        applyVlan(*vnic, probe);
        if (probe.pvlanPrimary < 0)
            continue;
        PvlanDomain &d = domains[probe.pvlanPrimary];
        d.primary = probe.pvlanPrimary;
        (probe.isolated ? d.isolated : d.communities) << probe.tag;
    }
    for (Bridge &b : m_state.bridges)
        for (const auto &[primary, domain] : domains)
            if (std::ranges::any_of(b.ports, [primary](const Port &p) {
                    return p.pvlanPrimary == primary ||
                           (p.vlanMode == QLatin1String("access") && p.tag == primary);
                }))
                b.pvlans.push_back(domain);
}

// The bridge with this host's overlay ports gets the host's provider address, a tunnel port per
// encapsulation and the other hosts of each overlay. One bridge per host: tunnel ports are named
// for their encapsulation (HNV-007 asks for one switch).
Result<void> StateBuilder::addOverlays()
{
    Bridge *overlayBridge = nullptr;
    for (Bridge &b : m_state.bridges) {
        if (std::ranges::none_of(b.ports, [](const Port &p) { return p.vsid >= 0; }))
            continue;
        if (overlayBridge)
            return core::invalid(
                QStringLiteral("host %1: vNICs on network-virtualized VM "
                               "networks are on bridges %2 and %3; Converge "
                               "realizes a host's overlays on one switch (HNV-007)")
                    .arg(m_host.name(), overlayBridge->name, b.name));
        overlayBridge = &b;
    }
    if (overlayBridge)
        addTunnels(*overlayBridge);
    return {};
}

void StateBuilder::addTunnels(Bridge &b)
{
    const auto pa = core::IpPrefix::parse(m_host.value(key::providerAddress).toString());
    if (pa && !pa->address.v6)
        b.providerAddress = pa->address.toString() + QLatin1Char('/') + QString::number(pa->length);
    else
        m_state.notes << QStringLiteral("%1 has no IPv4 provider address: its VMs on "
                                        "network-virtualized VM networks reach only each other "
                                        "on this host (HNV-003)")
                             .arg(core::describe(m_host));
    if (!std::ranges::any_of(b.ports, [](const Port &p) { return p.uplink; }))
        m_state.notes << QStringLiteral("bridge %1 has no uplink: its tunnels cannot reach other "
                                        "hosts (HNV-007)")
                             .arg(b.name);
    std::map<int, QString> vsids;
    for (const Port &p : b.ports)
        if (p.vsid >= 0)
            vsids.emplace(p.vsid, p.encapsulation);
    QSet<QString> encapsulations;
    for (const auto &[vsid, encapsulation] : vsids) {
        Overlay o{vsid, encapsulation, remotesOf(vsid)};
        for (const TunnelEndpoint &r : o.remotes) {
            const auto address = core::IpAddress::parse(r.address);
            if (pa && address && !pa->contains(*address))
                m_state.notes << QStringLiteral("VSID %1: provider address %2 is outside %3 and "
                                                "needs a route on this host (not realized)")
                                     .arg(vsid)
                                     .arg(r.address, b.providerAddress);
        }
        if (!o.remotes.empty())
            encapsulations.insert(encapsulation);
        b.overlays.push_back(std::move(o));
    }
    for (const QString &encapsulation : std::as_const(encapsulations)) {
        Port t;
        t.name = tunnelPortName(encapsulation);
        t.type = tunnelPortType(encapsulation);
        b.ports.push_back(std::move(t));
    }
}

// The other hosts with VMs on the VM network of `vsid`: their provider addresses and the MACs of
// those VMs' vNICs (HNV's lookup records).
std::vector<TunnelEndpoint> StateBuilder::remotesOf(int vsid) const
{
    std::map<QString, QStringList> macsByAddress;
    for (const Element *vnic : m_design.elements(ElementKind::VirtualNic)) {
        const Element *net = overlayNetworkOf(m_design, *vnic);
        const Element *host = net ? core::hostOf(m_design, *vnic) : nullptr;
        if (!host || host == &m_host || net->value(key::vsid).toInt() != vsid)
            continue;
        const auto pa = core::IpPrefix::parse(host->value(key::providerAddress).toString());
        const QString mac = canonicalMac(vnic->value(key::mac).toString());
        if (pa && !pa->address.v6 && !mac.isEmpty())
            macsByAddress[pa->address.toString()] << mac;
    }
    std::vector<TunnelEndpoint> out;
    for (const auto &[address, macs] : macsByAddress)
        out.push_back({address, macs});
    return out;
}

// One note for the host: Open vSwitch reserves no bandwidth for a port, on either datapath (a
// linux-htb QoS guarantees minimums only among the queues of one egress port, into which flows
// must steer the traffic; Converge sets up none), so minimums are not enforced at all.
void StateBuilder::noteMinimumBandwidth()
{
    if (m_minimums.isEmpty())
        return;
    m_state.notes << QStringLiteral("minimum bandwidth is not enforced on this host (Open vSwitch "
                                    "reserves no bandwidth for a port on either datapath; only "
                                    "maximum rates are enforced): %1")
                         .arg(m_minimums.join(u"; "));
}

// Mirror sessions; vNICs with a mirroring role but no session form one per switch.
void StateBuilder::addMirrors()
{
    QSet<QString> inSession;
    for (const Element *ms : m_design.elements(ElementKind::MirrorSession))
        if (auto m = sessionMirror(*ms, inSession))
            m_state.mirrors.push_back(std::move(*m));
    for (const Bridge &b : m_state.bridges)
        if (auto m = roleMirror(b, inSession))
            m_state.mirrors.push_back(std::move(*m));
}

// A session on one of this host's switches; its vNICs are then `inSession`.
std::optional<Mirror> StateBuilder::sessionMirror(const Element &ms, QSet<QString> &inSession)
{
    const Bridge *b = m_bridgeOf.value(ms.value(key::switch_).toString());
    const QString destination = ms.value(key::destination).toString();
    const QString output = m_names.of(destination);
    if (!b || output.isEmpty() || !b->port(output))
        return std::nullopt;
    Mirror m;
    // A name Open vSwitch cannot be given safely ("--", a newline) gives way to the id, which is
    // always a valid mirror name (isValidId).
    m.name = isValidMirrorName(ms.name()) ? ms.name() : ms.id;
    m.bridge = b->name;
    m.elementId = ms.id;
    m.output = output;
    inSession.insert(destination);
    for (const QJsonValue &src : ms.value(key::sources).toArray()) {
        const QString port = m_names.of(src.toString());
        if (!port.isEmpty() && b->port(port) && port != output) {
            m.selectSrc << port;
            inSession.insert(src.toString());
        }
    }
    m.selectDst = m.selectSrc;
    if (m.selectSrc.isEmpty())
        return std::nullopt;
    return m;
}

// The switch's vNICs outside sessions with mirroring role Source, to the first Destination.
std::optional<Mirror> StateBuilder::roleMirror(const Bridge &b,
                                               const QSet<QString> &inSession) const
{
    Mirror m;
    for (const Port &p : b.ports) {
        const Element *vnic = m_design.find(p.elementId);
        if (!vnic || vnic->kind != ElementKind::VirtualNic || inSession.contains(vnic->id))
            continue;
        const QString role = vnic->value(key::mirroringRole).toString();
        if (role == value::source)
            m.selectSrc << p.name;
        else if (role == value::destination && m.output.isEmpty())
            m.output = p.name;
    }
    if (m.selectSrc.isEmpty() || m.output.isEmpty())
        return std::nullopt;
    const Element *sw = m_design.find(b.elementId);
    const QString preferred = (sw ? sw->name() : b.name) + QStringLiteral(" mirroring");
    m.name = isValidMirrorName(preferred) ? preferred : b.name + QStringLiteral(" mirroring");
    m.bridge = b.name;
    m.elementId = b.elementId;
    m.selectDst = m.selectSrc;
    return m;
}

} // namespace

QString hostInterfaceName(const Design &design, const QString &elementId)
{
    const Element *e = design.find(elementId);
    if (!e)
        return {};
    const Element *host = core::hostOf(design, *e);
    if (!host)
        return {};
    auto state = desiredState(design, host->id);
    if (!state)
        return {};
    for (const Bridge &b : state->bridges) {
        if (b.elementId == elementId)
            return b.name;
        for (const Port &p : b.ports)
            if (p.elementId == elementId)
                return p.name;
    }
    return {};
}

Result<HostState> desiredState(const Design &design, const QString &hostId)
{
    const Element *host = design.find(hostId);
    if (!host || host->kind != ElementKind::Host)
        return core::fail(core::Error::Code::NotFound,
                          QStringLiteral("no host with id \"%1\" in the design").arg(hostId));
    if (host->value(key::platform).toString() != value::linuxOvs)
        return core::invalid(
            QStringLiteral("%1 is not a linux-ovs host: it is realized by a bundle, not an agent")
                .arg(core::describe(*host)));
    return StateBuilder(design, *host).build();
}

} // namespace converge::core::realize
