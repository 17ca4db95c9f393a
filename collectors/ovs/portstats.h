#pragma once

#include "collectors/ovs/ovsdbclient.h"

#include <QHash>
#include <QString>

#include <vector>

// The traffic counters of the ports that realize design elements (vNICs): Open vSwitch keeps
// them in each Interface row's statistics column (rx_bytes, tx_packets, rx_errors, ...), which
// ovs-vswitchd refreshes every few seconds (other_config:stats-update-interval, 5 s by default).
namespace converge::collectors::ovs {

struct PortCounters
{
    QString port;
    QString elementId;  // the Port row's external_ids:converge-id
    qint64 ifindex = 0; // the counters' instance: a re-created interface gets another
    QString interfaceUuid;
    QHash<QString, qint64> statistics;
};

// One OVSDB transaction: every Port with a converge-id and its (first) Interface's statistics.
Result<std::vector<PortCounters>> readPortCounters(OvsdbClient &client, int timeoutMs = 10000);
// The same from a transact result [ports select, interfaces select].
std::vector<PortCounters> portCountersOf(const QJsonArray &result);

} // namespace converge::collectors::ovs
