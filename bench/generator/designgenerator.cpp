#include "designgenerator.h"

#include "core/model/commands.h"

#include <QJsonArray>

#include <cstdio>
#include <cstdlib>

namespace converge::bench {

using namespace converge::core;

namespace {

class Builder
{
public:
    explicit Builder(Design &design)
        : m_design(design)
    {
    }

    QString add(ElementKind kind, const QString &parent, const QString &id, QJsonObject props)
    {
        auto edit = commands::addElement(m_design, kind, parent, props, id);
        if (!edit || !m_design.apply(*edit)) {
            std::fprintf(stderr, "generator: %s\n",
                         qPrintable(edit ? QStringLiteral("apply failed") : edit.error().message));
            std::abort();
        }
        return id;
    }

private:
    Design &m_design;
};

QString ip(int a, int b, int c, int d, int prefix)
{
    return QStringLiteral("%1.%2.%3.%4/%5").arg(a).arg(b).arg(c).arg(d).arg(prefix);
}

QString mac(int host, int index)
{
    return QStringLiteral("00-15-5D-%1-%2-%3")
        .arg(host >> 8 & 0xff, 2, 16, QLatin1Char('0'))
        .arg(host & 0xff, 2, 16, QLatin1Char('0'))
        .arg(index & 0xff, 2, 16, QLatin1Char('0'))
        .toUpper();
}

void addNics(Builder &b, const QString &h)
{
    const QStringList roles{value::lan, value::lan, value::iscsi, value::iscsi};
    for (int n = 0; n < 4; ++n) {
        const QString name = QStringLiteral("eth%1").arg(n + 1);
        b.add(ElementKind::PhysicalNic, h, QString(h + QLatin1Char('.') + name),
              {{key::name, name},
               {key::interfaceName, name},
               {key::speed, 10e9},
               {key::mtu, n < 2 ? 1500 : 9000},
               {key::role, roles[n]}});
    }
}

void addSwitches(Builder &b, const QString &h)
{
    b.add(ElementKind::Team, h, QString(h + QStringLiteral(".team")),
          {{key::name, QStringLiteral("LAN")},
           {key::members,
            QJsonArray{QString(h + QStringLiteral(".eth1")), QString(h + QStringLiteral(".eth2"))}},
           {key::mode, value::switchIndependent},
           {key::loadBalancing, value::dynamic},
           {key::queueMode, value::dvmq}});
    b.add(ElementKind::VirtualSwitch, h, QString(h + QStringLiteral(".vsLAN")),
          {{key::name, QStringLiteral("LAN")},
           {key::type, value::external},
           {key::uplink, QString(h + QStringLiteral(".team"))},
           {key::allowManagementOs, true},
           {key::minimumBandwidthMode, value::weight},
           {key::defaultFlowWeight, 40}});
    for (int s = 1; s <= 2; ++s)
        b.add(ElementKind::VirtualSwitch, h, QString(h + QStringLiteral(".vsSAN%1").arg(s)),
              {{key::name, QStringLiteral("vsSAN%1").arg(s)},
               {key::type, value::external},
               {key::uplink, QString(h + QStringLiteral(".eth%1").arg(s + 2))},
               {key::allowManagementOs, true}});
}

QJsonObject vnic(const QString &name, const QString &sw, const QString &address,
                 const QString &role, const QString &macAddress)
{
    return {{key::name, name},
            {key::switch_, sw},
            {key::addresses, QJsonArray{address}},
            {key::trafficRole, role},
            {key::mac, macAddress}};
}

void addManagementVnics(Builder &b, const QString &h, int i)
{
    const int hi = i / 250, lo = i % 250 + 1;
    QJsonObject mgmt = vnic(QStringLiteral("Mgmt"), QString(h + QStringLiteral(".vsLAN")),
                            ip(10, 100 + hi, 0, lo, 16), value::management, mac(i, 0));
    mgmt.insert(key::minimumBandwidthWeight, 5);
    mgmt.insert(key::gateway, QStringLiteral("10.%1.255.254").arg(100 + hi));
    b.add(ElementKind::VirtualNic, h, QString(h + QStringLiteral(".mgmt")), mgmt);
    QJsonObject lm = vnic(QStringLiteral("LiveMigration"), QString(h + QStringLiteral(".vsLAN")),
                          ip(192, 168, 10 + hi, lo, 24), value::liveMigration, mac(i, 1));
    lm.insert(key::minimumBandwidthWeight, 30);
    b.add(ElementKind::VirtualNic, h, QString(h + QStringLiteral(".lm")), lm);
    QJsonObject cl = vnic(QStringLiteral("Cluster"), QString(h + QStringLiteral(".vsLAN")),
                          ip(172, 16 + hi, 0, lo, 24), value::cluster, mac(i, 2));
    cl.insert(key::minimumBandwidthWeight, 20);
    b.add(ElementKind::VirtualNic, h, QString(h + QStringLiteral(".cluster")), cl);
}

void addVms(Builder &b, const QString &h, int i, int vms)
{
    for (int v = 0; v < vms; ++v) {
        const QString vm = QString(h + QStringLiteral(".vm%1").arg(v + 1));
        b.add(ElementKind::VirtualMachine, h, vm,
              {{key::name, QStringLiteral("vm%1-%2").arg(i + 1).arg(v + 1)},
               {key::vcpus, 4},
               {key::memoryMiB, 8192},
               {key::mpio, true}});
        const int n = i * vms + v + 1; // unique per VM across the design, never a network address
        const QStringList sw{QStringLiteral(".vsLAN"), QStringLiteral(".vsSAN1"),
                             QStringLiteral(".vsSAN2")};
        const QStringList nm{QStringLiteral("LAN"), QStringLiteral("SAN1"), QStringLiteral("SAN2")};
        for (int k = 0; k < 3; ++k) {
            // LAN 10.0.0.0/16, SAN1 10.1.0.0/16, SAN2 10.2.0.0/16: one address per VM.
            QJsonObject o = vnic(nm[k], QString(h + sw[k]), ip(10, k, n >> 8 & 0xff, n & 0xff, 16),
                                 k == 0 ? value::tenant : value::iscsi, mac(i, 16 + v * 3 + k));
            if (k > 0)
                o.insert(key::mtu, 9000); // jumbo frames on the iSCSI path
            o.insert(key::dhcpGuard, true);
            o.insert(key::routerGuard, true);
            if (k == 0) {
                o.insert(key::vlanMode, value::access);
                o.insert(key::accessVlan, 100 + v % 8);
            }
            b.add(ElementKind::VirtualNic, vm, QString(vm + QLatin1Char('.') + nm[k]), o);
        }
    }
}

void addPhysicalSide(Builder &b, int hosts)
{
    for (int s = 0; s * 24 < hosts; ++s) {
        const QString sw = QStringLiteral("tor%1").arg(s + 1);
        b.add(ElementKind::PhysicalSwitch, {}, sw, {{key::name, sw}});
        for (int i = s * 24; i < std::min(hosts, (s + 1) * 24); ++i) {
            for (int n = 1; n <= 2; ++n) {
                const QString port = sw + QStringLiteral(".p%1").arg((i - s * 24) * 2 + n);
                b.add(ElementKind::SwitchPort, sw, port,
                      {{key::name, QStringLiteral("Te1/0/%1").arg((i - s * 24) * 2 + n)},
                       {key::mode, value::trunk},
                       {key::allowedVlans, QJsonArray{100, 101, 102, 103, 104, 105, 106, 107}},
                       {key::nativeVlan, 100}});
                b.add(ElementKind::Link, {}, QStringLiteral("l.h%1.eth%2").arg(i + 1).arg(n),
                      {{key::name, QStringLiteral("cable")},
                       {key::a, QStringLiteral("h%1.eth%2").arg(i + 1).arg(n)},
                       {key::b, port}});
            }
        }
    }
}

} // namespace

Design generateDesign(int hosts, int vmsPerHost)
{
    Design design;
    design.setInfo({{QStringLiteral("name"), QStringLiteral("Synthetic %1-host design").arg(hosts)},
                    {QStringLiteral("description"),
                     QStringLiteral("Generated by bench/gen-design for benchmarks.")}});
    Builder b(design);
    for (int i = 0; i < hosts; ++i) {
        const QString h = QStringLiteral("h%1").arg(i + 1);
        b.add(ElementKind::Host, {}, h,
              {{key::name, QStringLiteral("hv%1").arg(i + 1, 4, 10, QLatin1Char('0'))},
               {key::platform, value::hyperv},
               {key::edition, value::datacenter},
               {key::hardwareVirtualization, true},
               {key::cluster, QStringLiteral("cluster%1").arg(i / 16 + 1)}});
        addNics(b, h);
        addSwitches(b, h);
        addManagementVnics(b, h, i);
        addVms(b, h, i, vmsPerHost);
    }
    addPhysicalSide(b, hosts);
    return design;
}

} // namespace converge::bench
