// The host-state structs, their normal form and their JSON form. Reading the JSON form (with
// its checks) is in hoststatejson.cpp.
#include "hoststate.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

namespace converge::core::realize {

namespace {

QJsonArray ints(const QList<int> &list)
{
    QJsonArray a;
    for (int v : list)
        a.append(v);
    return a;
}

QJsonArray strings(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject aclJson(const Acl &a)
{
    QJsonObject o{{QStringLiteral("direction"), a.direction}, {QStringLiteral("action"), a.action}};
    auto put = [&](const char *k, const QString &v) {
        if (!v.isEmpty())
            o.insert(QLatin1String(k), v);
    };
    put("localPrefix", a.localPrefix);
    put("remotePrefix", a.remotePrefix);
    put("localMac", a.localMac);
    put("remoteMac", a.remoteMac);
    put("protocol", a.protocol);
    if (!a.localPorts.isEmpty())
        o.insert(QStringLiteral("localPorts"), ints(a.localPorts));
    if (!a.remotePorts.isEmpty())
        o.insert(QStringLiteral("remotePorts"), ints(a.remotePorts));
    if (a.weight != 0)
        o.insert(QStringLiteral("weight"), a.weight);
    return o;
}

void insertBond(QJsonObject &o, const Port &p)
{
    o.insert(QStringLiteral("members"), strings(p.members));
    o.insert(QStringLiteral("bondMode"), p.bondMode);
    if (p.lacp)
        o.insert(QStringLiteral("lacp"), true);
    if (!p.bondPrimary.isEmpty())
        o.insert(QStringLiteral("bondPrimary"), p.bondPrimary);
}

void insertVlans(QJsonObject &o, const Port &p)
{
    if (!p.vlanMode.isEmpty())
        o.insert(QStringLiteral("vlanMode"), p.vlanMode);
    if (p.tag >= 0)
        o.insert(QStringLiteral("tag"), p.tag);
    if (!p.trunks.isEmpty())
        o.insert(QStringLiteral("trunks"), ints(p.trunks));
    if (p.isolated)
        o.insert(QStringLiteral("isolated"), true);
}

QJsonObject portJson(const Port &p)
{
    QJsonObject o{{QStringLiteral("name"), p.name}, {QStringLiteral("type"), typeName(p.type)}};
    if (!p.elementId.isEmpty())
        o.insert(QStringLiteral("elementId"), p.elementId);
    if (p.type == Port::Type::Bond)
        insertBond(o, p);
    insertVlans(o, p);
    if (p.uplink)
        o.insert(QStringLiteral("uplink"), true);
    if (p.maxRateKbps > 0)
        o.insert(QStringLiteral("maxRateKbps"), p.maxRateKbps);
    if (p.mtu > 0)
        o.insert(QStringLiteral("mtu"), p.mtu);
    if (!p.addresses.isEmpty())
        o.insert(QStringLiteral("addresses"), strings(p.addresses));
    const QJsonObject policy = p.policyJson();
    if (!policy.isEmpty())
        o.insert(QStringLiteral("policy"), policy);
    return o;
}

QJsonObject bridgeJson(const Bridge &b)
{
    QJsonArray portsJson;
    for (const Port &p : b.ports)
        portsJson.append(portJson(p));
    QJsonObject o{{QStringLiteral("name"), b.name}, {QStringLiteral("ports"), portsJson}};
    if (!b.elementId.isEmpty())
        o.insert(QStringLiteral("elementId"), b.elementId);
    if (!b.datapathType.isEmpty())
        o.insert(QStringLiteral("datapathType"), b.datapathType);
    if (b.sriov)
        o.insert(QStringLiteral("sriov"), true);
    if (!b.flowsDigest.isEmpty())
        o.insert(QStringLiteral("flowsDigest"), b.flowsDigest);
    if (!b.pvlans.empty())
        o.insert(QStringLiteral("pvlans"), pvlansJson(b.pvlans));
    if (!b.providerAddress.isEmpty())
        o.insert(QStringLiteral("providerAddress"), b.providerAddress);
    if (!b.overlays.empty())
        o.insert(QStringLiteral("overlays"), overlaysJson(b.overlays));
    return o;
}

QJsonObject mirrorJson(const Mirror &m)
{
    QJsonObject o{{QStringLiteral("name"), m.name},
                  {QStringLiteral("bridge"), m.bridge},
                  {QStringLiteral("selectSrc"), strings(m.selectSrc)},
                  {QStringLiteral("selectDst"), strings(m.selectDst)},
                  {QStringLiteral("output"), m.output}};
    if (!m.elementId.isEmpty())
        o.insert(QStringLiteral("elementId"), m.elementId);
    return o;
}

} // namespace

QString typeName(Port::Type t)
{
    switch (t) {
    case Port::Type::System:
        return QStringLiteral("system");
    case Port::Type::Internal:
        return QStringLiteral("internal");
    case Port::Type::Bond:
        return QStringLiteral("bond");
    case Port::Type::Vxlan:
        return QStringLiteral("vxlan");
    case Port::Type::Gre:
        return QStringLiteral("gre");
    }
    return {};
}

QString tunnelPortName(const QString &encapsulation)
{
    return encapsulation == QLatin1String("vxlan") ? QStringLiteral("cv-vxlan")
                                                   : QStringLiteral("cv-nvgre");
}

Port::Type tunnelPortType(const QString &encapsulation)
{
    return encapsulation == QLatin1String("vxlan") ? Port::Type::Vxlan : Port::Type::Gre;
}

quint32 tunnelKey(int vsid, const QString &encapsulation)
{
    const auto id = static_cast<quint32>(vsid) & 0xffffffU;
    return encapsulation == QLatin1String("vxlan") ? id : id << 8;
}

bool isValidInterfaceName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("\\A[A-Za-z0-9_.-]{1,15}\\z"));
    // A leading '-' would make the name an option to ovs-ofctl and ip.
    return re.match(name).hasMatch() && !name.startsWith(QLatin1Char('-')) &&
           name != QLatin1String(".") && name != QLatin1String("..");
}

bool isValidMirrorName(const QString &name)
{
    // Cc: controls (a newline among them); Cf: invisible formatting (bidi overrides); Zl, Zp:
    // line and paragraph separators.
    static const QRegularExpression re(
        QStringLiteral("\\A(?![-\\s])[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]{1,64}(?<!\\s)\\z"),
        QRegularExpression::UseUnicodePropertiesOption);
    return re.match(name).hasMatch();
}

QString canonicalMac(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("\\A[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}\\z"));
    if (!re.match(text).hasMatch())
        return {};
    QString m = text.toLower();
    m.replace(QLatin1Char('-'), QLatin1Char(':'));
    return m;
}

QJsonObject Port::policyJson() const
{
    QJsonObject o;
    if (!mac.isEmpty())
        o.insert(QStringLiteral("mac"), mac);
    if (!macSpoofing)
        o.insert(QStringLiteral("macSpoofing"), false);
    if (dhcpGuard)
        o.insert(QStringLiteral("dhcpGuard"), true);
    if (routerGuard)
        o.insert(QStringLiteral("routerGuard"), true);
    if (community >= 0)
        o.insert(QStringLiteral("community"), community);
    if (pvlanPrimary >= 0)
        o.insert(QStringLiteral("pvlanPrimary"), pvlanPrimary);
    if (vsid >= 0)
        o.insert(QStringLiteral("vsid"), vsid);
    if (!encapsulation.isEmpty())
        o.insert(QStringLiteral("encapsulation"), encapsulation);
    if (!acls.isEmpty()) {
        QJsonArray a;
        for (const Acl &acl : acls)
            a.append(aclJson(acl));
        o.insert(QStringLiteral("acls"), a);
    }
    return o;
}

QJsonArray pvlansJson(const std::vector<PvlanDomain> &pvlans)
{
    QJsonArray out;
    for (const PvlanDomain &d : pvlans) {
        QJsonObject o{{QStringLiteral("primary"), d.primary}};
        if (!d.isolated.isEmpty())
            o.insert(QStringLiteral("isolated"), ints(d.isolated));
        if (!d.communities.isEmpty())
            o.insert(QStringLiteral("communities"), ints(d.communities));
        out.append(o);
    }
    return out;
}

QJsonArray overlaysJson(const std::vector<Overlay> &overlays)
{
    QJsonArray out;
    for (const Overlay &o : overlays) {
        QJsonArray remotes;
        for (const TunnelEndpoint &r : o.remotes)
            remotes.append(QJsonObject{{QStringLiteral("address"), r.address},
                                       {QStringLiteral("macs"), strings(r.macs)}});
        out.append(QJsonObject{{QStringLiteral("vsid"), o.vsid},
                               {QStringLiteral("encapsulation"), o.encapsulation},
                               {QStringLiteral("remotes"), remotes}});
    }
    return out;
}

const Port *Bridge::port(const QString &portName) const
{
    for (const Port &p : ports)
        if (p.name == portName)
            return &p;
    return nullptr;
}

const Bridge *HostState::bridge(const QString &bridgeName) const
{
    for (const Bridge &b : bridges)
        if (b.name == bridgeName)
            return &b;
    return nullptr;
}

void HostState::normalize()
{
    auto byName = [](const auto &a, const auto &b) {
        return a.name < b.name;
    };
    // Sets, as OVSDB and the kernel keep them: sorted, each value once.
    const auto set = [](auto &list) {
        std::ranges::sort(list);
        list.erase(std::unique(list.begin(), list.end()), list.end());
    };
    std::ranges::sort(bridges, byName);
    for (Bridge &b : bridges) {
        std::ranges::sort(b.ports, byName);
        std::ranges::sort(b.pvlans, {}, &PvlanDomain::primary);
        for (PvlanDomain &d : b.pvlans) {
            set(d.isolated);
            set(d.communities);
        }
        std::ranges::sort(b.overlays, {}, &Overlay::vsid);
        for (Overlay &o : b.overlays) {
            std::ranges::sort(o.remotes, {}, &TunnelEndpoint::address);
            for (TunnelEndpoint &r : o.remotes)
                set(r.macs);
        }
        for (Port &p : b.ports) {
            p.members.sort();
            set(p.trunks);
            set(p.addresses);
            for (Acl &a : p.acls) {
                set(a.localPorts);
                set(a.remotePorts);
            }
        }
    }
    std::ranges::sort(mirrors, byName);
    for (Mirror &m : mirrors) {
        set(m.selectSrc);
        set(m.selectDst);
    }
    unmanagedBridges.sort();
}

QJsonObject HostState::toJson() const
{
    QJsonArray bridgesJson;
    for (const Bridge &b : bridges)
        bridgesJson.append(bridgeJson(b));
    QJsonArray mirrorsJson;
    for (const Mirror &m : mirrors)
        mirrorsJson.append(mirrorJson(m));
    QJsonObject o{{QStringLiteral("host"), host},
                  {QStringLiteral("bridges"), bridgesJson},
                  {QStringLiteral("mirrors"), mirrorsJson}};
    if (!notes.isEmpty())
        o.insert(QStringLiteral("notes"), strings(notes));
    if (!unmanagedBridges.isEmpty())
        o.insert(QStringLiteral("unmanagedBridges"), strings(unmanagedBridges));
    return o;
}

} // namespace converge::core::realize
