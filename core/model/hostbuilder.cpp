#include "hostbuilder.h"

#include "newelements.h"

#include <QJsonArray>

#include <optional>

namespace converge::core::commands {

namespace {

using K = ElementKind;
using Placement = HostPlan::Placement;

// QoS weights of the converged template (003 §4.3.2, Table 10): Mgmt 5, LiveMigration 30,
// Cluster 20, and a default flow of 40 reserved for the guests' vNICs; 95 in all, within the
// 100 one switch has (QOS-002), with the default flow QOS-005 asks for.
constexpr int managementWeight = 5;
constexpr int liveMigrationWeight = 30;
constexpr int clusterWeight = 20;
constexpr int defaultFlowWeight = 40;
// Jumbo frames on the iSCSI NICs and vNICs, 1500 on the LAN, as in both templates.
constexpr int lanMtu = 1500;
constexpr int iscsiMtu = 9000;
// Virtual functions of the high-performance template's SR-IOV NICs (§4.3.3 sample).
constexpr int sriovFunctions = 64;
constexpr int maxNics = 64;

int dedicatedNics(const HostPlan &plan)
{
    return (plan.iscsi == Placement::Dedicated ? plan.iscsiPaths : 0) +
           (plan.liveMigration == Placement::Dedicated ? 1 : 0) +
           (plan.clusterTraffic == Placement::Dedicated ? 1 : 0);
}

// "2 for iSCSI and 1 for live migration".
QString dedicatedText(const HostPlan &plan)
{
    QStringList parts;
    if (plan.iscsi == Placement::Dedicated)
        parts << QStringLiteral("%1 for iSCSI").arg(plan.iscsiPaths);
    if (plan.liveMigration == Placement::Dedicated)
        parts << QStringLiteral("1 for live migration");
    if (plan.clusterTraffic == Placement::Dedicated)
        parts << QStringLiteral("1 for cluster traffic");
    return parts.join(QStringLiteral(", "));
}

Result<void> checkNics(const HostPlan &plan)
{
    if (plan.iscsi == Placement::Converged)
        return invalid(
            QStringLiteral("iSCSI cannot share the converged LAN switch: it needs NICs of "
                           "its own, each with its own switch, and uses MPIO instead of "
                           "a team (003_8b87448cefe986c9.txt §4.1.2)"));
    if (plan.iscsi == Placement::Dedicated && plan.iscsiPaths < 2)
        return invalid(QStringLiteral("iSCSI needs two or more dedicated NICs (paths) used with "
                                      "MPIO; the plan has %1")
                           .arg(plan.iscsiPaths));
    const int needed = dedicatedNics(plan) + 1;
    if (plan.nics < needed)
        return invalid(QStringLiteral("the plan needs at least %1 NICs (%2, and 1 for the LAN) "
                                      "but has %3")
                           .arg(needed)
                           .arg(dedicatedText(plan))
                           .arg(plan.nics));
    if (plan.nics > maxNics)
        return invalid(QStringLiteral("a host has at most %1 NICs; the plan has %2")
                           .arg(maxNics)
                           .arg(plan.nics));
    return {};
}

Result<void> checkAddresses(const HostPlan &plan)
{
    if (plan.iscsi == Placement::Dedicated && !plan.iscsiAddresses.isEmpty() &&
        plan.iscsiAddresses.size() != plan.iscsiPaths)
        return invalid(QStringLiteral("give one iSCSI address per path (%1) or none; the plan has "
                                      "%2")
                           .arg(plan.iscsiPaths)
                           .arg(plan.iscsiAddresses.size()));
    const struct
    {
        const QString &address;
        bool placed;
        const char *traffic;
    } unplaced[] = {
        {plan.liveMigrationAddress, plan.liveMigration != Placement::None, "live-migration"},
        {plan.clusterAddress, plan.clusterTraffic != Placement::None, "cluster"},
        {plan.iscsiAddresses.join(QString()), plan.iscsi != Placement::None, "iSCSI"}};
    for (const auto &u : unplaced)
        if (!u.address.isEmpty() && !u.placed)
            return invalid(QStringLiteral("the plan gives a %1 address but no %1 traffic")
                               .arg(QLatin1String(u.traffic)));
    return {};
}

Result<void> checkPlan(const Design &design, const HostPlan &plan)
{
    if (plan.name.trimmed().isEmpty())
        return invalid(QStringLiteral("the host needs a name"));
    for (const Element *host : design.elements(K::Host))
        if (host->name() == plan.name)
            return fail(Error::Code::Conflict,
                        QStringLiteral("a host named '%1' exists").arg(plan.name));
    // A cluster node needs a live-migration network (LM-001).
    if (!plan.cluster.isEmpty() && plan.liveMigration == Placement::None)
        return invalid(QStringLiteral("host '%1' is in cluster '%2' and needs live migration: "
                                      "put it on the converged switch or on a NIC of its own")
                           .arg(plan.name, plan.cluster));
    if (auto ok = checkNics(plan); !ok)
        return ok;
    return checkAddresses(plan);
}

// Adds the host's elements in order; the first refusal is kept and ends the build.
class HostBuilder
{
public:
    HostBuilder(const Design &design, const HostPlan &plan)
        : m_plan(plan)
        , m_added(design)
    {
    }

    Result<Edit> build();

private:
    QString add(K kind, const QString &parent, const QJsonObject &props);
    QString addNic(const QString &role, int mtu, bool sriov = false);
    QString addSwitch(const QString &name, const QString &uplink, QJsonObject props = {});
    void addVnic(const QString &name, const QString &sw, const QString &role,
                 const QString &address, QJsonObject props = {});
    void addHost();
    QString addLanSwitch(const QStringList &lanNics);

    const HostPlan &m_plan;
    NewElements m_added;
    QString m_host;
    int m_nextNic = 1;
    std::optional<Error> m_error;
};

QString HostBuilder::add(K kind, const QString &parent, const QJsonObject &props)
{
    if (m_error)
        return {};
    auto id = m_added.add(kind, parent, props);
    if (!id) {
        m_error =
            Error{id.error().code,
                  QStringLiteral("%1 '%2': %3")
                      .arg(kindWords(kind), props.value(key::name).toString(), id.error().message)};
        return {};
    }
    return *id;
}

QString HostBuilder::addNic(const QString &role, int mtu, bool sriov)
{
    const QString name = QStringLiteral("eth%1").arg(m_nextNic++);
    QJsonObject props{
        {key::name, name}, {key::interfaceName, name}, {key::speed, double(m_plan.speed)},
        {key::mtu, mtu},   {key::role, role},          {key::vmq, true}};
    if (sriov) {
        props.insert(key::sriov, true);
        props.insert(key::vfCount, sriovFunctions);
    }
    return add(K::PhysicalNic, m_host, props);
}

// External, shared with the management OS: each template's management OS has vNICs on every
// switch (003 §4.3.1).
QString HostBuilder::addSwitch(const QString &name, const QString &uplink, QJsonObject props)
{
    props.insert(key::name, name);
    props.insert(key::type, value::external);
    props.insert(key::uplink, uplink);
    props.insert(key::allowManagementOs, true);
    return add(K::VirtualSwitch, m_host, props);
}

void HostBuilder::addVnic(const QString &name, const QString &sw, const QString &role,
                          const QString &address, QJsonObject props)
{
    props.insert(key::name, name);
    props.insert(key::switch_, sw);
    props.insert(key::trafficRole, role);
    props.insert(key::hostInterface, QStringLiteral("vEthernet (%1)").arg(name));
    props.insert(key::vlanMode, value::untagged);
    props.insert(key::macSpoofing, false);
    if (!props.contains(key::mtu))
        props.insert(key::mtu, lanMtu);
    if (!address.isEmpty())
        props.insert(key::addresses, QJsonArray{address});
    add(K::VirtualNic, m_host, props);
}

// The converged template's team LAN (switch independent, Hyper-V Port, dVMQ, one team
// interface) and switch LAN over it; without a team the basic template's vsLAN on one NIC.
QString HostBuilder::addLanSwitch(const QStringList &lanNics)
{
    QJsonObject props;
    if (m_plan.liveMigration == Placement::Converged ||
        m_plan.clusterTraffic == Placement::Converged) {
        props.insert(key::minimumBandwidthMode, value::weight);
        props.insert(key::defaultFlowWeight, defaultFlowWeight);
    }
    if (lanNics.size() < 2 || !m_plan.team)
        return addSwitch(QStringLiteral("vsLAN"), lanNics.first(), props);
    const QString team =
        add(K::Team, m_host,
            {{key::name, QStringLiteral("LAN")},
             {key::members, QJsonArray::fromStringList(lanNics)},
             {key::mode, value::switchIndependent},
             {key::loadBalancing, value::hyperVPort},
             {key::queueMode, value::dvmq},
             {key::teamInterfaces, QJsonArray{QJsonObject{{key::name, QStringLiteral("LAN")}}}}});
    return addSwitch(QStringLiteral("LAN"), team, props);
}

void HostBuilder::addHost()
{
    QJsonObject host{{key::name, m_plan.name},
                     {key::platform, m_plan.platform},
                     {key::hardwareVirtualization, true}}; // Hyper-V needs it (§3)
    if (m_plan.platform == value::hyperv && !m_plan.edition.isEmpty())
        host.insert(key::edition, m_plan.edition);
    if (!m_plan.cluster.isEmpty())
        host.insert(key::cluster, m_plan.cluster);
    if (m_plan.iscsi == Placement::Dedicated)
        host.insert(key::mpio, true); // several iSCSI paths (§4.3.1)
    m_host = add(K::Host, {}, host);
}

// Live migration or cluster traffic: a weighted vNIC on the LAN switch, or a NIC, switch and
// vNIC of its own. Its name is also its traffic role.
struct Traffic
{
    Placement placement;
    QString name; // the traffic role, which also names its vNIC and switch
    int weight;
    QString address;
    QString nic;
    QString sw;
};

Result<Edit> HostBuilder::build()
{
    addHost();
    // NICs in template order: LAN, iSCSI, then NICs of their own for live migration and
    // cluster traffic. NICs a single LAN switch does not use are declared unused.
    const int lanCount = m_plan.nics - dedicatedNics(m_plan);
    QStringList lanNics;
    for (int i = 0; i < lanCount; ++i)
        lanNics << addNic(i == 0 || m_plan.team ? value::lan : value::unused, lanMtu);
    QStringList iscsiNics;
    for (int i = 0; m_plan.iscsi == Placement::Dedicated && i < m_plan.iscsiPaths; ++i)
        iscsiNics << addNic(value::iscsi, iscsiMtu, m_plan.iscsiSriov);
    Traffic traffic[] = {
        {m_plan.liveMigration,
         value::liveMigration,
         liveMigrationWeight,
         m_plan.liveMigrationAddress,
         {},
         {}},
        {m_plan.clusterTraffic, value::cluster, clusterWeight, m_plan.clusterAddress, {}, {}}};
    for (Traffic &t : traffic)
        if (t.placement == Placement::Dedicated)
            t.nic = addNic(t.name, lanMtu);

    const QString lanSwitch = addLanSwitch(m_plan.team ? lanNics : lanNics.mid(0, 1));
    // iSCSI: each path its own NIC, external switch and vNIC (§4.3.1, Table 8).
    QStringList sanSwitches;
    for (qsizetype i = 0; i < iscsiNics.size(); ++i) {
        QJsonObject sw;
        if (m_plan.iscsiSriov)
            sw.insert(key::sriov, true); // chosen at creation (§4.3.3)
        sanSwitches << addSwitch(QStringLiteral("vsSAN%1").arg(i + 1), iscsiNics[i], sw);
    }
    for (Traffic &t : traffic)
        t.sw = t.placement == Placement::Dedicated ? addSwitch(QStringLiteral("vs") + t.name, t.nic)
                                                   : lanSwitch;

    // The management vNIC is "Mgmt" next to other management-OS vNICs (Table 10), "LAN" alone
    // (Table 8). Only it has a gateway: the SAN vNICs are not routed.
    const bool converged = m_plan.liveMigration == Placement::Converged ||
                           m_plan.clusterTraffic == Placement::Converged;
    QJsonObject mgmt;
    if (converged)
        mgmt.insert(key::minimumBandwidthWeight, managementWeight);
    if (!m_plan.gateway.isEmpty())
        mgmt.insert(key::gateway, m_plan.gateway);
    addVnic(converged ? QStringLiteral("Mgmt") : QStringLiteral("LAN"), lanSwitch,
            value::management, m_plan.managementAddress, mgmt);
    for (const Traffic &t : traffic) {
        QJsonObject props;
        if (t.placement == Placement::Converged)
            props.insert(key::minimumBandwidthWeight, t.weight);
        if (t.placement != Placement::None)
            addVnic(t.name, t.sw, t.name, t.address, props);
    }
    for (qsizetype i = 0; i < sanSwitches.size(); ++i)
        addVnic(QStringLiteral("SAN%1").arg(i + 1), sanSwitches[i], value::iscsi,
                m_plan.iscsiAddresses.value(i), {{key::mtu, iscsiMtu}});
    if (m_error)
        return std::unexpected(*m_error);
    return m_added.edit(QStringLiteral("Add host '%1'").arg(m_plan.name));
}

} // namespace

Result<Edit> addHost(const Design &design, const HostPlan &plan)
{
    if (auto ok = checkPlan(design, plan); !ok)
        return std::unexpected(ok.error());
    return HostBuilder(design, plan).build();
}

} // namespace converge::core::commands
