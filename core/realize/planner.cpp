#include "planner.h"

#include "flows.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace converge::core::realize {

namespace {

using K = Operation::Kind;

// An OVSDB string atom for ovs-vsctl: always JSON-quoted, so no character is special.
QString atom(const QString &s)
{
    const QByteArray doc = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(doc.mid(1, doc.size() - 2));
}

QString intSet(const QList<int> &values)
{
    QStringList parts;
    for (int v : values)
        parts << QString::number(v);
    return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

QString policyText(const Port &p)
{
    return QString::fromUtf8(QJsonDocument(p.policyJson()).toJson(QJsonDocument::Compact));
}

Operation operation(K kind, const QString &bridge, const QString &target, bool destructive)
{
    Operation op;
    op.kind = kind;
    op.bridge = bridge;
    op.target = target;
    op.destructive = destructive;
    return op;
}

QString portTypeName(Port::Type t)
{
    return t == Port::Type::Bond       ? QStringLiteral("bond")
           : t == Port::Type::Internal ? QStringLiteral("internal")
                                       : QStringLiteral("system");
}

QStringList interfacesOf(const Port &p)
{
    return p.type == Port::Type::Bond ? p.members : QStringList{p.name};
}

// Every managed column of a port and its interfaces, so a set is also a repair.
QList<QStringList> portColumns(const Port &p)
{
    QStringList port{QStringLiteral("set"), QStringLiteral("Port"), p.name};
    port << (p.tag >= 0 ? QStringLiteral("tag=%1").arg(p.tag) : QStringLiteral("tag=[]"));
    port << QStringLiteral("trunks=") + intSet(p.trunks);
    port << (p.vlanMode.isEmpty() ? QStringLiteral("vlan_mode=[]")
                                  : QStringLiteral("vlan_mode=") + p.vlanMode);
    port << (p.isolated ? QStringLiteral("protected=true") : QStringLiteral("protected=false"));
    if (p.type == Port::Type::Bond) {
        port << QStringLiteral("bond_mode=") + p.bondMode;
        port << (p.lacp ? QStringLiteral("lacp=active") : QStringLiteral("lacp=off"));
    }
    port << QStringLiteral("external_ids:converge-id=") + atom(p.elementId);
    port << QStringLiteral("external_ids:converge-policy=") + atom(policyText(p));
    QList<QStringList> out{port};
    if (p.type == Port::Type::Bond) {
        if (p.bondPrimary.isEmpty())
            out << QStringList{QStringLiteral("remove"), QStringLiteral("Port"), p.name,
                               QStringLiteral("other_config"), QStringLiteral("bond-primary")};
        else
            out << QStringList{QStringLiteral("set"), QStringLiteral("Port"), p.name,
                               QStringLiteral("other_config:bond-primary=") + atom(p.bondPrimary)};
    }
    for (const QString &iface : interfacesOf(p)) {
        QStringList i{QStringLiteral("set"), QStringLiteral("Interface"), iface};
        i << (p.mtu > 0 ? QStringLiteral("mtu_request=%1").arg(p.mtu)
                        : QStringLiteral("mtu_request=[]"));
        if (p.type != Port::Type::Bond)
            i << QStringLiteral("ingress_policing_rate=%1").arg(p.maxRateKbps)
              << QStringLiteral("ingress_policing_burst=%1").arg(p.maxRateKbps / 10);
        out << i;
    }
    return out;
}

QList<QStringList> addPortCommands(const QString &bridge, const Port &p)
{
    QList<QStringList> out;
    if (p.type == Port::Type::Bond)
        out << (QStringList{QStringLiteral("add-bond"), bridge, p.name} + p.members);
    else
        out << QStringList{QStringLiteral("add-port"), bridge, p.name};
    if (p.type == Port::Type::Internal)
        out << QStringList{QStringLiteral("set"), QStringLiteral("Interface"), p.name,
                           QStringLiteral("type=internal")};
    return out + portColumns(p);
}

QStringList ipCmd(std::initializer_list<QString> args)
{
    return QStringList(args);
}

QList<QStringList> addressCommands(const Port &desired, const QStringList &current, bool isNew)
{
    QList<QStringList> out;
    for (const QString &a : current)
        if (!desired.addresses.contains(a))
            out << ipCmd({QStringLiteral("addr"), QStringLiteral("del"), a, QStringLiteral("dev"),
                          desired.name});
    for (const QString &a : desired.addresses)
        if (!current.contains(a))
            out << ipCmd({QStringLiteral("addr"), QStringLiteral("add"), a, QStringLiteral("dev"),
                          desired.name});
    if (isNew || !out.isEmpty())
        out.prepend(ipCmd({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("dev"),
                           desired.name, QStringLiteral("up")}));
    return out;
}

QString show(const QList<int> &v)
{
    return v.isEmpty() ? QStringLiteral("none") : intSet(v);
}
QString show(const QStringList &v)
{
    return v.isEmpty() ? QStringLiteral("none") : v.join(u", ");
}
QString show(const QString &v)
{
    return v.isEmpty() ? QStringLiteral("none") : v;
}
QString show(int v)
{
    return v < 0 ? QStringLiteral("none") : QString::number(v);
}
QString show(qint64 v)
{
    return v == 0 ? QStringLiteral("none") : QString::number(v);
}
QString show(bool v)
{
    return v ? QStringLiteral("on") : QStringLiteral("off");
}

template<typename T> void diff(QStringList &out, const char *field, const T &from, const T &to)
{
    if (from != to)
        out << QStringLiteral("%1: %2 -> %3").arg(QLatin1String(field), show(from), show(to));
}

QStringList portChanges(const Port &c, const Port &d)
{
    QStringList out;
    diff(out, "vlan mode", c.vlanMode, d.vlanMode);
    diff(out, "tag", c.tag, d.tag);
    diff(out, "trunks", c.trunks, d.trunks);
    diff(out, "PVLAN isolated", c.isolated, d.isolated);
    diff(out, "PVLAN community", c.community, d.community);
    diff(out, "bond mode", c.bondMode, d.bondMode);
    diff(out, "LACP", c.lacp, d.lacp);
    diff(out, "bond primary", c.bondPrimary, d.bondPrimary);
    diff(out, "maximum rate kbps", c.maxRateKbps, d.maxRateKbps);
    diff(out, "MTU", c.mtu == 0 ? -1 : c.mtu, d.mtu == 0 ? -1 : d.mtu);
    diff(out, "MAC", c.mac, d.mac);
    diff(out, "MAC spoofing", c.macSpoofing, d.macSpoofing);
    diff(out, "DHCP guard", c.dhcpGuard, d.dhcpGuard);
    diff(out, "router guard", c.routerGuard, d.routerGuard);
    diff(out, "element", c.elementId, d.elementId);
    if (c.acls != d.acls)
        out << QStringLiteral("ACLs: %1 -> %2 rules").arg(c.acls.size()).arg(d.acls.size());
    return out;
}

bool sameExceptAddresses(Port a, Port b)
{
    a.addresses.clear();
    b.addresses.clear();
    return a == b;
}

QList<QStringList> mirrorAdd(const Mirror &m, int serial)
{
    QList<QStringList> out;
    QHash<QString, QString> ids;
    auto ref = [&](const QString &port) {
        if (!ids.contains(port)) {
            const QString id = QStringLiteral("@cvm%1p%2").arg(serial).arg(ids.size());
            ids.insert(port, id);
            out << QStringList{QStringLiteral("--id=") + id, QStringLiteral("get"),
                               QStringLiteral("Port"), port};
        }
        return ids.value(port);
    };
    QStringList src, dst;
    for (const QString &p : m.selectSrc)
        src << ref(p);
    for (const QString &p : m.selectDst)
        dst << ref(p);
    const QString output = ref(m.output);
    const QString id = QStringLiteral("@cvm%1").arg(serial);
    QStringList create{QStringLiteral("--id=") + id, QStringLiteral("create"),
                       QStringLiteral("Mirror"), QStringLiteral("name=") + atom(m.name)};
    if (!src.isEmpty())
        create << QStringLiteral("select_src_port=") + src.join(QLatin1Char(','));
    if (!dst.isEmpty())
        create << QStringLiteral("select_dst_port=") + dst.join(QLatin1Char(','));
    create << QStringLiteral("output_port=") + output
           << QStringLiteral("external_ids:converge-id=") + atom(m.elementId);
    out << create;
    out << QStringList{QStringLiteral("add"), QStringLiteral("Bridge"), m.bridge,
                       QStringLiteral("mirrors"), id};
    return out;
}

QList<QStringList> mirrorRemove(const Mirror &m, int serial)
{
    const QString id = QStringLiteral("@cvr%1").arg(serial);
    // A record is named as is (its own argv element), not as an OVSDB atom.
    return {{QStringLiteral("--id=") + id, QStringLiteral("get"), QStringLiteral("Mirror"), m.name},
            {QStringLiteral("remove"), QStringLiteral("Bridge"), m.bridge,
             QStringLiteral("mirrors"), id}};
}

QList<QStringList> bridgeAdd(const Bridge &b)
{
    return {{QStringLiteral("add-br"), b.name},
            {QStringLiteral("set"), QStringLiteral("Bridge"), b.name,
             QStringLiteral("datapath_type=") +
                 (b.datapathType.isEmpty() ? QStringLiteral("system") : b.datapathType),
             QStringLiteral("protocols=OpenFlow10,OpenFlow13,OpenFlow14"),
             QStringLiteral("external_ids:converge-managed=true"),
             QStringLiteral("external_ids:converge-id=") + atom(b.elementId),
             QStringLiteral("external_ids:converge-sriov=") +
                 (b.sriov ? QStringLiteral("true") : QStringLiteral("false"))}};
}

const Mirror *findMirror(const std::vector<Mirror> &mirrors, const QString &name)
{
    for (const Mirror &m : mirrors)
        if (m.name == name)
            return &m;
    return nullptr;
}

// Where a port lives in a state: bridge and port, or nulls.
std::pair<const Bridge *, const Port *> findPort(const HostState &s, const QString &name)
{
    for (const Bridge &b : s.bridges)
        if (const Port *p = b.port(name))
            return {&b, p};
    return {nullptr, nullptr};
}

} // namespace

QString kindName(Operation::Kind kind)
{
    switch (kind) {
    case K::AddBridge:
        return QStringLiteral("add-bridge");
    case K::RemoveBridge:
        return QStringLiteral("remove-bridge");
    case K::RecreateBridge:
        return QStringLiteral("recreate-bridge");
    case K::SetBridge:
        return QStringLiteral("set-bridge");
    case K::AddPort:
        return QStringLiteral("add-port");
    case K::RemovePort:
        return QStringLiteral("remove-port");
    case K::RecreatePort:
        return QStringLiteral("recreate-port");
    case K::SetPort:
        return QStringLiteral("set-port");
    case K::AddMirror:
        return QStringLiteral("add-mirror");
    case K::RemoveMirror:
        return QStringLiteral("remove-mirror");
    case K::SetMirror:
        return QStringLiteral("set-mirror");
    case K::SetFlows:
        return QStringLiteral("set-flows");
    case K::SetAddresses:
        return QStringLiteral("set-addresses");
    }
    return {};
}

QString Operation::summary() const
{
    QString what;
    switch (kind) {
    case K::AddBridge:
        what = QStringLiteral("+ bridge %1").arg(target);
        break;
    case K::RemoveBridge:
        what = QStringLiteral("- bridge %1 and all its ports").arg(target);
        break;
    case K::RecreateBridge:
        what = QStringLiteral("re-create bridge %1 (its ports drop traffic meanwhile)").arg(target);
        break;
    case K::SetBridge:
        what = QStringLiteral("~ bridge %1").arg(target);
        break;
    case K::AddPort:
        what = QStringLiteral("+ port %1 on %2").arg(target, bridge);
        break;
    case K::RemovePort:
        what = QStringLiteral("- port %1 from %2").arg(target, bridge);
        break;
    case K::RecreatePort:
        what = QStringLiteral("re-create port %1 on %2").arg(target, bridge);
        break;
    case K::SetPort:
        what = QStringLiteral("~ port %1 on %2").arg(target, bridge);
        break;
    case K::AddMirror:
        what = QStringLiteral("+ mirror %1 on %2").arg(target, bridge);
        break;
    case K::RemoveMirror:
        what = QStringLiteral("- mirror %1 from %2").arg(target, bridge);
        break;
    case K::SetMirror:
        what = QStringLiteral("~ mirror %1 on %2").arg(target, bridge);
        break;
    case K::SetFlows:
        what = QStringLiteral("~ flow table of %1 (%2 flows)").arg(bridge).arg(flows.size());
        break;
    case K::SetAddresses:
        what = QStringLiteral("~ addresses of %1").arg(target);
        break;
    }
    if (!changes.isEmpty())
        what += QStringLiteral(": ") + changes.join(u"; ");
    return what;
}

QJsonObject Operation::toJson() const
{
    QJsonArray vs;
    for (const QStringList &c : vsctl)
        vs.append(QJsonArray::fromStringList(c));
    QJsonArray ips;
    for (const QStringList &c : ip)
        ips.append(QJsonArray::fromStringList(c));
    QJsonObject o{{QStringLiteral("kind"), kindName(kind)},
                  {QStringLiteral("bridge"), bridge},
                  {QStringLiteral("target"), target},
                  {QStringLiteral("destructive"), destructive},
                  {QStringLiteral("summary"), summary()},
                  {QStringLiteral("changes"), QJsonArray::fromStringList(changes)}};
    if (!vs.isEmpty())
        o.insert(QStringLiteral("vsctl"), vs);
    if (!flows.isEmpty())
        o.insert(QStringLiteral("flows"), QJsonArray::fromStringList(flows));
    if (!ips.isEmpty())
        o.insert(QStringLiteral("ip"), ips);
    return o;
}

bool Plan::hasDestructive() const
{
    return std::ranges::any_of(ops, [](const Operation &o) { return o.destructive; });
}

QString Plan::diffText() const
{
    QStringList lines;
    for (const Operation &o : ops)
        lines << (o.destructive ? QStringLiteral("! ") : QStringLiteral("  ")) + o.summary();
    for (const QString &n : notes)
        lines << QStringLiteral("  note: ") + n;
    if (ops.empty())
        lines.prepend(QStringLiteral("  no changes"));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QJsonObject Plan::toJson() const
{
    QJsonArray a;
    for (const Operation &o : ops)
        a.append(o.toJson());
    return {{QStringLiteral("operations"), a},
            {QStringLiteral("destructive"), hasDestructive()},
            {QStringLiteral("notes"), QJsonArray::fromStringList(notes)},
            {QStringLiteral("diff"), diffText()},
            {QStringLiteral("digest"), digest()}};
}

QString Plan::digest() const
{
    QJsonArray a;
    for (const Operation &o : ops)
        a.append(o.toJson());
    return QString::fromLatin1(
        QCryptographicHash::hash(QJsonDocument(a).toJson(QJsonDocument::Compact),
                                 QCryptographicHash::Sha256)
            .toHex());
}

QStringList Plan::vsctlArguments() const
{
    QStringList args;
    for (const Operation &o : ops)
        for (const QStringList &c : o.vsctl) {
            args << QStringLiteral("--");
            args << c;
        }
    return args;
}

Plan makePlan(const HostState &desired, const HostState &current)
{
    Plan plan;
    plan.notes = desired.notes;
    std::vector<Operation> removeMirrors, removes, bridges, ports, mirrors, flows, addresses;
    int serial = 0;

    QSet<QString> recreated; // bridges re-created or removed: everything on them goes with them
    for (const Bridge &cb : current.bridges) {
        const Bridge *db = desired.bridge(cb.name);
        if (!db) {
            Operation op = operation(K::RemoveBridge, cb.name, cb.name, true);
            op.vsctl << QStringList{QStringLiteral("--if-exists"), QStringLiteral("del-br"),
                                    cb.name};
            removes.push_back(op);
            recreated.insert(cb.name);
        } else if (db->sriov != cb.sriov ||
                   (!db->datapathType.isEmpty() && db->datapathType != cb.datapathType)) {
            Operation op = operation(K::RecreateBridge, cb.name, cb.name, true);
            diff(op.changes, "SR-IOV", cb.sriov, db->sriov);
            diff(op.changes, "datapath", cb.datapathType, db->datapathType);
            op.vsctl << QStringList{QStringLiteral("del-br"), cb.name};
            op.vsctl << bridgeAdd(*db);
            bridges.push_back(op);
            recreated.insert(cb.name);
        } else if (db->elementId != cb.elementId) {
            Operation op = operation(K::SetBridge, cb.name, cb.name, false);
            diff(op.changes, "element", cb.elementId, db->elementId);
            op.vsctl << QStringList{QStringLiteral("set"), QStringLiteral("Bridge"), cb.name,
                                    QStringLiteral("external_ids:converge-id=") +
                                        atom(db->elementId)};
            bridges.push_back(op);
        }
    }
    for (const Bridge &db : desired.bridges)
        if (!current.bridge(db.name)) {
            Operation op = operation(K::AddBridge, db.name, db.name, false);
            op.vsctl << bridgeAdd(db);
            bridges.push_back(op);
            recreated.insert(db.name);
        }

    // Mirrors: removed or changed first, so their ports can go.
    for (const Mirror &cm : current.mirrors) {
        const Mirror *dm = findMirror(desired.mirrors, cm.name);
        if (dm && *dm == cm && !recreated.contains(cm.bridge))
            continue;
        if (recreated.contains(cm.bridge) && (!dm || dm->bridge != cm.bridge))
            continue; // goes with its bridge
        if (!dm || dm->bridge != cm.bridge) {
            Operation op = operation(K::RemoveMirror, cm.bridge, cm.name, false);
            op.vsctl << mirrorRemove(cm, ++serial);
            removeMirrors.push_back(op);
        }
    }

    // Ports.
    for (const Bridge &cb : current.bridges) {
        if (recreated.contains(cb.name) && !desired.bridge(cb.name))
            continue;
        for (const Port &cp : cb.ports) {
            auto [db, dp] = findPort(desired, cp.name);
            if (recreated.contains(cb.name))
                continue; // the bridge is re-created with its desired ports
            if (!dp || db->name != cb.name) {
                Operation op = operation(K::RemovePort, cb.name, cp.name, true);
                op.vsctl << QStringList{QStringLiteral("--if-exists"), QStringLiteral("del-port"),
                                        cb.name, cp.name};
                removes.push_back(op);
            }
        }
    }
    QSet<QString> recreatedPorts; // new Port rows: mirrors lose their references to the old ones
    for (const Bridge &db : desired.bridges) {
        const Bridge *cb = current.bridge(db.name);
        const bool fresh = recreated.contains(db.name);
        for (const Port &dp : db.ports) {
            const Port *cp = fresh || !cb ? nullptr : cb->port(dp.name);
            if (!cp) {
                Operation op = operation(K::AddPort, db.name, dp.name, false);
                op.changes << QStringLiteral("type %1").arg(portTypeName(dp.type));
                if (dp.tag >= 0)
                    op.changes << QStringLiteral("tag %1").arg(dp.tag);
                op.vsctl << addPortCommands(db.name, dp);
                ports.push_back(op);
                if (dp.type == Port::Type::Internal) {
                    Operation a = operation(K::SetAddresses, db.name, dp.name, false);
                    a.ip = addressCommands(dp, {}, true);
                    for (const QString &addr : dp.addresses)
                        a.changes << QStringLiteral("+ %1").arg(addr);
                    addresses.push_back(a);
                }
                continue;
            }
            if (cp->type != dp.type || cp->members != dp.members) {
                Operation op = operation(K::RecreatePort, db.name, dp.name, true);
                diff(op.changes, "type", portTypeName(cp->type), portTypeName(dp.type));
                diff(op.changes, "members", cp->members, dp.members);
                op.vsctl << QStringList{QStringLiteral("del-port"), db.name, dp.name};
                op.vsctl << addPortCommands(db.name, dp);
                ports.push_back(op);
                recreatedPorts.insert(dp.name);
            } else if (!sameExceptAddresses(*cp, dp)) {
                Operation op = operation(K::SetPort, db.name, dp.name, false);
                op.changes = portChanges(*cp, dp);
                op.vsctl << portColumns(dp);
                ports.push_back(op);
            }
            if (dp.type == Port::Type::Internal &&
                (cp->addresses != dp.addresses || cp->type != dp.type)) {
                Operation a = operation(K::SetAddresses, db.name, dp.name, false);
                const QStringList had = cp->type == dp.type ? cp->addresses : QStringList{};
                a.ip = addressCommands(dp, had, cp->type != dp.type);
                for (const QString &addr : had)
                    if (!dp.addresses.contains(addr))
                        a.changes << QStringLiteral("- %1").arg(addr);
                for (const QString &addr : dp.addresses)
                    if (!had.contains(addr))
                        a.changes << QStringLiteral("+ %1").arg(addr);
                addresses.push_back(a);
            }
        }
        // The flow table follows the ports' policies.
        const QStringList table = bridgeFlows(db);
        const QString digest = flowsDigest(table);
        if (fresh || !cb || cb->flowsDigest != digest) {
            Operation op = operation(K::SetFlows, db.name, db.name, false);
            op.flows = table;
            op.vsctl << QStringList{
                QStringLiteral("set"), QStringLiteral("Bridge"), db.name,
                QStringLiteral("external_ids:converge-flows=") + digest,
                QStringLiteral("external_ids:converge-flow-count=%1").arg(table.size())};
            flows.push_back(op);
        }
    }

    for (const Mirror &dm : desired.mirrors) {
        const Mirror *cm = findMirror(current.mirrors, dm.name);
        const bool gone = !cm || cm->bridge != dm.bridge || recreated.contains(dm.bridge);
        if (gone) {
            Operation op = operation(K::AddMirror, dm.bridge, dm.name, false);
            op.changes << QStringLiteral("%1 -> %2").arg(show(dm.selectSrc), dm.output);
            op.vsctl << mirrorAdd(dm, ++serial);
            mirrors.push_back(op);
        } else if (*cm != dm || recreatedPorts.contains(cm->output) ||
                   std::ranges::any_of(cm->selectSrc + cm->selectDst, [&](const QString &p) {
                       return recreatedPorts.contains(p);
                   })) {
            Operation op = operation(K::SetMirror, dm.bridge, dm.name, false);
            diff(op.changes, "sources", cm->selectSrc, dm.selectSrc);
            diff(op.changes, "destinations", cm->selectDst, dm.selectDst);
            diff(op.changes, "output", cm->output, dm.output);
            diff(op.changes, "element", cm->elementId, dm.elementId);
            if (op.changes.isEmpty())
                op.changes << QStringLiteral("follows its re-created ports");
            op.vsctl << mirrorRemove(*cm, ++serial);
            op.vsctl << mirrorAdd(dm, ++serial);
            mirrors.push_back(op);
        }
    }

    for (auto *group : {&removeMirrors, &removes, &bridges, &ports, &mirrors, &flows, &addresses})
        for (Operation &op : *group)
            plan.ops.push_back(std::move(op));
    return plan;
}

} // namespace converge::core::realize

namespace converge::core::realize {
HostState afterApply(const HostState &desired)
{
    HostState s = desired;
    s.notes.clear();
    for (Bridge &b : s.bridges)
        b.flowsDigest = flowsDigest(bridgeFlows(b));
    return s;
}
} // namespace converge::core::realize
