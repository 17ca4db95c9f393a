#include "planner.h"
#include "flows.h"
#include "planlines.h"
#include "planops.h"
#include "ratelimits.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace converge::core::realize {

using namespace planops;

namespace {

using K = Operation::Kind;

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

// "a1, a2, ... and 9 more ports": who loses traffic when bridge B is re-created.
QString portsOf(const Bridge &b)
{
    QStringList names;
    for (const Port &p : b.ports)
        names << p.name;
    constexpr qsizetype kShown = 8;
    if (names.size() <= kShown)
        return names.isEmpty() ? QStringLiteral("no port")
                               : QStringLiteral("ports ") + names.join(u", ");
    return QStringLiteral("%1 and %2 more ports")
        .arg(names.first(kShown).join(u", "))
        .arg(names.size() - kShown);
}

// The changes that make a bridge be re-created rather than set (planCurrentBridge).
QStringList recreateCauses(const QStringList &changes)
{
    QStringList causes;
    for (const QString &c : changes)
        if (c.startsWith(QLatin1String("SR-IOV:")) || c.startsWith(QLatin1String("datapath:")))
            causes << c;
    return causes;
}

// Builds one plan: operations collected per group, applied group by group (see plan()).
class Planner
{
public:
    Planner(const HostState &desired, const HostState &current)
        : m_desired(desired)
        , m_current(current)
    {
    }
    Plan plan();

private:
    void planBridges();
    void planCurrentBridge(const Bridge &cb);
    void planRemovedMirrors();
    void planRemovedPorts();
    void planPorts(const Bridge &db);
    void planNewPort(const Bridge &db, const Port &dp);
    void planChangedPort(const Bridge &cb, const Port &cp, const Bridge &db, const Port &dp);
    void planAddresses(const Bridge &db, const Port &cp, const Port &dp);
    void planProviderAddress(const Bridge &db);
    void planFlows(const Bridge &db);
    void planMirror(const Mirror &dm);
    bool followsRecreatedPorts(const Mirror &cm) const;

    const HostState &m_desired;
    const HostState &m_current;
    std::vector<Operation> m_removeMirrors, m_removes, m_bridges, m_ports, m_mirrors, m_flows,
        m_addresses;
    QSet<QString> m_recreated;      // bridges re-created or removed: everything on them goes too
    QSet<QString> m_recreatedPorts; // new Port rows: mirrors lose their references to the old ones
    int m_serial = 0;               // of mirror references, unique in the plan
    QStringList m_notes;            // what the operations interrupt
};

Plan Planner::plan()
{
    planBridges();
    // Mirrors: removed or changed first, so their ports can go.
    planRemovedMirrors();
    planRemovedPorts();
    for (const Bridge &db : m_desired.bridges) {
        planPorts(db);
        planProviderAddress(db);
        // The flow table follows the ports' policies.
        planFlows(db);
    }
    for (const Mirror &dm : m_desired.mirrors)
        planMirror(dm);
    Plan plan;
    for (auto *group :
         {&m_removeMirrors, &m_removes, &m_bridges, &m_ports, &m_mirrors, &m_flows, &m_addresses})
        for (Operation &op : *group)
            plan.ops.push_back(std::move(op));
    plan.notes = m_desired.notes;
    // How maximum rates are enforced, when the plan changes anything.
    if (!plan.isEmpty())
        plan.notes += rateNotes(m_desired);
    plan.notes += m_notes;
    return plan;
}

void Planner::planBridges()
{
    for (const Bridge &cb : m_current.bridges)
        planCurrentBridge(cb);
    for (const Bridge &db : m_desired.bridges)
        if (!m_current.bridge(db.name)) {
            Operation op = operation(K::AddBridge, db.name, db.name, false);
            op.changes = planlines::newBridge(db);
            op.vsctl << bridgeAdd(db);
            m_bridges.push_back(op);
            m_recreated.insert(db.name);
        }
}

// Removed, re-created (SR-IOV or datapath changed) or re-labelled.
void Planner::planCurrentBridge(const Bridge &cb)
{
    const Bridge *db = m_desired.bridge(cb.name);
    if (!db) {
        Operation op = operation(K::RemoveBridge, cb.name, cb.name, true);
        op.vsctl << QStringList{QStringLiteral("--if-exists"), QStringLiteral("del-br"), cb.name};
        m_removes.push_back(op);
        m_recreated.insert(cb.name);
    } else if (db->sriov != cb.sriov ||
               (!db->datapathType.isEmpty() && db->datapathType != cb.datapathType)) {
        Operation op = operation(K::RecreateBridge, cb.name, cb.name, true);
        op.changes = planlines::bridgeChanges(cb, *db);
        // Re-creating a bridge cuts what runs on it: the plan says so in words.
        m_notes << QStringLiteral("bridge %1 is re-created (%2): the VMs and management vNICs on "
                                  "its %3 ports lose their traffic until the apply is done, and "
                                  "again if it is rolled back")
                       .arg(cb.name, recreateCauses(op.changes).join(u"; "))
                       .arg(cb.ports.size());
        op.changes << QStringLiteral("interrupts %1").arg(portsOf(cb));
        op.vsctl << QStringList{QStringLiteral("del-br"), cb.name};
        op.vsctl << bridgeAdd(*db);
        m_bridges.push_back(op);
        m_recreated.insert(cb.name);
    } else if (db->elementId != cb.elementId || db->pvlans != cb.pvlans ||
               db->overlays != cb.overlays || db->providerAddress != cb.providerAddress) {
        Operation op = operation(K::SetBridge, cb.name, cb.name, false);
        op.changes = planlines::bridgeChanges(cb, *db);
        QStringList set{QStringLiteral("set"), QStringLiteral("Bridge"), cb.name,
                        QStringLiteral("external_ids:converge-id=") + atom(db->elementId)};
        const auto currentIds = optionalBridgeIds(cb);
        const auto desiredIds = optionalBridgeIds(*db);
        for (size_t i = 0; i < desiredIds.size(); ++i) {
            const auto &[key, value] = desiredIds[i];
            if (!value.isEmpty())
                set << QStringLiteral("external_ids:%1=%2").arg(key, atom(value));
            else if (!currentIds[i].second.isEmpty())
                op.vsctl << QStringList{QStringLiteral("remove"), QStringLiteral("Bridge"), cb.name,
                                        QStringLiteral("external_ids"), key};
        }
        op.vsctl.prepend(set);
        m_bridges.push_back(op);
    }
}

void Planner::planRemovedMirrors()
{
    for (const Mirror &cm : m_current.mirrors) {
        const Mirror *dm = findMirror(m_desired.mirrors, cm.name);
        if (dm && *dm == cm && !m_recreated.contains(cm.bridge))
            continue;
        if (m_recreated.contains(cm.bridge) && (!dm || dm->bridge != cm.bridge))
            continue; // goes with its bridge
        if (!dm || dm->bridge != cm.bridge) {
            Operation op = operation(K::RemoveMirror, cm.bridge, cm.name, false);
            op.vsctl << mirrorRemove(cm);
            m_removeMirrors.push_back(op);
        }
    }
}

// Ports gone from the host or moved to another bridge; a re-created bridge takes its own.
void Planner::planRemovedPorts()
{
    for (const Bridge &cb : m_current.bridges) {
        if (m_recreated.contains(cb.name))
            continue;
        for (const Port &cp : cb.ports) {
            auto [db, dp] = findPort(m_desired, cp.name);
            if (!dp || db->name != cb.name) {
                // A tunnel port goes when no overlay has another host left: it cuts nothing.
                const bool tunnel = cp.type == Port::Type::Vxlan || cp.type == Port::Type::Gre;
                Operation op = operation(K::RemovePort, cb.name, cp.name, !tunnel);
                op.vsctl << QStringList{QStringLiteral("--if-exists"), QStringLiteral("del-port"),
                                        cb.name, cp.name};
                m_removes.push_back(op);
            }
        }
    }
}

void Planner::planPorts(const Bridge &db)
{
    const Bridge *cb = m_current.bridge(db.name);
    const bool fresh = m_recreated.contains(db.name);
    for (const Port &dp : db.ports) {
        const Port *cp = fresh || !cb ? nullptr : cb->port(dp.name);
        if (!cp) {
            planNewPort(db, dp);
            continue;
        }
        planChangedPort(*cb, *cp, db, dp);
        if (dp.type == Port::Type::Internal &&
            (cp->addresses != dp.addresses || cp->type != dp.type))
            planAddresses(db, *cp, dp);
    }
}

void Planner::planNewPort(const Bridge &db, const Port &dp)
{
    Operation op = operation(K::AddPort, db.name, dp.name, false);
    op.changes = planlines::newPort(db, dp);
    op.vsctl << addPortCommands(db, dp);
    m_ports.push_back(op);
    if (dp.type == Port::Type::Internal) {
        Operation a = operation(K::SetAddresses, db.name, dp.name, false);
        a.ip = addressCommands(dp, {}, true);
        for (const QString &addr : dp.addresses)
            a.changes << QStringLiteral("+ %1").arg(addr);
        m_addresses.push_back(a);
    }
}

// A new type or new bond members need a new Port row; anything else is set in place.
void Planner::planChangedPort(const Bridge &cb, const Port &cp, const Bridge &db, const Port &dp)
{
    if (cp.type != dp.type || cp.members != dp.members) {
        Operation op = operation(K::RecreatePort, db.name, dp.name, true);
        op.changes = planlines::portChanges(cb, cp, db, dp);
        op.vsctl << QStringList{QStringLiteral("del-port"), db.name, dp.name};
        op.vsctl << addPortCommands(db, dp);
        m_ports.push_back(op);
        m_recreatedPorts.insert(dp.name);
    } else if (!sameExceptAddresses(cp, dp)) {
        Operation op = operation(K::SetPort, db.name, dp.name, false);
        op.changes = planlines::portChanges(cb, cp, db, dp);
        op.vsctl << portColumns(db, dp);
        m_ports.push_back(op);
    }
}

void Planner::planAddresses(const Bridge &db, const Port &cp, const Port &dp)
{
    Operation a = operation(K::SetAddresses, db.name, dp.name, false);
    // A port that becomes internal starts without addresses.
    const QStringList had = cp.type == dp.type ? cp.addresses : QStringList{};
    a.ip = addressCommands(dp, had, cp.type != dp.type);
    for (const QString &addr : had)
        if (!dp.addresses.contains(addr))
            a.changes << QStringLiteral("- %1").arg(addr);
    for (const QString &addr : dp.addresses)
        if (!had.contains(addr))
            a.changes << QStringLiteral("+ %1").arg(addr);
    m_addresses.push_back(a);
}

// The provider address on the bridge's own interface (only the one Converge put there).
void Planner::planProviderAddress(const Bridge &db)
{
    const Bridge *cb = m_recreated.contains(db.name) ? nullptr : m_current.bridge(db.name);
    const QString had = cb ? cb->providerAddress : QString();
    if (had == db.providerAddress)
        return;
    const auto list = [](const QString &a) {
        return a.isEmpty() ? QStringList{} : QStringList{a};
    };
    Operation a = operation(K::SetAddresses, db.name, db.name, false);
    a.ip = addressCommands(db.name, list(db.providerAddress), list(had), !cb);
    if (!had.isEmpty())
        a.changes << QStringLiteral("- provider address %1").arg(had);
    if (!db.providerAddress.isEmpty())
        a.changes << QStringLiteral("+ provider address %1").arg(db.providerAddress);
    m_addresses.push_back(a);
}

void Planner::planFlows(const Bridge &db)
{
    const Bridge *cb = m_current.bridge(db.name);
    const QStringList table = bridgeFlows(db);
    const QStringList meters = meterSpecs(bridgeMeters(db));
    const QString digest = flowsDigest(table, meters);
    if (!m_recreated.contains(db.name) && cb && cb->flowsDigest == digest)
        return;
    Operation op = operation(K::SetFlows, db.name, db.name, false);
    op.changes << planlines::flowTable(db);
    // The reader records no digest for a table whose flows differ from the count it installed.
    if (cb && !m_recreated.contains(db.name) && cb->flowsDigest.isEmpty())
        op.changes << QStringLiteral("replaces a table Converge did not install (flows changed "
                                     "by hand, or lost when Open vSwitch restarted)");
    op.flows = table;
    op.meters = meters;
    if (const QString change = metersChange(db); !change.isEmpty())
        op.changes << change;
    QStringList set{QStringLiteral("set"), QStringLiteral("Bridge"), db.name,
                    QStringLiteral("external_ids:converge-flows=") + digest,
                    QStringLiteral("external_ids:converge-flow-count=%1").arg(table.size())};
    // The meters' digest only while there are meters, as the other optional keys (planops.h):
    // removed, then added back when there are meters. Both cases are commands of one shape, so
    // a bundle's script can hold the kernel's plan and the userspace one (scripts.cpp).
    const QStringList remove{QStringLiteral("remove"), QStringLiteral("Bridge"), db.name,
                             QStringLiteral("external_ids"), QStringLiteral("converge-meters")};
    op.vsctl << set << remove;
    if (meters.isEmpty())
        op.vsctl << remove;
    else
        op.vsctl << QStringList{QStringLiteral("add"), QStringLiteral("Bridge"), db.name,
                                QStringLiteral("external_ids"),
                                QStringLiteral("converge-meters=") + atom(metersDigest(meters))};
    m_flows.push_back(op);
}

bool Planner::followsRecreatedPorts(const Mirror &cm) const
{
    return m_recreatedPorts.contains(cm.output) ||
           std::ranges::any_of(cm.selectSrc + cm.selectDst,
                               [&](const QString &p) { return m_recreatedPorts.contains(p); });
}

// Added where it is missing (or went with its bridge), else re-created when it changed.
void Planner::planMirror(const Mirror &dm)
{
    const Mirror *cm = findMirror(m_current.mirrors, dm.name);
    const bool gone = !cm || cm->bridge != dm.bridge || m_recreated.contains(dm.bridge);
    if (gone) {
        Operation op = operation(K::AddMirror, dm.bridge, dm.name, false);
        op.changes << QStringLiteral("%1 -> %2").arg(show(dm.selectSrc), dm.output);
        op.vsctl << mirrorAdd(dm, ++m_serial);
        m_mirrors.push_back(op);
    } else if (*cm != dm || followsRecreatedPorts(*cm)) {
        Operation op = operation(K::SetMirror, dm.bridge, dm.name, false);
        diff(op.changes, "sources", cm->selectSrc, dm.selectSrc);
        diff(op.changes, "destinations", cm->selectDst, dm.selectDst);
        diff(op.changes, "output", cm->output, dm.output);
        diff(op.changes, "element", cm->elementId, dm.elementId);
        if (op.changes.isEmpty())
            op.changes << QStringLiteral("follows its re-created ports");
        op.vsctl << mirrorRemove(*cm);
        op.vsctl << mirrorAdd(dm, ++m_serial);
        m_mirrors.push_back(op);
    }
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

QString Operation::title() const
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
        what = QStringLiteral("re-create bridge %1").arg(target);
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
        what = QStringLiteral("~ flow table of %1").arg(bridge);
        break;
    case K::SetAddresses:
        what = QStringLiteral("~ addresses of %1").arg(target);
        break;
    }
    return what;
}

QString Operation::summary() const
{
    return changes.isEmpty() ? title() : title() + QStringLiteral(": ") + changes.join(u"; ");
}

QStringList Operation::diffLines() const
{
    const QString mark = destructive ? QStringLiteral("! ") : QStringLiteral("  ");
    const bool item = changes.size() == 1 && (changes.front().startsWith(QLatin1String("+ ")) ||
                                              changes.front().startsWith(QLatin1String("- ")));
    if (changes.size() == 1 && !item)
        return {mark + summary()};
    QStringList lines{mark + title()};
    for (const QString &change : changes)
        lines << QStringLiteral("      ") + change;
    return lines;
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
    if (!meters.isEmpty())
        o.insert(QStringLiteral("meters"), QJsonArray::fromStringList(meters));
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
        lines << o.diffLines();
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
    return Planner(desired, current).plan();
}

} // namespace converge::core::realize

namespace converge::core::realize {
HostState afterApply(const HostState &desired)
{
    HostState s = desired;
    s.notes.clear();
    for (Bridge &b : s.bridges)
        b.flowsDigest = tableDigest(b);
    return s;
}
} // namespace converge::core::realize
