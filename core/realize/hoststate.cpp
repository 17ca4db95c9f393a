#include "hoststate.h"

#include "core/util/ipaddress.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace converge::core::realize {

namespace {

QString typeName(Port::Type t)
{
    switch (t) {
    case Port::Type::System:
        return QStringLiteral("system");
    case Port::Type::Internal:
        return QStringLiteral("internal");
    case Port::Type::Bond:
        return QStringLiteral("bond");
    }
    return {};
}

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

// Reads JSON fields with a path prefix for errors; the first error wins.
class Reader
{
public:
    Reader(const QJsonObject &o, QString path)
        : m_o(o)
        , m_path(std::move(path))
    {
    }

    QString where(const QString &key) const
    {
        return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
    }
    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    void fail(const QString &key, const QString &what)
    {
        if (m_error.isEmpty())
            m_error = where(key) + QStringLiteral(": ") + what;
    }
    void failAt(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
    }

    QString str(const QString &key, bool required = false)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined() || v.isNull()) {
            if (required)
                fail(key, QStringLiteral("is required"));
            return {};
        }
        if (!v.isString()) {
            fail(key, QStringLiteral("must be a string"));
            return {};
        }
        return v.toString();
    }
    QString oneOf(const QString &key, const QStringList &allowed, bool required = false)
    {
        const QString s = str(key, required);
        if (!s.isEmpty() && !allowed.contains(s))
            fail(key, QStringLiteral("\"%1\" is not one of %2").arg(s, allowed.join(u", ")));
        return s;
    }
    QString ifname(const QString &key, bool required)
    {
        const QString s = str(key, required);
        if (!s.isEmpty() && !isValidInterfaceName(s))
            fail(key, QStringLiteral("\"%1\" is not a valid interface name (1-15 characters of "
                                     "letters, digits, '_', '.', '-', not starting with '-')")
                          .arg(s));
        return s;
    }
    bool boolean(const QString &key, bool fallback)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isBool()) {
            fail(key, QStringLiteral("must be true or false"));
            return fallback;
        }
        return v.toBool();
    }
    qint64 integer(const QString &key, qint64 min, qint64 max, qint64 fallback)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        const double d = v.toDouble(-1e300);
        // Range first: casting an out-of-range double is undefined.
        if (!v.isDouble() || d < min || d > max || d != std::floor(d)) {
            fail(key, QStringLiteral("%1 is not an integer in %2-%3")
                          .arg(v.isDouble() ? QString::number(d) : QStringLiteral("value"))
                          .arg(min)
                          .arg(max));
            return fallback;
        }
        return static_cast<qint64>(d);
    }
    int vlan(const QString &key, int fallback)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isDouble() && (v.toDouble() < 0 || v.toDouble() > 4094)) {
            fail(key, QStringLiteral("%1 is not a VLAN id (0-4094)").arg(v.toDouble()));
            return fallback;
        }
        return static_cast<int>(integer(key, 0, 4094, fallback));
    }
    QList<int> intList(const QString &key, int min, int max, const QString &what)
    {
        QList<int> out;
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined() || v.isNull())
            return out;
        if (!v.isArray()) {
            fail(key, QStringLiteral("must be a list"));
            return out;
        }
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            const double d = a[i].toDouble(-1);
            if (!a[i].isDouble() || d < min || d > max || d != std::floor(d)) {
                fail(QStringLiteral("%1[%2]").arg(key).arg(i),
                     QStringLiteral("is not %1 (%2-%3)").arg(what).arg(min).arg(max));
                return out;
            }
            out.append(static_cast<int>(d));
        }
        return out;
    }
    QStringList stringList(const QString &key)
    {
        QStringList out;
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined() || v.isNull())
            return out;
        if (!v.isArray()) {
            fail(key, QStringLiteral("must be a list"));
            return out;
        }
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!a[i].isString()) {
                fail(QStringLiteral("%1[%2]").arg(key).arg(i), QStringLiteral("must be a string"));
                return out;
            }
            out.append(a[i].toString());
        }
        return out;
    }
    QString prefix(const QString &key, bool networkForm)
    {
        const QString s = str(key);
        if (s.isEmpty())
            return s;
        const auto p = core::IpPrefix::parse(s);
        if (!p) {
            fail(key, QStringLiteral("\"%1\" is not an IP prefix (address/length)").arg(s));
            return {};
        }
        if (networkForm)
            return p->network().address.toString() + QLatin1Char('/') + QString::number(p->length);
        return s;
    }
    QString mac(const QString &key)
    {
        const QString s = str(key);
        if (s.isEmpty())
            return s;
        const QString m = canonicalMac(s);
        if (m.isEmpty())
            fail(key, QStringLiteral("\"%1\" is not a MAC address").arg(s));
        return m;
    }
    QJsonArray array(const QString &key)
    {
        const QJsonValue v = m_o.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isArray()) {
            fail(key, QStringLiteral("must be a list"));
            return {};
        }
        return v.toArray();
    }
    QJsonObject object(const QJsonArray &a, qsizetype i, const QString &key)
    {
        if (!a[i].isObject()) {
            fail(QStringLiteral("%1[%2]").arg(key).arg(i), QStringLiteral("must be an object"));
            return {};
        }
        return a[i].toObject();
    }
    void unknownKeys(const QStringList &known)
    {
        for (auto it = m_o.begin(); it != m_o.end(); ++it)
            if (!known.contains(it.key()))
                fail(it.key(), QStringLiteral("unknown field"));
    }

private:
    const QJsonObject &m_o;
    QString m_path;
    QString m_error;
};

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

Result<Acl> aclFromJson(const QJsonObject &o, const QString &path)
{
    Reader r(o, path);
    Acl a;
    a.direction =
        r.oneOf(QStringLiteral("direction"), {QStringLiteral("in"), QStringLiteral("out")}, true);
    a.action =
        r.oneOf(QStringLiteral("action"),
                {QStringLiteral("allow"), QStringLiteral("deny"), QStringLiteral("meter")}, true);
    a.localPrefix = r.prefix(QStringLiteral("localPrefix"), true);
    a.remotePrefix = r.prefix(QStringLiteral("remotePrefix"), true);
    a.localMac = r.mac(QStringLiteral("localMac"));
    a.remoteMac = r.mac(QStringLiteral("remoteMac"));
    a.protocol = r.oneOf(QStringLiteral("protocol"),
                         {QStringLiteral("tcp"), QStringLiteral("udp"), QStringLiteral("icmp")});
    a.localPorts = r.intList(QStringLiteral("localPorts"), 1, 65535, QStringLiteral("a port"));
    a.remotePorts = r.intList(QStringLiteral("remotePorts"), 1, 65535, QStringLiteral("a port"));
    a.weight = static_cast<int>(r.integer(QStringLiteral("weight"), 0, 65535, 0));
    // Without a transport protocol Open vSwitch ignores a port match, widening the rule to all
    // traffic.
    if (r.ok() && (!a.localPorts.isEmpty() || !a.remotePorts.isEmpty()) &&
        a.protocol != QLatin1String("tcp") && a.protocol != QLatin1String("udp"))
        r.fail(a.localPorts.isEmpty() ? QStringLiteral("remotePorts")
                                      : QStringLiteral("localPorts"),
               QStringLiteral("ports need protocol \"tcp\" or \"udp\""));
    r.unknownKeys({QStringLiteral("direction"), QStringLiteral("action"),
                   QStringLiteral("localPrefix"), QStringLiteral("remotePrefix"),
                   QStringLiteral("localMac"), QStringLiteral("remoteMac"),
                   QStringLiteral("protocol"), QStringLiteral("localPorts"),
                   QStringLiteral("remotePorts"), QStringLiteral("weight")});
    if (r.ok() && (!a.localPorts.isEmpty() || !a.remotePorts.isEmpty()) &&
        a.protocol != QLatin1String("tcp") && a.protocol != QLatin1String("udp"))
        r.fail(QStringLiteral("protocol"), QStringLiteral("ports need protocol tcp or udp"));
    if (r.ok() && !a.localPrefix.isEmpty() && !a.remotePrefix.isEmpty() &&
        a.localPrefix.contains(QLatin1Char(':')) != a.remotePrefix.contains(QLatin1Char(':')))
        r.fail(QStringLiteral("remotePrefix"),
               QStringLiteral("mixes IPv4 and IPv6 with localPrefix"));
    if (!r.ok())
        return core::invalid(r.error());
    return a;
}

bool sameVersion(const QString &a, const QString &b)
{
    return a.isEmpty() || b.isEmpty() ||
           a.contains(QLatin1Char(':')) == b.contains(QLatin1Char(':'));
}

} // namespace

bool isValidInterfaceName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.-]{1,15}$"));
    // A leading '-' would make the name an option to ovs-ofctl and ip.
    return re.match(name).hasMatch() && !name.startsWith(QLatin1Char('-')) &&
           name != QLatin1String(".") && name != QLatin1String("..");
}

QString canonicalMac(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}$"));
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
    if (!acls.isEmpty()) {
        QJsonArray a;
        for (const Acl &acl : acls)
            a.append(aclJson(acl));
        o.insert(QStringLiteral("acls"), a);
    }
    return o;
}

Result<void> Port::setPolicyJson(const QJsonObject &policy, const QString &where)
{
    Reader r(policy, where);
    Port p = *this;
    p.mac = r.mac(QStringLiteral("mac"));
    p.macSpoofing = r.boolean(QStringLiteral("macSpoofing"), true);
    p.dhcpGuard = r.boolean(QStringLiteral("dhcpGuard"), false);
    p.routerGuard = r.boolean(QStringLiteral("routerGuard"), false);
    p.community = r.vlan(QStringLiteral("community"), -1);
    p.acls.clear();
    const QJsonArray aclsJson = r.array(QStringLiteral("acls"));
    for (qsizetype i = 0; r.ok() && i < aclsJson.size(); ++i) {
        const QJsonObject o = r.object(aclsJson, i, QStringLiteral("acls"));
        if (!r.ok())
            break;
        auto acl = aclFromJson(o, r.where(QStringLiteral("acls[%1]").arg(i)));
        if (!acl)
            return std::unexpected(acl.error());
        p.acls.append(*acl);
    }
    if (r.ok() && !p.macSpoofing && p.mac.isEmpty())
        r.fail(QStringLiteral("macSpoofing"),
               QStringLiteral("spoofing can only be turned off for a port with a MAC address"));
    for (qsizetype i = 0; r.ok() && i < p.acls.size(); ++i)
        if (p.acls[i].direction == QLatin1String("in") && p.mac.isEmpty())
            r.fail(QStringLiteral("acls[%1]").arg(i),
                   QStringLiteral("an inbound ACL needs the port's MAC address"));
    r.unknownKeys({QStringLiteral("mac"), QStringLiteral("macSpoofing"),
                   QStringLiteral("dhcpGuard"), QStringLiteral("routerGuard"),
                   QStringLiteral("community"), QStringLiteral("acls")});
    if (!r.ok())
        return core::invalid(r.error());
    *this = std::move(p);
    return {};
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
    for (const Bridge &b : bridges) {
        QJsonArray portsJson;
        for (const Port &p : b.ports) {
            QJsonObject o{{QStringLiteral("name"), p.name},
                          {QStringLiteral("type"), typeName(p.type)}};
            if (!p.elementId.isEmpty())
                o.insert(QStringLiteral("elementId"), p.elementId);
            if (p.type == Port::Type::Bond) {
                o.insert(QStringLiteral("members"), strings(p.members));
                o.insert(QStringLiteral("bondMode"), p.bondMode);
                if (p.lacp)
                    o.insert(QStringLiteral("lacp"), true);
                if (!p.bondPrimary.isEmpty())
                    o.insert(QStringLiteral("bondPrimary"), p.bondPrimary);
            }
            if (!p.vlanMode.isEmpty())
                o.insert(QStringLiteral("vlanMode"), p.vlanMode);
            if (p.tag >= 0)
                o.insert(QStringLiteral("tag"), p.tag);
            if (!p.trunks.isEmpty())
                o.insert(QStringLiteral("trunks"), ints(p.trunks));
            if (p.isolated)
                o.insert(QStringLiteral("isolated"), true);
            if (p.maxRateKbps > 0)
                o.insert(QStringLiteral("maxRateKbps"), p.maxRateKbps);
            if (p.mtu > 0)
                o.insert(QStringLiteral("mtu"), p.mtu);
            if (!p.addresses.isEmpty())
                o.insert(QStringLiteral("addresses"), strings(p.addresses));
            const QJsonObject policy = p.policyJson();
            if (!policy.isEmpty())
                o.insert(QStringLiteral("policy"), policy);
            portsJson.append(o);
        }
        QJsonObject bo{{QStringLiteral("name"), b.name}, {QStringLiteral("ports"), portsJson}};
        if (!b.elementId.isEmpty())
            bo.insert(QStringLiteral("elementId"), b.elementId);
        if (!b.datapathType.isEmpty())
            bo.insert(QStringLiteral("datapathType"), b.datapathType);
        if (b.sriov)
            bo.insert(QStringLiteral("sriov"), true);
        if (!b.flowsDigest.isEmpty())
            bo.insert(QStringLiteral("flowsDigest"), b.flowsDigest);
        bridgesJson.append(bo);
    }
    QJsonArray mirrorsJson;
    for (const Mirror &m : mirrors) {
        QJsonObject o{{QStringLiteral("name"), m.name},
                      {QStringLiteral("bridge"), m.bridge},
                      {QStringLiteral("selectSrc"), strings(m.selectSrc)},
                      {QStringLiteral("selectDst"), strings(m.selectDst)},
                      {QStringLiteral("output"), m.output}};
        if (!m.elementId.isEmpty())
            o.insert(QStringLiteral("elementId"), m.elementId);
        mirrorsJson.append(o);
    }
    QJsonObject o{{QStringLiteral("host"), host},
                  {QStringLiteral("bridges"), bridgesJson},
                  {QStringLiteral("mirrors"), mirrorsJson}};
    if (!notes.isEmpty())
        o.insert(QStringLiteral("notes"), strings(notes));
    if (!unmanagedBridges.isEmpty())
        o.insert(QStringLiteral("unmanagedBridges"), strings(unmanagedBridges));
    return o;
}

Result<HostState> HostState::fromJson(const QJsonObject &json)
{
    Reader r(json, {});
    HostState s;
    s.host = r.str(QStringLiteral("host"));
    s.notes = r.stringList(QStringLiteral("notes"));
    s.unmanagedBridges = r.stringList(QStringLiteral("unmanagedBridges"));
    r.unknownKeys({QStringLiteral("host"), QStringLiteral("bridges"), QStringLiteral("mirrors"),
                   QStringLiteral("notes"), QStringLiteral("unmanagedBridges")});
    QSet<QString> names; // bridges and ports share the interface namespace
    QSet<QString> bondMembers;
    const QJsonArray bridgesJson = r.array(QStringLiteral("bridges"));
    for (qsizetype bi = 0; r.ok() && bi < bridgesJson.size(); ++bi) {
        const QString bpath = QStringLiteral("bridges[%1]").arg(bi);
        const QJsonObject bo = r.object(bridgesJson, bi, QStringLiteral("bridges"));
        if (!r.ok())
            break;
        Reader br(bo, bpath);
        Bridge b;
        b.name = br.ifname(QStringLiteral("name"), true);
        b.elementId = br.str(QStringLiteral("elementId"));
        b.datapathType = br.oneOf(QStringLiteral("datapathType"),
                                  {QStringLiteral("system"), QStringLiteral("netdev")});
        b.sriov = br.boolean(QStringLiteral("sriov"), false);
        b.flowsDigest = br.str(QStringLiteral("flowsDigest"));
        br.unknownKeys({QStringLiteral("name"), QStringLiteral("elementId"),
                        QStringLiteral("datapathType"), QStringLiteral("sriov"),
                        QStringLiteral("flowsDigest"), QStringLiteral("ports")});
        if (br.ok() && names.contains(b.name))
            br.fail(QStringLiteral("name"), QStringLiteral("\"%1\" is used twice").arg(b.name));
        names.insert(b.name);
        const QJsonArray portsJson = br.array(QStringLiteral("ports"));
        for (qsizetype pi = 0; br.ok() && pi < portsJson.size(); ++pi) {
            const QJsonObject po = br.object(portsJson, pi, QStringLiteral("ports"));
            if (!br.ok())
                break;
            Reader pr(po, bpath + QStringLiteral(".ports[%1]").arg(pi));
            Port p;
            p.name = pr.ifname(QStringLiteral("name"), true);
            const QString type = pr.oneOf(
                QStringLiteral("type"),
                {QStringLiteral("system"), QStringLiteral("internal"), QStringLiteral("bond")},
                true);
            p.type = type == QLatin1String("bond")       ? Port::Type::Bond
                     : type == QLatin1String("internal") ? Port::Type::Internal
                                                         : Port::Type::System;
            p.elementId = pr.str(QStringLiteral("elementId"));
            p.members = pr.stringList(QStringLiteral("members"));
            p.bondMode = pr.oneOf(QStringLiteral("bondMode"),
                                  {QStringLiteral("active-backup"), QStringLiteral("balance-slb"),
                                   QStringLiteral("balance-tcp")});
            p.lacp = pr.boolean(QStringLiteral("lacp"), false);
            p.bondPrimary = pr.ifname(QStringLiteral("bondPrimary"), false);
            p.vlanMode = pr.oneOf(QStringLiteral("vlanMode"),
                                  {QStringLiteral("access"), QStringLiteral("trunk"),
                                   QStringLiteral("native-untagged")});
            p.tag = pr.vlan(QStringLiteral("tag"), -1);
            p.trunks = pr.intList(QStringLiteral("trunks"), 0, 4094, QStringLiteral("a VLAN id"));
            p.isolated = pr.boolean(QStringLiteral("isolated"), false);
            p.maxRateKbps = pr.integer(QStringLiteral("maxRateKbps"), 0, 1'000'000'000, 0);
            p.mtu = static_cast<int>(pr.integer(QStringLiteral("mtu"), 68, 65535, 0));
            p.addresses = pr.stringList(QStringLiteral("addresses"));
            pr.unknownKeys(
                {QStringLiteral("name"), QStringLiteral("type"), QStringLiteral("elementId"),
                 QStringLiteral("members"), QStringLiteral("bondMode"), QStringLiteral("lacp"),
                 QStringLiteral("bondPrimary"), QStringLiteral("vlanMode"), QStringLiteral("tag"),
                 QStringLiteral("trunks"), QStringLiteral("isolated"),
                 QStringLiteral("maxRateKbps"), QStringLiteral("mtu"), QStringLiteral("addresses"),
                 QStringLiteral("policy")});
            for (qsizetype i = 0; pr.ok() && i < p.addresses.size(); ++i) {
                const auto prefix = core::IpPrefix::parse(p.addresses[i]);
                if (!prefix)
                    pr.fail(QStringLiteral("addresses[%1]").arg(i),
                            QStringLiteral("\"%1\" is not an address with prefix length")
                                .arg(p.addresses[i]));
                else
                    p.addresses[i] = prefix->address.toString() + QLatin1Char('/') +
                                     QString::number(prefix->length);
            }
            if (pr.ok() && !p.addresses.isEmpty() && p.type != Port::Type::Internal)
                pr.fail(QStringLiteral("addresses"),
                        QStringLiteral("only internal ports (management-OS vNICs) have addresses"));
            if (pr.ok() && po.value(QStringLiteral("policy")).isObject()) {
                auto set = p.setPolicyJson(po.value(QStringLiteral("policy")).toObject(),
                                           pr.where(QStringLiteral("policy")));
                if (!set)
                    return std::unexpected(set.error());
            } else if (pr.ok() && po.contains(QStringLiteral("policy"))) {
                pr.fail(QStringLiteral("policy"), QStringLiteral("must be an object"));
            }
            if (pr.ok()) {
                if (p.type == Port::Type::Bond) {
                    // Open vSwitch polices and filters (flows match in_port) a bond's members,
                    // not the bond: the planner realizes neither for bonds.
                    if (p.maxRateKbps > 0)
                        pr.fail(QStringLiteral("maxRateKbps"),
                                QStringLiteral("a bond has no maximum rate"));
                    if (!p.policyJson().isEmpty())
                        pr.fail(QStringLiteral("policy"),
                                QStringLiteral("a bond has no MAC, guards, PVLAN community or "
                                               "ACLs"));
                    if (p.members.size() < 2)
                        pr.fail(QStringLiteral("members"),
                                QStringLiteral("a bond needs at least two members"));
                    if (p.bondMode.isEmpty())
                        pr.fail(QStringLiteral("bondMode"),
                                QStringLiteral("is required for a bond"));
                    for (qsizetype i = 0; pr.ok() && i < p.members.size(); ++i) {
                        const QString &m = p.members[i];
                        if (!isValidInterfaceName(m))
                            pr.fail(QStringLiteral("members[%1]").arg(i),
                                    QStringLiteral("\"%1\" is not a valid interface name").arg(m));
                        else if (names.contains(m) || bondMembers.contains(m))
                            pr.fail(QStringLiteral("members[%1]").arg(i),
                                    QStringLiteral("\"%1\" is used twice").arg(m));
                        bondMembers.insert(m);
                    }
                    if (pr.ok() && !p.bondPrimary.isEmpty() && !p.members.contains(p.bondPrimary))
                        pr.fail(QStringLiteral("bondPrimary"),
                                QStringLiteral("\"%1\" is not a member").arg(p.bondPrimary));
                } else if (!p.members.isEmpty() || !p.bondMode.isEmpty() || p.lacp ||
                           !p.bondPrimary.isEmpty()) {
                    pr.fail(QStringLiteral("type"),
                            QStringLiteral("members and bond settings need type \"bond\""));
                }
            }
            if (pr.ok()) {
                if (p.vlanMode == QLatin1String("access") && p.tag < 0)
                    pr.fail(QStringLiteral("tag"), QStringLiteral("an access port needs a tag"));
                else if (p.vlanMode == QLatin1String("trunk") && p.tag >= 0)
                    pr.fail(QStringLiteral("tag"),
                            QStringLiteral("a trunk port has no tag (use native-untagged)"));
                else if (p.vlanMode.isEmpty() && (p.tag >= 0 || !p.trunks.isEmpty()))
                    pr.fail(QStringLiteral("vlanMode"),
                            QStringLiteral("is required with a tag or trunks"));
                else if (p.vlanMode == QLatin1String("native-untagged") && p.tag < 0)
                    pr.fail(QStringLiteral("tag"), QStringLiteral("native-untagged needs a tag"));
                else if (p.vlanMode == QLatin1String("access") && !p.trunks.isEmpty())
                    pr.fail(QStringLiteral("trunks"),
                            QStringLiteral("an access port carries no trunks"));
            }
            if (pr.ok() && names.contains(p.name))
                pr.fail(QStringLiteral("name"), QStringLiteral("\"%1\" is used twice").arg(p.name));
            if (pr.ok() && bondMembers.contains(p.name) && p.type != Port::Type::Bond)
                pr.fail(QStringLiteral("name"),
                        QStringLiteral("\"%1\" is already a bond member").arg(p.name));
            names.insert(p.name);
            if (!pr.ok())
                return core::invalid(pr.error());
            b.ports.push_back(std::move(p));
        }
        if (!br.ok())
            return core::invalid(br.error());
        s.bridges.push_back(std::move(b));
    }
    const QJsonArray mirrorsJson = r.array(QStringLiteral("mirrors"));
    QSet<QString> mirrorNames;
    for (qsizetype mi = 0; r.ok() && mi < mirrorsJson.size(); ++mi) {
        const QJsonObject mo = r.object(mirrorsJson, mi, QStringLiteral("mirrors"));
        if (!r.ok())
            break;
        Reader mr(mo, QStringLiteral("mirrors[%1]").arg(mi));
        Mirror m;
        m.name = mr.str(QStringLiteral("name"), true);
        m.bridge = mr.str(QStringLiteral("bridge"), true);
        m.elementId = mr.str(QStringLiteral("elementId"));
        m.selectSrc = mr.stringList(QStringLiteral("selectSrc"));
        m.selectDst = mr.stringList(QStringLiteral("selectDst"));
        m.output = mr.str(QStringLiteral("output"), true);
        mr.unknownKeys({QStringLiteral("name"), QStringLiteral("bridge"),
                        QStringLiteral("elementId"), QStringLiteral("selectSrc"),
                        QStringLiteral("selectDst"), QStringLiteral("output")});
        if (mr.ok() && (m.name.size() > 64 || mirrorNames.contains(m.name)))
            mr.fail(QStringLiteral("name"),
                    QStringLiteral("\"%1\" is too long or used twice").arg(m.name));
        mirrorNames.insert(m.name);
        const Bridge *b = mr.ok() ? s.bridge(m.bridge) : nullptr;
        if (mr.ok() && !b)
            mr.fail(QStringLiteral("bridge"),
                    QStringLiteral("\"%1\" is not one of the bridges").arg(m.bridge));
        auto checkPort = [&](const QString &key, const QString &port) {
            if (mr.ok() && !b->port(port))
                mr.fail(
                    key,
                    QStringLiteral("\"%1\" is not a port of bridge \"%2\"").arg(port, m.bridge));
        };
        checkPort(QStringLiteral("output"), m.output);
        for (const QString &p : m.selectSrc)
            checkPort(QStringLiteral("selectSrc"), p);
        for (const QString &p : m.selectDst)
            checkPort(QStringLiteral("selectDst"), p);
        if (mr.ok() && (m.selectSrc.contains(m.output) || m.selectDst.contains(m.output)))
            mr.fail(QStringLiteral("output"),
                    QStringLiteral("the output port cannot also be mirrored"));
        if (mr.ok() && m.selectSrc.isEmpty() && m.selectDst.isEmpty())
            mr.fail(QStringLiteral("selectSrc"), QStringLiteral("a mirror needs a source"));
        if (!mr.ok())
            return core::invalid(mr.error());
        s.mirrors.push_back(std::move(m));
    }
    if (!r.ok())
        return core::invalid(r.error());
    for (const Bridge &b : s.bridges)
        for (const Port &p : b.ports)
            for (const Acl &a : p.acls)
                if (!sameVersion(a.localPrefix, a.remotePrefix))
                    return core::invalid(
                        QStringLiteral("port %1: ACL mixes IPv4 and IPv6").arg(p.name));
    s.normalize();
    return s;
}

} // namespace converge::core::realize
