// Reading the host-state form (HostState::fromJson, Port::setPolicyJson): one table of field
// descriptors per JSON object, read by HostStateReader::readFields(), then the checks between
// fields.
#include "flows.h"
#include "hoststatereader.h"

#include "core/model/limits.h"
#include "core/util/ipaddress.h"

#include <QSet>

#include <algorithm>

namespace converge::core::realize {

namespace {

// The tables. Their order is the order fields are checked in, so it decides which error of
// several is reported.

std::span<const Field<HostState>> hostStateFields()
{
    static const Field<HostState> fields[] = {
        {&HostState::host, {.key = "host"}},
        {&HostState::notes, {.key = "notes"}},
        {&HostState::unmanagedBridges, {.key = "unmanagedBridges"}},
        {{}, {.key = "bridges"}},
        {{}, {.key = "mirrors"}},
    };
    return fields;
}

std::span<const Field<Bridge>> bridgeFields()
{
    static const Field<Bridge> fields[] = {
        {&Bridge::name, {.key = "name", .required = true, .check = FieldCheck::InterfaceName}},
        {&Bridge::elementId, {.key = "elementId"}},
        {&Bridge::datapathType,
         {.key = "datapathType",
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("system"), QStringLiteral("netdev")}}},
        {&Bridge::sriov, {.key = "sriov"}},
        {&Bridge::flowsDigest, {.key = "flowsDigest"}},
        {&Bridge::providerAddress, {.key = "providerAddress"}},
        {{}, {.key = "ports"}},
        {{}, {.key = "pvlans"}},
        {{}, {.key = "overlays"}},
    };
    return fields;
}

std::span<const Field<Port>> portFields()
{
    static const Field<Port> fields[] = {
        {&Port::name, {.key = "name", .required = true, .check = FieldCheck::InterfaceName}},
        {&Port::type,
         {.key = "type",
          .required = true,
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("system"), QStringLiteral("internal"), QStringLiteral("bond"),
                      QStringLiteral("vxlan"), QStringLiteral("gre")}}},
        {&Port::elementId, {.key = "elementId"}},
        {&Port::members, {.key = "members"}},
        {&Port::bondMode,
         {.key = "bondMode",
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("active-backup"), QStringLiteral("balance-slb"),
                      QStringLiteral("balance-tcp")}}},
        {&Port::lacp, {.key = "lacp"}},
        {&Port::bondPrimary, {.key = "bondPrimary", .check = FieldCheck::InterfaceName}},
        {&Port::vlanMode,
         {.key = "vlanMode",
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("access"), QStringLiteral("trunk"),
                      QStringLiteral("native-untagged")}}},
        {&Port::tag, {.key = "tag", .check = FieldCheck::Vlan}},
        {&Port::trunks, {.key = "trunks", .min = 0, .max = 4094, .what = "a VLAN id"}},
        {&Port::isolated, {.key = "isolated"}},
        {&Port::uplink, {.key = "uplink"}},
        {&Port::maxRateKbps, {.key = "maxRateKbps", .min = 0, .max = 1'000'000'000}},
        {&Port::mtu, {.key = "mtu", .min = 68, .max = 65535}},
        {&Port::addresses, {.key = "addresses"}},
        {{}, {.key = "policy"}},
    };
    return fields;
}

std::span<const Field<Mirror>> mirrorFields()
{
    static const Field<Mirror> fields[] = {
        {&Mirror::name, {.key = "name", .required = true}},
        {&Mirror::bridge, {.key = "bridge", .required = true}},
        {&Mirror::elementId, {.key = "elementId"}},
        {&Mirror::selectSrc, {.key = "selectSrc"}},
        {&Mirror::selectDst, {.key = "selectDst"}},
        {&Mirror::output, {.key = "output", .required = true}},
    };
    return fields;
}

std::span<const Field<Port>> policyFields()
{
    static const Field<Port> fields[] = {
        {&Port::mac, {.key = "mac", .check = FieldCheck::Mac}},
        {&Port::macSpoofing, {.key = "macSpoofing"}},
        {&Port::dhcpGuard, {.key = "dhcpGuard"}},
        {&Port::routerGuard, {.key = "routerGuard"}},
        {&Port::community, {.key = "community", .check = FieldCheck::Vlan}},
        {&Port::pvlanPrimary, {.key = "pvlanPrimary", .check = FieldCheck::Vlan}},
        {&Port::vsid, {.key = "vsid", .min = 1, .max = 16777215}},
        {&Port::encapsulation,
         {.key = "encapsulation",
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("vxlan"), QStringLiteral("nvgre")}}},
        {{}, {.key = "acls"}},
    };
    return fields;
}

std::span<const Field<Acl>> aclFields()
{
    static const Field<Acl> fields[] = {
        {&Acl::direction,
         {.key = "direction",
          .required = true,
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("in"), QStringLiteral("out")}}},
        {&Acl::action,
         {.key = "action",
          .required = true,
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("allow"), QStringLiteral("deny"), QStringLiteral("meter")}}},
        {&Acl::localPrefix, {.key = "localPrefix", .check = FieldCheck::Prefix}},
        {&Acl::remotePrefix, {.key = "remotePrefix", .check = FieldCheck::Prefix}},
        {&Acl::localMac, {.key = "localMac", .check = FieldCheck::Mac}},
        {&Acl::remoteMac, {.key = "remoteMac", .check = FieldCheck::Mac}},
        {&Acl::protocol,
         {.key = "protocol",
          .check = FieldCheck::OneOf,
          .choices = {QStringLiteral("tcp"), QStringLiteral("udp"), QStringLiteral("icmp")}}},
        {&Acl::localPorts,
         {.key = "localPorts", .min = 1, .max = 65535, .what = "a port", .maxItems = maxAclPorts}},
        {&Acl::remotePorts,
         {.key = "remotePorts", .min = 1, .max = 65535, .what = "a port", .maxItems = maxAclPorts}},
        {&Acl::weight, {.key = "weight", .min = 0, .max = 65535}},
    };
    return fields;
}

bool sameVersion(const QString &a, const QString &b)
{
    return a.isEmpty() || b.isEmpty() ||
           a.contains(QLatin1Char(':')) == b.contains(QLatin1Char(':'));
}

bool hasTransport(const Acl &a)
{
    return a.protocol == QLatin1String("tcp") || a.protocol == QLatin1String("udp");
}

Result<Acl> aclFromJson(const QJsonObject &o, const QString &path)
{
    HostStateReader r(o, path);
    Acl a;
    r.readFields(aclFields(), a);
    // Without a transport protocol Open vSwitch ignores a port match, widening the rule to all
    // traffic.
    if (r.ok() && (!a.localPorts.isEmpty() || !a.remotePorts.isEmpty()) && !hasTransport(a))
        r.fail(a.localPorts.isEmpty() ? QStringLiteral("remotePorts")
                                      : QStringLiteral("localPorts"),
               QStringLiteral("ports need protocol \"tcp\" or \"udp\""));
    r.checkKeys(aclFields());
    if (r.ok() && !sameVersion(a.localPrefix, a.remotePrefix))
        r.fail(QStringLiteral("remotePrefix"),
               QStringLiteral("mixes IPv4 and IPv6 with localPrefix"));
    if (!r.ok())
        return core::invalid(r.error());
    return a;
}

// Checks between the policy's fields: what spoofing and inbound ACLs need.
void checkPolicy(HostStateReader &r, const Port &p)
{
    if (r.ok() && !p.macSpoofing && p.mac.isEmpty())
        r.fail(QStringLiteral("macSpoofing"),
               QStringLiteral("spoofing can only be turned off for a port with a MAC address"));
    for (qsizetype i = 0; r.ok() && i < p.acls.size(); ++i)
        if (p.acls[i].direction == QLatin1String("in") && p.mac.isEmpty())
            r.fail(QStringLiteral("acls[%1]").arg(i),
                   QStringLiteral("an inbound ACL needs the port's MAC address"));
}

// Bridges and ports share the host's interface namespace; bond members are in it too.
struct Names
{
    QSet<QString> interfaces;
    QSet<QString> bondMembers;
};

// Addresses are kept as address/length (not in network form): they are the port's own.
void readAddresses(HostStateReader &r, Port &p)
{
    for (qsizetype i = 0; r.ok() && i < p.addresses.size(); ++i) {
        const auto prefix = core::IpPrefix::parse(p.addresses[i]);
        if (!prefix)
            r.fail(
                QStringLiteral("addresses[%1]").arg(i),
                QStringLiteral("\"%1\" is not an address with prefix length").arg(p.addresses[i]));
        else
            p.addresses[i] =
                prefix->address.toString() + QLatin1Char('/') + QString::number(prefix->length);
    }
    if (r.ok() && !p.addresses.isEmpty() && p.type != Port::Type::Internal)
        r.fail(QStringLiteral("addresses"),
               QStringLiteral("only internal ports (management-OS vNICs) have addresses"));
}

// The port's "policy" object, when there is one (null is not one: it is not an object).
Result<void> readPolicy(HostStateReader &r, const QJsonObject &o, Port &p)
{
    const QString key = QStringLiteral("policy");
    if (r.ok() && o.value(key).isObject())
        return p.setPolicyJson(o.value(key).toObject(), r.where(key));
    if (r.ok() && o.contains(key))
        r.fail(key, QStringLiteral("must be an object"));
    return {};
}

void checkBondMembers(HostStateReader &r, const Port &p, Names &names)
{
    for (qsizetype i = 0; r.ok() && i < p.members.size(); ++i) {
        const QString &m = p.members[i];
        if (!isValidInterfaceName(m))
            r.fail(QStringLiteral("members[%1]").arg(i),
                   QStringLiteral("\"%1\" is not a valid interface name").arg(m));
        else if (names.interfaces.contains(m) || names.bondMembers.contains(m))
            r.fail(QStringLiteral("members[%1]").arg(i),
                   QStringLiteral("\"%1\" is used twice").arg(m));
        names.bondMembers.insert(m);
    }
}

void checkBond(HostStateReader &r, const Port &p, Names &names)
{
    // Open vSwitch polices and filters (flows match in_port) a bond's members, not the bond:
    // the planner realizes neither for bonds.
    if (p.maxRateKbps > 0)
        r.fail(QStringLiteral("maxRateKbps"), QStringLiteral("a bond has no maximum rate"));
    if (!p.policyJson().isEmpty())
        r.fail(QStringLiteral("policy"),
               QStringLiteral("a bond has no MAC, guards, PVLAN community or ACLs"));
    if (p.members.size() < 2)
        r.fail(QStringLiteral("members"), QStringLiteral("a bond needs at least two members"));
    if (p.bondMode.isEmpty())
        r.fail(QStringLiteral("bondMode"), QStringLiteral("is required for a bond"));
    checkBondMembers(r, p, names);
    if (r.ok() && !p.bondPrimary.isEmpty() && !p.members.contains(p.bondPrimary))
        r.fail(QStringLiteral("bondPrimary"),
               QStringLiteral("\"%1\" is not a member").arg(p.bondPrimary));
}

// Bond settings belong to bonds, and a bond needs them.
void checkBonding(HostStateReader &r, const Port &p, Names &names)
{
    if (!r.ok())
        return;
    if (p.type == Port::Type::Bond)
        checkBond(r, p, names);
    else if (!p.members.isEmpty() || !p.bondMode.isEmpty() || p.lacp || !p.bondPrimary.isEmpty())
        r.fail(QStringLiteral("type"),
               QStringLiteral("members and bond settings need type \"bond\""));
}

// The VLAN mode and the tag and trunks it needs or excludes.
// An isolated or community port is an access port of its secondary VLAN in a primary one.
void checkPvlan(HostStateReader &r, const Port &p)
{
    const bool member = p.isolated || p.community >= 0;
    if (p.pvlanPrimary >= 0 && !member)
        r.fail(QStringLiteral("policy.pvlanPrimary"),
               QStringLiteral("only isolated and community ports have a primary VLAN"));
    else if (p.community >= 0 && p.community != p.tag)
        r.fail(QStringLiteral("policy.community"),
               QStringLiteral("a community port's tag is its community VLAN"));
    else if (p.pvlanPrimary >= 0 && p.pvlanPrimary == p.tag)
        r.fail(QStringLiteral("policy.pvlanPrimary"),
               QStringLiteral("the primary VLAN differs from the port's own (secondary) VLAN"));
}

// A network-virtualized vNIC's port: a VM's, with its VM network's VSID and encapsulation and no
// VLANs of its own (it goes on the host as an access port of overlayVlan).
void checkOverlayPort(HostStateReader &r, const Port &p)
{
    if (p.vsid < 0 && p.encapsulation.isEmpty())
        return;
    if (p.vsid < 0 || p.encapsulation.isEmpty())
        r.fail(QStringLiteral("policy"),
               QStringLiteral("an overlay port needs both vsid and encapsulation"));
    else if (p.type != Port::Type::System)
        r.fail(QStringLiteral("policy.vsid"), QStringLiteral("only a VM's port joins an overlay"));
    else if (!p.vlanMode.isEmpty() || p.tag >= 0 || !p.trunks.isEmpty() || p.isolated ||
             p.community >= 0 || p.pvlanPrimary >= 0)
        r.fail(QStringLiteral("vlanMode"),
               QStringLiteral("an overlay port has no VLANs (its frames travel in tunnels)"));
}

// A tunnel port is the bridge's, named for its encapsulation, with nothing of a vNIC's.
void checkTunnelPort(HostStateReader &r, const Port &p)
{
    const QString encapsulation =
        p.type == Port::Type::Vxlan ? QStringLiteral("vxlan") : QStringLiteral("nvgre");
    if (p.name != tunnelPortName(encapsulation))
        r.fail(QStringLiteral("name"), QStringLiteral("a %1 tunnel port is named \"%2\"")
                                           .arg(typeName(p.type), tunnelPortName(encapsulation)));
    else if (!p.vlanMode.isEmpty() || p.tag >= 0 || !p.trunks.isEmpty() || p.maxRateKbps > 0 ||
             !p.policyJson().isEmpty() || p.uplink)
        r.fail(QStringLiteral("type"),
               QStringLiteral("a tunnel port has no VLANs, rate, policy or uplink role"));
}

void checkVlans(HostStateReader &r, const Port &p)
{
    if (!r.ok())
        return;
    if (p.type == Port::Type::Vxlan || p.type == Port::Type::Gre)
        return checkTunnelPort(r, p);
    checkOverlayPort(r, p);
    if (!r.ok())
        return;
    const bool tagged = p.tag >= 0;
    if (p.vlanMode == QLatin1String("access") && !tagged)
        r.fail(QStringLiteral("tag"), QStringLiteral("an access port needs a tag"));
    else if (p.vlanMode == QLatin1String("trunk") && tagged)
        r.fail(QStringLiteral("tag"),
               QStringLiteral("a trunk port has no tag (use native-untagged)"));
    else if (p.vlanMode.isEmpty() && (tagged || !p.trunks.isEmpty()))
        r.fail(QStringLiteral("vlanMode"), QStringLiteral("is required with a tag or trunks"));
    else if (p.vlanMode == QLatin1String("native-untagged") && !tagged)
        r.fail(QStringLiteral("tag"), QStringLiteral("native-untagged needs a tag"));
    else if (p.vlanMode == QLatin1String("access") && !p.trunks.isEmpty())
        r.fail(QStringLiteral("trunks"), QStringLiteral("an access port carries no trunks"));
    else
        checkPvlan(r, p);
}

void claimPortName(HostStateReader &r, const Port &p, Names &names)
{
    if (r.ok() && names.interfaces.contains(p.name))
        r.fail(QStringLiteral("name"), QStringLiteral("\"%1\" is used twice").arg(p.name));
    if (r.ok() && names.bondMembers.contains(p.name) && p.type != Port::Type::Bond)
        r.fail(QStringLiteral("name"),
               QStringLiteral("\"%1\" is already a bond member").arg(p.name));
    names.interfaces.insert(p.name);
}

Result<Port> portFromJson(const QJsonObject &o, const QString &path, Names &names)
{
    HostStateReader r(o, path);
    Port p;
    r.readFields(portFields(), p);
    r.checkKeys(portFields());
    readAddresses(r, p);
    if (auto policy = readPolicy(r, o, p); !policy)
        return std::unexpected(policy.error());
    checkBonding(r, p, names);
    checkVlans(r, p);
    claimPortName(r, p, names);
    if (!r.ok())
        return core::invalid(r.error());
    return p;
}

// The provider address (address/length, as it is on the bridge's interface) and the overlays,
// whose tunnels need the bridge's tunnel port of their encapsulation.
Result<Bridge> readOverlays(HostStateReader &r, Bridge &b)
{
    if (!b.providerAddress.isEmpty()) {
        const auto pa = core::IpPrefix::parse(b.providerAddress);
        if (!pa || pa->address.v6)
            return core::invalid(r.where(QStringLiteral("providerAddress")) +
                                 QStringLiteral(": \"%1\" is not an IPv4 address with prefix "
                                                "length")
                                     .arg(b.providerAddress));
        b.providerAddress = pa->address.toString() + QLatin1Char('/') + QString::number(pa->length);
    }
    auto overlays =
        overlaysFromJson(r.array(QStringLiteral("overlays")), r.where(QStringLiteral("overlays")));
    if (!overlays)
        return std::unexpected(overlays.error());
    if (!r.ok())
        return core::invalid(r.error());
    for (std::size_t i = 0; i < overlays->size(); ++i) {
        const Overlay &o = (*overlays)[i];
        if (!o.remotes.empty() && !b.port(tunnelPortName(o.encapsulation)))
            return core::invalid(QStringLiteral("%1[%2]: tunnels need the bridge's port \"%3\"")
                                     .arg(r.where(QStringLiteral("overlays")))
                                     .arg(i)
                                     .arg(tunnelPortName(o.encapsulation)));
    }
    b.overlays = std::move(*overlays);
    return b;
}

// The bridge's flow table fits maxBridgeFlows. The ACLs are counted first, without making their
// flows, so an oversized request costs no more than its port lists; the error names the port
// whose ACLs make the most flows.
void checkFlowTable(HostStateReader &r, const Bridge &b)
{
    qsizetype acl = 0, most = 0;
    QString where = QStringLiteral("ports");
    for (qsizetype i = 0; i < qsizetype(b.ports.size()); ++i) {
        const qsizetype n = aclFlowCount(b.ports[i]);
        acl += n;
        if (n > most)
            most = n, where = QStringLiteral("ports[%1].policy.acls").arg(i);
    }
    const qsizetype total = acl > maxBridgeFlows ? acl : qsizetype(bridgeFlows(b).size());
    if (total > maxBridgeFlows)
        r.fail(where, QStringLiteral("the flow table of bridge %1 would hold %2 flows, more than "
                                     "the %3 a bridge may hold (these ACLs make %4)")
                          .arg(b.name)
                          .arg(total)
                          .arg(maxBridgeFlows)
                          .arg(most));
}

Result<Bridge> bridgeFromJson(const QJsonObject &o, const QString &path, Names &names)
{
    HostStateReader r(o, path);
    Bridge b;
    r.readFields(bridgeFields(), b);
    r.checkKeys(bridgeFields());
    if (r.ok() && names.interfaces.contains(b.name))
        r.fail(QStringLiteral("name"), QStringLiteral("\"%1\" is used twice").arg(b.name));
    names.interfaces.insert(b.name);
    auto ports = r.readObjects<Port>(QStringLiteral("ports"),
                                     [&](const QJsonObject &po, const QString &portPath) {
                                         return portFromJson(po, portPath, names);
                                     });
    if (!ports)
        return std::unexpected(ports.error());
    if (!r.ok())
        return core::invalid(r.error());
    b.ports = std::move(*ports);
    auto pvlans =
        pvlansFromJson(r.array(QStringLiteral("pvlans")), r.where(QStringLiteral("pvlans")));
    if (!pvlans)
        return std::unexpected(pvlans.error());
    if (!r.ok())
        return core::invalid(r.error());
    b.pvlans = std::move(*pvlans);
    auto done = readOverlays(r, b);
    if (done)
        checkFlowTable(r, *done);
    if (!r.ok())
        return core::invalid(r.error());
    return done;
}

// A mirror's ports are ports of its bridge; its output is not also one of its sources.
void checkMirrorPorts(HostStateReader &r, const Mirror &m, const HostState &s)
{
    const Bridge *b = r.ok() ? s.bridge(m.bridge) : nullptr;
    if (r.ok() && !b)
        r.fail(QStringLiteral("bridge"),
               QStringLiteral("\"%1\" is not one of the bridges").arg(m.bridge));
    const auto checkPort = [&](const QString &key, const QString &port) {
        if (r.ok() && !b->port(port))
            r.fail(key,
                   QStringLiteral("\"%1\" is not a port of bridge \"%2\"").arg(port, m.bridge));
    };
    checkPort(QStringLiteral("output"), m.output);
    for (const QString &p : m.selectSrc)
        checkPort(QStringLiteral("selectSrc"), p);
    for (const QString &p : m.selectDst)
        checkPort(QStringLiteral("selectDst"), p);
    if (r.ok() && (m.selectSrc.contains(m.output) || m.selectDst.contains(m.output)))
        r.fail(QStringLiteral("output"), QStringLiteral("the output port cannot also be mirrored"));
    if (r.ok() && m.selectSrc.isEmpty() && m.selectDst.isEmpty())
        r.fail(QStringLiteral("selectSrc"), QStringLiteral("a mirror needs a source"));
}

Result<Mirror> mirrorFromJson(const QJsonObject &o, const QString &path, const HostState &s,
                              QSet<QString> &mirrorNames)
{
    HostStateReader r(o, path);
    Mirror m;
    r.readFields(mirrorFields(), m);
    r.checkKeys(mirrorFields());
    if (r.ok() && (m.name.size() > 64 || mirrorNames.contains(m.name)))
        r.fail(QStringLiteral("name"),
               QStringLiteral("\"%1\" is too long or used twice").arg(m.name));
    // Present and empty is no name either; a leading '-' would reach ovs-vsctl as an option.
    if (r.ok() && !isValidMirrorName(m.name))
        r.fail(QStringLiteral("name"),
               QStringLiteral("\"%1\" is not a valid mirror name (1-64 characters, no control "
                              "characters, not starting with '-', no white space at either end)")
                   .arg(m.name));
    mirrorNames.insert(m.name);
    checkMirrorPorts(r, m, s);
    if (!r.ok())
        return core::invalid(r.error());
    return m;
}

Result<void> checkAclVersions(const HostState &s)
{
    for (const Bridge &b : s.bridges)
        for (const Port &p : b.ports)
            for (const Acl &a : p.acls)
                if (!sameVersion(a.localPrefix, a.remotePrefix))
                    return core::invalid(
                        QStringLiteral("port %1: ACL mixes IPv4 and IPv6").arg(p.name));
    return {};
}

} // namespace

Result<std::vector<PvlanDomain>> pvlansFromJson(const QJsonArray &json, const QString &path)
{
    std::vector<PvlanDomain> out;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const QString where = QStringLiteral("%1[%2]").arg(path).arg(i);
        if (!json[i].isObject())
            return core::invalid(where + QStringLiteral(": must be an object"));
        HostStateReader r(json[i].toObject(), where);
        PvlanDomain d;
        d.primary = r.vlan(QStringLiteral("primary"), -1);
        if (r.ok() && d.primary < 0)
            r.fail(QStringLiteral("primary"), QStringLiteral("is required"));
        d.isolated = r.intList(QStringLiteral("isolated"), 0, 4094, QStringLiteral("a VLAN id"));
        d.communities =
            r.intList(QStringLiteral("communities"), 0, 4094, QStringLiteral("a VLAN id"));
        r.unknownKeys(
            {QStringLiteral("primary"), QStringLiteral("isolated"), QStringLiteral("communities")});
        if (!r.ok())
            return core::invalid(r.error());
        // One domain per primary VLAN, as the console makes them: normalize() sorts by it, and
        // two would come out in no particular order (a state that no longer equals itself).
        if (std::ranges::any_of(out, [&](const PvlanDomain &o) { return o.primary == d.primary; }))
            return core::invalid(
                where + QStringLiteral(": primary VLAN %1 is listed twice").arg(d.primary));
        out.push_back(std::move(d));
    }
    return out;
}

namespace {

Result<TunnelEndpoint> endpointFromJson(const QJsonObject &o, const QString &where)
{
    HostStateReader r(o, where);
    TunnelEndpoint e;
    e.address = r.str(QStringLiteral("address"), true);
    const auto address = core::IpAddress::parse(e.address);
    if (r.ok() && (!address || address->v6))
        r.fail(QStringLiteral("address"),
               QStringLiteral("\"%1\" is not an IPv4 address").arg(e.address));
    e.macs = r.stringList(QStringLiteral("macs"));
    for (qsizetype i = 0; r.ok() && i < e.macs.size(); ++i) {
        const QString mac = canonicalMac(e.macs[i]);
        if (mac.isEmpty())
            r.fail(QStringLiteral("macs[%1]").arg(i),
                   QStringLiteral("\"%1\" is not a MAC address").arg(e.macs[i]));
        e.macs[i] = mac;
    }
    r.unknownKeys({QStringLiteral("address"), QStringLiteral("macs")});
    if (!r.ok())
        return core::invalid(r.error());
    return e;
}

// One endpoint per remote host, with all its MACs, as the console makes them: normalize() sorts
// by address, and two would come out in no particular order.
Result<void> checkRemotesOnce(const std::vector<TunnelEndpoint> &remotes, const QString &path)
{
    QSet<QString> seen;
    for (std::size_t i = 0; i < remotes.size(); ++i) {
        if (seen.contains(remotes[i].address))
            return core::invalid(QStringLiteral("%1[%2]: address %3 is listed twice")
                                     .arg(path)
                                     .arg(i)
                                     .arg(remotes[i].address));
        seen.insert(remotes[i].address);
    }
    return {};
}

Result<Overlay> overlayFromJson(const QJsonObject &o, const QString &where)
{
    HostStateReader r(o, where);
    Overlay ov;
    ov.vsid = static_cast<int>(r.integer(QStringLiteral("vsid"), 1, 16777215, -1));
    if (r.ok() && ov.vsid < 0)
        r.fail(QStringLiteral("vsid"), QStringLiteral("is required"));
    ov.encapsulation = r.oneOf(QStringLiteral("encapsulation"),
                               {QStringLiteral("vxlan"), QStringLiteral("nvgre")}, true);
    auto remotes = r.readObjects<TunnelEndpoint>(QStringLiteral("remotes"), endpointFromJson);
    if (!remotes)
        return std::unexpected(remotes.error());
    if (auto once = checkRemotesOnce(*remotes, r.where(QStringLiteral("remotes"))); !once)
        return std::unexpected(once.error());
    ov.remotes = std::move(*remotes);
    r.unknownKeys(
        {QStringLiteral("vsid"), QStringLiteral("encapsulation"), QStringLiteral("remotes")});
    if (!r.ok())
        return core::invalid(r.error());
    return ov;
}

} // namespace

Result<std::vector<Overlay>> overlaysFromJson(const QJsonArray &json, const QString &path)
{
    std::vector<Overlay> out;
    QSet<int> seen;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const QString where = QStringLiteral("%1[%2]").arg(path).arg(i);
        if (!json[i].isObject())
            return core::invalid(where + QStringLiteral(": must be an object"));
        auto o = overlayFromJson(json[i].toObject(), where);
        if (!o)
            return std::unexpected(o.error());
        if (seen.contains(o->vsid))
            return core::invalid(where + QStringLiteral(": VSID %1 is listed twice").arg(o->vsid));
        seen.insert(o->vsid);
        out.push_back(std::move(*o));
    }
    return out;
}

Result<void> Port::setPolicyJson(const QJsonObject &policy, const QString &where)
{
    HostStateReader r(policy, where);
    Port p = *this;
    r.readFields(policyFields(), p);
    auto read = r.readObjects<Acl>(QStringLiteral("acls"), aclFromJson);
    if (!read)
        return std::unexpected(read.error());
    p.acls = QList<Acl>(read->begin(), read->end());
    checkPolicy(r, p);
    r.checkKeys(policyFields());
    if (!r.ok())
        return core::invalid(r.error());
    *this = std::move(p);
    return {};
}

Result<HostState> HostState::fromJson(const QJsonObject &json)
{
    HostStateReader r(json, {});
    HostState s;
    r.readFields(hostStateFields(), s);
    r.checkKeys(hostStateFields());
    Names names;
    auto bridges = r.readObjects<Bridge>(
        QStringLiteral("bridges"),
        [&](const QJsonObject &o, const QString &path) { return bridgeFromJson(o, path, names); });
    if (!bridges)
        return std::unexpected(bridges.error());
    s.bridges = std::move(*bridges);
    QSet<QString> mirrorNames;
    auto mirrors = r.readObjects<Mirror>(QStringLiteral("mirrors"),
                                         [&](const QJsonObject &o, const QString &path) {
                                             return mirrorFromJson(o, path, s, mirrorNames);
                                         });
    if (!mirrors)
        return std::unexpected(mirrors.error());
    s.mirrors = std::move(*mirrors);
    if (!r.ok())
        return core::invalid(r.error());
    if (auto versions = checkAclVersions(s); !versions)
        return std::unexpected(versions.error());
    s.normalize();
    return s;
}

} // namespace converge::core::realize
