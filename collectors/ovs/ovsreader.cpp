#include "ovsreader.h"

#include "collectors/ovs/ovsdbrows.h"
#include "collectors/ovs/ovsmeters.h"
#include "core/realize/ratelimits.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>

#include <algorithm>

namespace converge::collectors::ovs {

namespace {

using core::Error;
using core::fail;

const QString openVSwitchDb = QStringLiteral("Open_vSwitch");

bool isTrue(const QString &text)
{
    return text == QLatin1String("true");
}

// ---- ip -j addr ----

// Interface name -> global-scope addresses "10.0.0.5/24" of every interface in the calling
// thread's network namespace.
Result<QHash<QString, QStringList>> readAddresses(int timeoutMs)
{
    auto out = runChecked(findTool(QStringLiteral("ip")),
                          {QStringLiteral("-j"), QStringLiteral("addr"), QStringLiteral("show")},
                          {}, timeoutMs);
    if (!out)
        return std::unexpected(out.error());
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*out, &parseError);
    if (!doc.isArray())
        return fail(
            Error::Code::Io,
            QStringLiteral("ip -j addr show: unexpected output: %1").arg(parseError.errorString()));
    QHash<QString, QStringList> addresses;
    for (const QJsonValue &link : doc.array()) {
        const QJsonObject l = link.toObject();
        QStringList &list = addresses[l.value(QStringLiteral("ifname")).toString()];
        for (const QJsonValue &info : l.value(QStringLiteral("addr_info")).toArray()) {
            const QJsonObject a = info.toObject();
            if (a.value(QStringLiteral("scope")).toString() != QLatin1String("global"))
                continue;
            const QString local = a.value(QStringLiteral("local")).toString();
            if (local.isEmpty())
                continue;
            list << QStringLiteral("%1/%2").arg(local).arg(
                a.value(QStringLiteral("prefixlen")).toInt());
        }
        list.sort();
    }
    return addresses;
}

// ---- mapping ----

QString datapathOf(const Row &row)
{
    const QString type = row["datapath_type"].toString();
    return type.isEmpty() ? QStringLiteral("system") : type; // OVS's default
}

class Reader
{
public:
    Reader(const OvsEnv &env, const QString &where, int timeoutMs)
        : m_env(env)
        , m_where(where)
        , m_timeoutMs(timeoutMs)
    {
    }
    Result<HostReading> map(const QJsonArray &results, const QString &hostName);

private:
    Result<void> mapBridgeRow(const Row &row, HostReading &reading);
    Result<core::realize::Bridge> mapBridge(const Row &row);
    QString recognizedFlows(const Row &row, QString *unserved) const;
    QString missingSocket(const QString &bridge) const;
    Result<void> readInternalAddresses(core::realize::HostState &state) const;
    Result<core::realize::Port> mapPort(const Row &row, const core::realize::Bridge &bridge);
    core::realize::Mirror mapMirror(const QString &uuid, const QString &bridge) const;
    QString portName(const QString &uuid) const;

    const OvsEnv &m_env;
    QString m_where;
    int m_timeoutMs;
    QHash<QString, Row> m_bridges, m_ports, m_interfaces, m_mirrors;
    bool m_needAddresses = false;
};

QString Reader::portName(const QString &uuid) const
{
    return m_ports.value(uuid).columns.value(QStringLiteral("name")).toString();
}

Result<HostReading> Reader::map(const QJsonArray &results, const QString &hostName)
{
    const QJsonArray ovsRows = results.at(0).toObject().value(QStringLiteral("rows")).toArray();
    if (ovsRows.isEmpty())
        return fail(Error::Code::NotFound,
                    QStringLiteral("%1: the Open_vSwitch table has no row (was `ovs-vsctl init` "
                                   "ever run?)")
                        .arg(m_where));
    m_bridges = rowsByUuid(results.at(1));
    m_ports = rowsByUuid(results.at(2));
    m_interfaces = rowsByUuid(results.at(3));
    m_mirrors = rowsByUuid(results.at(4));

    HostReading reading;
    reading.state.host = hostName;
    const QJsonObject ovs = ovsRows.at(0).toObject();
    for (const QJsonValue &type : setItems(ovs.value(QStringLiteral("datapath_types"))))
        reading.datapathTypes << type.toString();
    reading.datapathTypes.sort();
    for (const QString &uuid : uuidSet(ovs.value(QStringLiteral("bridges"))))
        if (auto ok = mapBridgeRow(m_bridges.value(uuid), reading); !ok)
            return std::unexpected(ok.error());
    if (auto ok = readInternalAddresses(reading.state); !ok)
        return std::unexpected(ok.error());

    core::realize::HostState &state = reading.state;
    state.unmanagedBridges.sort();
    std::ranges::sort(state.bridges, {}, &core::realize::Bridge::name);
    std::ranges::sort(state.mirrors, {}, &core::realize::Mirror::name);
    state.normalize();
    std::ranges::sort(reading.unrealized, {}, &UnrealizedBridge::name);
    return reading;
}

// A bridge ovs-vswitchd does not serve is still read (the plan must be able to remove or
// re-create it), with its flow table unknown.
Result<void> Reader::mapBridgeRow(const Row &row, HostReading &reading)
{
    const QString name = row["name"].toString();
    QString unserved = missingSocket(name);
    if (!isTrue(mapItems(row["external_ids"]).value(QStringLiteral("converge-managed")))) {
        reading.state.unmanagedBridges << name;
        if (!unserved.isEmpty())
            reading.unrealized.push_back({name, datapathOf(row), false, unserved});
        return {};
    }
    auto bridge = mapBridge(row);
    if (!bridge)
        return std::unexpected(bridge.error());
    if (unserved.isEmpty())
        bridge->flowsDigest = recognizedFlows(row, &unserved);
    if (!unserved.isEmpty())
        reading.unrealized.push_back({name, bridge->datapathType, true, unserved});
    reading.state.bridges.push_back(std::move(*bridge));
    for (const QString &mirrorUuid : uuidSet(row["mirrors"]))
        if (!isCaptureRow(m_mirrors.value(mirrorUuid)))
            reading.state.mirrors.push_back(mapMirror(mirrorUuid, name));
    return {};
}

// The bridge's converge-flows while its flow count still equals converge-flow-count and its
// meters are the ones external_ids:converge-meters recorded (none recorded: not read; a meter
// deleted by hand takes its flows with it, one changed by hand shows in the meters' digest).
// When ovs-ofctl cannot read them, *UNSERVED says why.
QString Reader::recognizedFlows(const Row &row, QString *unserved) const
{
    const auto ids = mapItems(row["external_ids"]);
    const QString digest = ids.value(QStringLiteral("converge-flows"));
    bool ok = false;
    const qint64 expected = ids.value(QStringLiteral("converge-flow-count")).toLongLong(&ok);
    if (digest.isEmpty() || !ok)
        return {};
    auto count = readFlowCount(m_env, row["name"].toString(), m_timeoutMs);
    if (!count) {
        *unserved = count.error().message;
        return {};
    }
    if (*count != expected)
        return {};
    const QString recordedMeters = ids.value(QStringLiteral("converge-meters"));
    if (recordedMeters.isEmpty())
        return digest;
    auto meters = readMeters(m_env, row["name"].toString(), m_timeoutMs);
    if (!meters) {
        *unserved = meters.error().message;
        return {};
    }
    return core::realize::metersDigest(*meters) == recordedMeters ? digest : QString();
}

// Empty while ovs-vswitchd serves BRIDGE over OpenFlow, else why not. Its RUNDIR/BRIDGE.mgmt
// socket is what ovs-ofctl looks for: without it, "BRIDGE is not a bridge or a socket".
QString Reader::missingSocket(const QString &bridge) const
{
    const QDir dir(m_env.runDir.isEmpty() ? QStringLiteral("/var/run/openvswitch") : m_env.runDir);
    const QString socket = dir.filePath(bridge + QStringLiteral(".mgmt"));
    if (QFileInfo::exists(socket))
        return {};
    return QStringLiteral("ovs-vswitchd has no OpenFlow socket %1: it could not create the bridge "
                          "(see its log) or it is not running")
        .arg(socket);
}

// A tunnel port as the planner makes them (flow-based remote and key) reads as one; any other
// tunnel does not, so the plan sets it again.
core::realize::Port::Type tunnelType(const Row &interface)
{
    const QString type = interface["type"].toString();
    const auto options = mapItems(interface["options"]);
    const bool flowBased = options.size() == 2 &&
                           options.value(QStringLiteral("remote_ip")) == QLatin1String("flow") &&
                           options.value(QStringLiteral("key")) == QLatin1String("flow");
    if (type == QLatin1String("vxlan") && flowBased)
        return core::realize::Port::Type::Vxlan;
    if (type == QLatin1String("gre") && flowBased)
        return core::realize::Port::Type::Gre;
    return core::realize::Port::Type::System;
}

Result<void> Reader::readInternalAddresses(core::realize::HostState &state) const
{
    if (!m_needAddresses)
        return {};
    auto addresses = readAddresses(m_timeoutMs);
    if (!addresses)
        return std::unexpected(addresses.error());
    for (core::realize::Bridge &bridge : state.bridges)
        for (core::realize::Port &port : bridge.ports)
            if (port.type == core::realize::Port::Type::Internal)
                port.addresses = addresses->value(port.name);
    // The provider address Converge put on a bridge's interface, while it is there.
    for (core::realize::Bridge &bridge : state.bridges)
        if (!addresses->value(bridge.name).contains(bridge.providerAddress))
            bridge.providerAddress.clear();
    return {};
}

Result<core::realize::Bridge> Reader::mapBridge(const Row &row)
{
    const auto ids = mapItems(row["external_ids"]);
    core::realize::Bridge bridge;
    bridge.name = row["name"].toString();
    bridge.elementId = ids.value(QStringLiteral("converge-id"));
    bridge.datapathType = datapathOf(row);
    bridge.sriov = isTrue(ids.value(QStringLiteral("converge-sriov")));
    if (const QString pvlans = ids.value(QStringLiteral("converge-pvlans")); !pvlans.isEmpty()) {
        auto read = core::realize::pvlansFromJson(
            QJsonDocument::fromJson(pvlans.toUtf8()).array(),
            QStringLiteral("%1: bridge %2: external_ids:converge-pvlans")
                .arg(m_where, bridge.name));
        if (!read)
            return std::unexpected(read.error());
        bridge.pvlans = std::move(*read);
    }
    if (const QString overlays = ids.value(QStringLiteral("converge-overlays"));
        !overlays.isEmpty()) {
        auto read = core::realize::overlaysFromJson(
            QJsonDocument::fromJson(overlays.toUtf8()).array(),
            QStringLiteral("%1: bridge %2: external_ids:converge-overlays")
                .arg(m_where, bridge.name));
        if (!read)
            return std::unexpected(read.error());
        bridge.overlays = std::move(*read);
    }
    bridge.providerAddress = ids.value(QStringLiteral("converge-pa"));
    if (!bridge.providerAddress.isEmpty())
        m_needAddresses = true;

    for (const QString &portUuid : uuidSet(row["ports"])) {
        const Row portRow = m_ports.value(portUuid);
        if (portRow["name"].toString() == bridge.name)
            continue; // the bridge's local port
        if (isCaptureRow(portRow))
            continue; // a capture's, for as long as it runs (capturemirror.h)
        auto port = mapPort(portRow, bridge);
        if (!port)
            return std::unexpected(port.error());
        bridge.ports.push_back(std::move(*port));
    }
    std::ranges::sort(bridge.ports, {}, &core::realize::Port::name);
    return bridge;
}

Result<core::realize::Port> Reader::mapPort(const Row &row, const core::realize::Bridge &bridge)
{
    core::realize::Port port;
    port.name = row["name"].toString();
    const auto ids = mapItems(row["external_ids"]);
    const auto otherConfig = mapItems(row["other_config"]);
    port.elementId = ids.value(QStringLiteral("converge-id"));
    port.uplink = isTrue(ids.value(QStringLiteral("converge-uplink")));

    std::vector<Row> interfaces;
    for (const QString &uuid : uuidSet(row["interfaces"]))
        interfaces.push_back(m_interfaces.value(uuid));
    std::ranges::sort(interfaces, {}, [](const Row &r) { return r["name"].toString(); });

    port.bondMode = optionalString(row["bond_mode"]);
    if (interfaces.size() > 1 || !port.bondMode.isEmpty()) {
        port.type = core::realize::Port::Type::Bond;
        for (const Row &i : interfaces)
            port.members << i["name"].toString();
        port.lacp = optionalString(row["lacp"]) == QLatin1String("active");
        port.bondPrimary = otherConfig.value(QStringLiteral("bond-primary"));
    } else if (interfaces.size() == 1 &&
               interfaces.front()["type"].toString() == QLatin1String("internal")) {
        port.type = core::realize::Port::Type::Internal;
        m_needAddresses = true;
    } else if (interfaces.size() == 1) {
        port.type = tunnelType(interfaces.front());
    }

    port.vlanMode = optionalString(row["vlan_mode"]);
    port.tag = int(optionalInteger(row["tag"]).value_or(-1));
    for (const QJsonValue &t : setItems(row["trunks"]))
        port.trunks << int(t.toDouble());
    std::ranges::sort(port.trunks);
    port.isolated = row["protected"].toBool();

    // QoS and MTU live on the interface(s); a bond's members carry the same MTU. Bonds have no
    // maximum rate (the planner leaves their members' policing alone).
    for (const Row &i : interfaces) {
        if (port.mtu == 0)
            port.mtu = int(optionalInteger(i["mtu_request"]).value_or(0));
        if (port.maxRateKbps == 0 && port.type != core::realize::Port::Type::Bond)
            port.maxRateKbps = qint64(i["ingress_policing_rate"].toDouble());
    }
    // The designed rate, whichever mechanism enforces it (core/realize/ratelimits.h).
    port.maxRateKbps = core::realize::observedMaxRate(
        bridge.datapathType, port.maxRateKbps, ids.value(QStringLiteral("converge-max-rate")));

    const QString policy = ids.value(QStringLiteral("converge-policy"));
    const QString where = QStringLiteral("%1: bridge %2, port %3: external_ids:converge-policy")
                              .arg(m_where, bridge.name, port.name);
    if (!policy.isEmpty()) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(policy.toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return fail(Error::Code::InvalidInput,
                        QStringLiteral("%1: not valid JSON (%2 at offset %3)")
                            .arg(where, parseError.errorString())
                            .arg(parseError.offset));
        if (!doc.isObject())
            return fail(Error::Code::InvalidInput,
                        QStringLiteral("%1: expected a JSON object").arg(where));
        if (auto ok = port.setPolicyJson(doc.object(), where); !ok)
            return std::unexpected(ok.error());
    }
    // An overlay port as the planner makes it (core/realize/hoststate.h, overlayVlan).
    if (port.vsid >= 0 && port.tag == core::realize::overlayVlan &&
        port.vlanMode == QLatin1String("access") && port.trunks.isEmpty()) {
        port.tag = -1;
        port.vlanMode.clear();
    }
    return port;
}

core::realize::Mirror Reader::mapMirror(const QString &rowUuid, const QString &bridge) const
{
    const Row row = m_mirrors.value(rowUuid);
    core::realize::Mirror mirror;
    mirror.uuid.value = rowUuid; // the planner changes and removes the mirror by it
    mirror.name = row["name"].toString();
    mirror.bridge = bridge;
    mirror.elementId = mapItems(row["external_ids"]).value(QStringLiteral("converge-id"));
    for (const QString &uuid : uuidSet(row["select_src_port"]))
        mirror.selectSrc << portName(uuid);
    for (const QString &uuid : uuidSet(row["select_dst_port"]))
        mirror.selectDst << portName(uuid);
    mirror.selectSrc.sort();
    mirror.selectDst.sort();
    const QStringList output = uuidSet(row["output_port"]);
    if (!output.isEmpty())
        mirror.output = portName(output.front());
    return mirror;
}

} // namespace

Result<HostReading> readHost(const OvsEnv &env, OvsdbClient &client, const QString &hostName,
                             int timeoutMs)
{
    const QJsonArray ops{
        selectAll(QStringLiteral("Open_vSwitch"),
                  {QStringLiteral("bridges"), QStringLiteral("datapath_types")}),
        selectAll(QStringLiteral("Bridge"),
                  {QStringLiteral("_uuid"), QStringLiteral("name"), QStringLiteral("ports"),
                   QStringLiteral("mirrors"), QStringLiteral("datapath_type"),
                   QStringLiteral("external_ids")}),
        selectAll(QStringLiteral("Port"),
                  {QStringLiteral("_uuid"), QStringLiteral("name"), QStringLiteral("interfaces"),
                   QStringLiteral("tag"), QStringLiteral("trunks"), QStringLiteral("vlan_mode"),
                   QStringLiteral("protected"), QStringLiteral("bond_mode"), QStringLiteral("lacp"),
                   QStringLiteral("other_config"), QStringLiteral("external_ids")}),
        selectAll(QStringLiteral("Interface"),
                  {QStringLiteral("_uuid"), QStringLiteral("name"), QStringLiteral("type"),
                   QStringLiteral("mtu_request"), QStringLiteral("ingress_policing_rate"),
                   QStringLiteral("options")}),
        selectAll(QStringLiteral("Mirror"),
                  {QStringLiteral("_uuid"), QStringLiteral("name"),
                   QStringLiteral("select_src_port"), QStringLiteral("select_dst_port"),
                   QStringLiteral("output_port"), QStringLiteral("external_ids")}),
    };
    auto results = client.transact(openVSwitchDb, ops, timeoutMs);
    if (!results)
        return std::unexpected(results.error());
    Reader reader(env, QStringLiteral("OVSDB unix:%1").arg(client.socketPath()), timeoutMs);
    return reader.map(*results, hostName);
}

Result<core::realize::HostState> readHostState(const OvsEnv &env, OvsdbClient &client,
                                               const QString &hostName, int timeoutMs)
{
    auto reading = readHost(env, client, hostName, timeoutMs);
    if (!reading)
        return std::unexpected(reading.error());
    return std::move(reading->state);
}

QStringList HostReading::unrealizedManaged() const
{
    QStringList names;
    for (const UnrealizedBridge &b : unrealized)
        if (b.managed)
            names << b.name;
    names.sort();
    return names;
}

} // namespace converge::collectors::ovs
