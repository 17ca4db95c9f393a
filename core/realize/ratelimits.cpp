#include "ratelimits.h"

#include "core/model/labels.h"

#include <QCryptographicHash>
#include <QSet>

#include <algorithm>

namespace converge::core::realize {

namespace {

constexpr quint32 meterIdCount = 65535;
// An Ethernet header and a VLAN tag on top of the MTU.
constexpr qint64 frameOverheadBytes = 18;

bool isRateLimited(const Port &p)
{
    return p.maxRateKbps > 0 && p.type != Port::Type::Bond;
}

quint32 preferredMeterId(const QString &port)
{
    const QByteArray h =
        QCryptographicHash::hash(port.toUtf8(), QCryptographicHash::Sha256).left(4);
    quint32 v = 0;
    for (char c : h)
        v = (v << 8) | static_cast<quint8>(c);
    return 1 + v % meterIdCount;
}

QString rateText(qint64 kbps)
{
    return kbps > 0 ? core::formatBandwidth(double(kbps) * 1000) : QStringLiteral("none");
}

// How BRIDGE enforces PORT's maximum rate.
QString mechanism(const Bridge &b, const Port &p)
{
    if (usesMeters(b)) {
        const std::vector<Meter> meters = bridgeMeters(b);
        const auto m = std::ranges::find(meters, p.name, &Meter::port);
        return m == meters.end()
                   ? QStringLiteral("an OpenFlow meter on the userspace datapath")
                   : QStringLiteral("OpenFlow meter %1 on the userspace datapath").arg(m->id);
    }
    if (b.datapathType == QLatin1String("system"))
        return QStringLiteral("ingress policing on the kernel datapath");
    return QStringLiteral("ingress policing on the kernel datapath, an OpenFlow meter on the "
                          "userspace one");
}

QString limitedPorts(const Bridge &b)
{
    QStringList out;
    for (const Port &p : b.ports)
        if (isRateLimited(p))
            out << QStringLiteral("%1 (%2)").arg(p.name, rateText(p.maxRateKbps));
    return (out.size() == 1 ? QStringLiteral("port ") : QStringLiteral("ports ")) + out.join(u", ");
}

} // namespace

QString Meter::spec() const
{
    return QStringLiteral("meter=%1,kbps,burst,band=type=drop,rate=%2,burst_size=%3")
        .arg(id)
        .arg(rateKbps)
        .arg(burstKbits);
}

bool usesMeters(const Bridge &bridge)
{
    return bridge.datapathType == QLatin1String("netdev");
}

std::vector<Meter> bridgeMeters(const Bridge &bridge)
{
    std::vector<Meter> out;
    if (!usesMeters(bridge))
        return out;
    QSet<quint32> taken;
    for (const Port &p : bridge.ports) {
        if (!isRateLimited(p))
            continue;
        quint32 id = preferredMeterId(p.name);
        while (taken.contains(id))
            id = id % meterIdCount + 1;
        taken.insert(id);
        out.push_back({id, p.name, p.maxRateKbps, meterBurstKbits(p)});
    }
    return out;
}

QStringList meterSpecs(const std::vector<Meter> &meters)
{
    QStringList out;
    for (const Meter &m : meters)
        out << m.spec();
    return out;
}

qint64 meterBurstKbits(const Port &port)
{
    const qint64 mtu = port.mtu > 0 ? port.mtu : 1500;
    const qint64 twoFrames = (2 * (mtu + frameOverheadBytes) * 8 + 999) / 1000;
    return std::max(port.maxRateKbps / 2, twoFrames);
}

qint64 policingRateKbps(const Bridge &bridge, const Port &port)
{
    return usesMeters(bridge) ? 0 : port.maxRateKbps;
}

qint64 policingBurstKbits(const Bridge &bridge, const Port &port)
{
    return policingRateKbps(bridge, port) / 10;
}

QString metersDigest(QStringList specs)
{
    if (specs.isEmpty())
        return {};
    specs.sort();
    return QString::fromLatin1(
        QCryptographicHash::hash(specs.join(QLatin1Char('\n')).toUtf8(), QCryptographicHash::Sha256)
            .toHex());
}

qint64 observedMaxRate(const QString &datapathType, qint64 policingKbps, const QString &recorded)
{
    bool ok = false;
    const qint64 designed = recorded.toLongLong(&ok);
    if (!ok)
        return policingKbps;
    const qint64 policingForDesign = datapathType == QLatin1String("netdev") ? 0 : designed;
    return policingKbps == policingForDesign ? designed : policingKbps;
}

QStringList rateNotes(const HostState &desired)
{
    QStringList notes;
    for (const Bridge &b : desired.bridges) {
        if (std::ranges::none_of(b.ports, isRateLimited))
            continue;
        QString how;
        if (usesMeters(b))
            how =
                QStringLiteral(" (userspace datapath): the maximum bandwidth of %1 is enforced by "
                               "OpenFlow meters");
        else if (b.datapathType == QLatin1String("system"))
            how = QStringLiteral(" (kernel datapath): the maximum bandwidth of %1 is enforced by "
                                 "ingress policing");
        else
            how = QStringLiteral(": the maximum bandwidth of %1 is enforced by ingress policing on "
                                 "the kernel datapath, by OpenFlow meters on the userspace one,");
        notes << QStringLiteral("bridge %1%2 on what each vNIC sends into the switch; what it "
                                "receives is not limited")
                     .arg(b.name, how.arg(limitedPorts(b)));
    }
    return notes;
}

QString rateChange(const Bridge &bridge, const Port &port, qint64 currentKbps)
{
    if (currentKbps < 0)
        return QStringLiteral("maximum rate %1 (%2)")
            .arg(rateText(port.maxRateKbps), mechanism(bridge, port));
    if (port.maxRateKbps <= 0)
        return QStringLiteral("maximum rate: %1 -> none").arg(rateText(currentKbps));
    return QStringLiteral("maximum rate: %1 -> %2 (%3)")
        .arg(rateText(currentKbps), rateText(port.maxRateKbps), mechanism(bridge, port));
}

QString metersChange(const Bridge &bridge)
{
    QStringList parts;
    for (const Meter &m : bridgeMeters(bridge))
        parts << QStringLiteral("%1 (%2 %3)").arg(m.id).arg(m.port, rateText(m.rateKbps));
    if (parts.isEmpty())
        return {};
    return (parts.size() == 1 ? QStringLiteral("meter ") : QStringLiteral("meters ")) +
           parts.join(u", ");
}

QString rateMechanism(const Bridge &bridge, const Port &port)
{
    return mechanism(bridge, port);
}

} // namespace converge::core::realize
