#include "desiredstate.h"

#include "core/model/design.h"
#include "core/model/newelements.h"
#include "core/util/ipaddress.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QSet>

namespace converge::core::realize {

using core::Design;
using core::Element;
using core::ElementKind;

namespace {

QString hashedName(const QString &id)
{
    return QStringLiteral("cv") +
           QString::fromLatin1(
               QCryptographicHash::hash(id.toUtf8(), QCryptographicHash::Sha1).toHex().left(10));
}

QString preferredName(const Design &design, const Element &e)
{
    const auto str = [&](const char *key) {
        return e.value(QLatin1String(key)).toString();
    };
    switch (e.kind) {
    case ElementKind::PhysicalNic:
        return str("interfaceName");
    case ElementKind::VirtualNic: {
        if (!str("hostInterface").isEmpty())
            return str("hostInterface");
        const Element *owner = design.find(e.parent);
        if (owner && owner->kind == ElementKind::VirtualMachine)
            return owner->name() + QLatin1Char('-') + e.name();
        return e.name();
    }
    default:
        return e.name();
    }
}

// Hands out host interface names, unique per host.
class Names
{
public:
    explicit Names(const Design &design)
        : m_design(design)
    {
    }

    Result<QString> claim(const Element &e)
    {
        QString name = preferredName(m_design, e);
        if (!isValidInterfaceName(name) || m_used.contains(name))
            name = hashedName(e.id);
        if (m_used.contains(name))
            return core::invalid(
                QStringLiteral("%1: its host interface name \"%2\" is already taken")
                    .arg(core::describe(e), name));
        m_used.insert(name);
        m_byId.insert(e.id, name);
        return name;
    }
    QString of(const QString &id) const { return m_byId.value(id); }

private:
    const Design &m_design;
    QSet<QString> m_used;
    QHash<QString, QString> m_byId;
};

std::vector<const Element *> onHost(const Design &design, ElementKind kind, const Element &host)
{
    std::vector<const Element *> out;
    for (const Element *e : design.elements(kind))
        if (core::hostOf(design, *e) == &host)
            out.push_back(e);
    return out;
}

QList<int> intList(const QJsonValue &v)
{
    QList<int> out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toInt());
    return out;
}

QString networkForm(const QString &prefix)
{
    const auto p = core::IpPrefix::parse(prefix);
    if (!p)
        return {};
    return p->network().address.toString() + QLatin1Char('/') + QString::number(p->length);
}

QList<Acl> aclsOf(const Element &vnic, QStringList &notes)
{
    QList<Acl> out;
    const QJsonArray records = vnic.value(QLatin1String("acls")).toArray();
    for (const QJsonValue &rv : records) {
        const QJsonObject r = rv.toObject();
        Acl a;
        a.action = r.value(QLatin1String("action")).toString().toLower();
        a.localPrefix = networkForm(r.value(QLatin1String("localAddress")).toString());
        a.remotePrefix = networkForm(r.value(QLatin1String("remoteAddress")).toString());
        a.localMac = canonicalMac(r.value(QLatin1String("localMac")).toString());
        a.remoteMac = canonicalMac(r.value(QLatin1String("remoteMac")).toString());
        const QString protocol = r.value(QLatin1String("protocol")).toString();
        a.protocol = protocol == QLatin1String("Any") ? QString() : protocol.toLower();
        a.localPorts = intList(r.value(QLatin1String("localPorts")));
        a.remotePorts = intList(r.value(QLatin1String("remotePorts")));
        a.weight = r.value(QLatin1String("weight")).toInt();
        if (r.value(QLatin1String("stateful")).toBool())
            notes << QStringLiteral("%1: stateful ACLs are enforced as stateless flows")
                         .arg(core::describe(vnic));
        const QString direction = r.value(QLatin1String("direction")).toString();
        if (direction != QLatin1String("Inbound")) {
            a.direction = QStringLiteral("out");
            out.append(a);
        }
        if (direction != QLatin1String("Outbound")) {
            a.direction = QStringLiteral("in");
            out.append(a);
        }
    }
    return out;
}

void applyVlan(const Element &vnic, Port &p)
{
    const QString mode = vnic.value(QLatin1String("vlanMode")).toString();
    const auto num = [&](const char *key) {
        const QJsonValue v = vnic.value(QLatin1String(key));
        return v.isDouble() ? v.toInt() : -1;
    };
    if (mode == QLatin1String("Access")) {
        p.vlanMode = QStringLiteral("access");
        p.tag = num("accessVlan");
    } else if (mode == QLatin1String("Trunk")) {
        p.trunks = intList(vnic.value(QLatin1String("trunkVlans")));
        p.tag = num("nativeVlan");
        p.vlanMode = p.tag >= 0 ? QStringLiteral("native-untagged") : QStringLiteral("trunk");
    } else if (mode == QLatin1String("Pvlan")) {
        p.vlanMode = QStringLiteral("access");
        p.tag = num("pvlanPrimary");
        const QString pm = vnic.value(QLatin1String("pvlanMode")).toString();
        p.isolated = pm == QLatin1String("Isolated");
        if (pm == QLatin1String("Community"))
            p.community = num("pvlanSecondary");
    }
    if ((p.vlanMode == QLatin1String("access") || p.vlanMode == QLatin1String("native-untagged")) &&
        p.tag < 0) {
        p.vlanMode.clear(); // incomplete in the design: validation reports it
        p.tag = -1;
    }
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
    if (host->value(QLatin1String("platform")).toString() != QLatin1String("linux-ovs"))
        return core::invalid(
            QStringLiteral("%1 is not a linux-ovs host: it is realized by a bundle, not an agent")
                .arg(core::describe(*host)));

    HostState state;
    state.host = host->name();
    Names names(design);
    QHash<QString, Bridge *> bridgeOf; // switch id -> bridge

    const auto switches = onHost(design, ElementKind::VirtualSwitch, *host);
    state.bridges.reserve(switches.size());
    for (const Element *sw : switches) {
        auto name = names.claim(*sw);
        if (!name)
            return std::unexpected(name.error());
        Bridge b;
        b.name = *name;
        b.elementId = sw->id;
        b.sriov = sw->value(QLatin1String("sriov")).toBool();
        if (sw->value(QLatin1String("minimumBandwidthMode")).toString() ==
                QLatin1String("Weight") ||
            sw->value(QLatin1String("minimumBandwidthMode")).toString() ==
                QLatin1String("Absolute"))
            state.notes << QStringLiteral("%1: minimum bandwidth is not enforced by Open vSwitch "
                                          "(only maximum rates are)")
                               .arg(core::describe(*sw));
        if (b.sriov)
            state.notes << QStringLiteral("%1: SR-IOV is recorded but Open vSwitch bridges do "
                                          "not offload to virtual functions")
                               .arg(core::describe(*sw));
        state.bridges.push_back(std::move(b));
    }
    for (std::size_t i = 0; i < switches.size(); ++i)
        bridgeOf.insert(switches[i]->id, &state.bridges[i]);

    // Uplinks: a NIC or a team (bond) on external switches.
    for (const Element *sw : switches) {
        if (sw->value(QLatin1String("type")).toString() != QLatin1String("External"))
            continue;
        const Element *uplink = design.find(sw->value(QLatin1String("uplink")).toString());
        if (!uplink)
            continue;
        Port p;
        p.elementId = uplink->id;
        if (uplink->kind == ElementKind::PhysicalNic) {
            auto name = names.claim(*uplink);
            if (!name)
                return std::unexpected(name.error());
            p.name = *name;
            p.mtu = uplink->value(QLatin1String("mtu")).toInt();
        } else if (uplink->kind == ElementKind::Team) {
            auto name = names.claim(*uplink);
            if (!name)
                return std::unexpected(name.error());
            p.name = *name;
            p.type = Port::Type::Bond;
            const QString standby = uplink->value(QLatin1String("standbyMember")).toString();
            for (const QJsonValue &m : uplink->value(QLatin1String("members")).toArray()) {
                const Element *nic = design.find(m.toString());
                if (!nic || nic->kind != ElementKind::PhysicalNic)
                    continue;
                auto member = names.claim(*nic);
                if (!member)
                    return std::unexpected(member.error());
                p.members << *member;
                if (p.bondPrimary.isEmpty() && nic->id != standby && !standby.isEmpty())
                    p.bondPrimary = *member;
                p.mtu = std::max(p.mtu, nic->value(QLatin1String("mtu")).toInt());
            }
            const QString mode = uplink->value(QLatin1String("mode")).toString();
            if (mode == QLatin1String("LACP")) {
                p.bondMode = QStringLiteral("balance-tcp");
                p.lacp = true;
            } else if (!standby.isEmpty()) {
                p.bondMode = QStringLiteral("active-backup");
            } else {
                p.bondMode = QStringLiteral("balance-slb");
                if (mode == QLatin1String("Static"))
                    state.notes << QStringLiteral("%1: a static team is realized as a "
                                                  "switch-independent balance-slb bond")
                                       .arg(core::describe(*uplink));
            }
            if (p.members.size() < 2) {
                state.notes << QStringLiteral("%1 has fewer than two NICs: not realized")
                                   .arg(core::describe(*uplink));
                continue;
            }
        } else {
            continue;
        }
        bridgeOf.value(sw->id)->ports.push_back(std::move(p));
    }

    // vNICs: management OS (internal ports) and VMs (their tap/veth).
    for (const Element *vnic : onHost(design, ElementKind::VirtualNic, *host)) {
        Bridge *b = bridgeOf.value(vnic->value(QLatin1String("switch")).toString());
        if (!b)
            continue;
        auto name = names.claim(*vnic);
        if (!name)
            return std::unexpected(name.error());
        const Element *owner = design.find(vnic->parent);
        Port p;
        p.name = *name;
        p.elementId = vnic->id;
        p.type =
            owner && owner->kind == ElementKind::Host ? Port::Type::Internal : Port::Type::System;
        applyVlan(*vnic, p);
        const QJsonValue maxBw = vnic->value(QLatin1String("maximumBandwidth"));
        if (maxBw.isDouble() && maxBw.toDouble() >= 1000)
            p.maxRateKbps = static_cast<qint64>(maxBw.toDouble() / 1000);
        p.mtu = vnic->value(QLatin1String("mtu")).toInt();
        p.mac = canonicalMac(vnic->value(QLatin1String("mac")).toString());
        const QJsonValue spoofing = vnic->value(QLatin1String("macSpoofing"));
        if (spoofing.isBool() && !spoofing.toBool()) {
            if (p.mac.isEmpty())
                state.notes << QStringLiteral("%1: MAC spoofing cannot be blocked without a MAC "
                                              "address")
                                   .arg(core::describe(*vnic));
            else
                p.macSpoofing = false;
        }
        p.dhcpGuard = vnic->value(QLatin1String("dhcpGuard")).toBool();
        p.routerGuard = vnic->value(QLatin1String("routerGuard")).toBool();
        p.acls = aclsOf(*vnic, state.notes);
        if (p.mac.isEmpty()) {
            const auto before = p.acls.size();
            p.acls.removeIf([](const Acl &a) { return a.direction == QLatin1String("in"); });
            if (p.acls.size() != before)
                state.notes << QStringLiteral("%1: inbound ACLs need the vNIC's MAC address: "
                                              "not realized")
                                   .arg(core::describe(*vnic));
        }
        if (p.community >= 0 && p.mac.isEmpty())
            state.notes << QStringLiteral("%1: community PVLAN ports need MAC addresses")
                               .arg(core::describe(*vnic));
        if (vnic->value(QLatin1String("minimumBandwidthWeight")).toInt() > 0 ||
            vnic->value(QLatin1String("minimumBandwidthAbsolute")).toDouble() > 0)
            state.notes << QStringLiteral("%1: minimum bandwidth is not enforced by Open vSwitch")
                               .arg(core::describe(*vnic));
        if (p.type == Port::Type::Internal) {
            for (const QJsonValue &a : vnic->value(QLatin1String("addresses")).toArray()) {
                const auto prefix = core::IpPrefix::parse(a.toString());
                if (prefix)
                    p.addresses << prefix->address.toString() + QLatin1Char('/') +
                                       QString::number(prefix->length);
            }
        } else if (vnic->value(QLatin1String("hostInterface")).toString().isEmpty()) {
            state.notes << QStringLiteral("%1 has no host interface: its port is named \"%2\", "
                                          "the VM's tap or veth must have that name")
                               .arg(core::describe(*vnic), p.name);
        }
        b->ports.push_back(std::move(p));
    }

    // Mirror sessions; vNICs with a mirroring role but no session form one per switch.
    QSet<QString> inSession;
    for (const Element *ms : design.elements(ElementKind::MirrorSession)) {
        Bridge *b = bridgeOf.value(ms->value(QLatin1String("switch")).toString()); // on this host
        const QString output = names.of(ms->value(QLatin1String("destination")).toString());
        if (!b || output.isEmpty() || !b->port(output))
            continue;
        Mirror m;
        m.name = ms->name().isEmpty() ? ms->id : ms->name();
        m.bridge = b->name;
        m.elementId = ms->id;
        m.output = output;
        inSession.insert(ms->value(QLatin1String("destination")).toString());
        for (const QJsonValue &src : ms->value(QLatin1String("sources")).toArray()) {
            const QString port = names.of(src.toString());
            if (!port.isEmpty() && b->port(port) && port != output) {
                m.selectSrc << port;
                inSession.insert(src.toString());
            }
        }
        m.selectDst = m.selectSrc;
        if (!m.selectSrc.isEmpty())
            state.mirrors.push_back(std::move(m));
    }
    for (Bridge &b : state.bridges) {
        Mirror m;
        const Element *sw = design.find(b.elementId);
        for (const Port &p : b.ports) {
            const Element *vnic = design.find(p.elementId);
            if (!vnic || vnic->kind != ElementKind::VirtualNic || inSession.contains(vnic->id))
                continue;
            const QString role = vnic->value(QLatin1String("mirroringRole")).toString();
            if (role == QLatin1String("Source"))
                m.selectSrc << p.name;
            else if (role == QLatin1String("Destination") && m.output.isEmpty())
                m.output = p.name;
        }
        if (m.selectSrc.isEmpty() || m.output.isEmpty())
            continue;
        m.name = (sw ? sw->name() : b.name) + QStringLiteral(" mirroring");
        m.bridge = b.name;
        m.elementId = b.elementId;
        m.selectDst = m.selectSrc;
        state.mirrors.push_back(std::move(m));
    }

    state.normalize();
    // The form the agent accepts is the form we produce: check it the way the agent will.
    auto checked = HostState::fromJson(state.toJson());
    if (!checked)
        return core::invalid(
            QStringLiteral("host %1: %2").arg(host->name(), checked.error().message));
    return state;
}

} // namespace converge::core::realize
