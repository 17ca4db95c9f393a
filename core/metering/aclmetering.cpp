#include "aclmetering.h"

#include <QCryptographicHash>

namespace converge::core::metering {

bool metersInternet(const realize::Acl &acl)
{
    const QString &p = acl.remotePrefix;
    return p.isEmpty() || p == QLatin1String("0.0.0.0/0") || p == QLatin1String("::/0");
}

namespace {

QString instanceOf(const realize::Bridge &bridge, const realize::Port &port)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(bridge.flowsDigest.toUtf8());
    for (const realize::Acl &a : port.acls)
        hash.addData(QStringLiteral("%1|%2|%3|%4;")
                         .arg(a.direction, a.action, a.remotePrefix, a.localPrefix)
                         .toUtf8());
    return QString::fromLatin1(hash.result().toHex().left(16));
}

const char *metricFor(const realize::Acl &acl)
{
    const bool in = acl.direction == QLatin1String("in");
    if (metersInternet(acl))
        return in ? "acl_internet_receive_bytes_per_second"
                  : "acl_internet_transmit_bytes_per_second";
    return in ? "acl_datacenter_receive_bytes_per_second"
              : "acl_datacenter_transmit_bytes_per_second";
}

} // namespace

std::vector<CounterReading> aclReadings(const QString &host, qint64 tMs,
                                        const realize::HostState &state,
                                        const std::vector<protocol::MeterCounter> &counters)
{
    std::vector<CounterReading> readings;
    for (const realize::Bridge &b : state.bridges)
        for (const realize::Port &p : b.ports) {
            if (p.elementId.isEmpty())
                continue;
            const QString instance = instanceOf(b, p);
            QHash<QString, quint64> bytes; // by metric: the port's ACLs summed per class
            for (const protocol::MeterCounter &c : counters) {
                if (c.bridge != b.name || c.port != p.name || c.acl < 0 || c.acl >= p.acls.size() ||
                    p.acls[c.acl].action != QLatin1String("meter"))
                    continue;
                bytes[QLatin1String(metricFor(p.acls[c.acl]))] += c.bytes;
            }
            for (auto it = bytes.cbegin(); it != bytes.cend(); ++it)
                readings.push_back(
                    {SeriesKey{host, QStringLiteral("vnic/") + p.elementId, it.key()}, tMs,
                     it.value(), 64, instance});
        }
    return readings;
}

} // namespace converge::core::metering
