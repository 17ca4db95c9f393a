#include "portstats.h"

#include "collectors/ovs/ovsdbrows.h"

namespace converge::collectors::ovs {

Result<std::vector<PortCounters>> readPortCounters(OvsdbClient &client, int timeoutMs)
{
    const QJsonArray ops{
        selectAll(QStringLiteral("Port"),
                  {QStringLiteral("_uuid"), QStringLiteral("name"), QStringLiteral("interfaces"),
                   QStringLiteral("external_ids")}),
        selectAll(QStringLiteral("Interface"), {QStringLiteral("_uuid"), QStringLiteral("ifindex"),
                                                QStringLiteral("statistics")})};
    auto result = client.transact(QStringLiteral("Open_vSwitch"), ops, timeoutMs);
    if (!result)
        return std::unexpected(result.error());
    return portCountersOf(*result);
}

std::vector<PortCounters> portCountersOf(const QJsonArray &result)
{
    std::vector<PortCounters> counters;
    if (result.size() < 2)
        return counters;
    const QHash<QString, Row> interfaces = rowsByUuid(result.at(1));
    for (const Row &port : rowsByUuid(result.at(0))) {
        const QString id = mapItems(port["external_ids"]).value(QStringLiteral("converge-id"));
        const QStringList members = uuidSet(port["interfaces"]);
        if (id.isEmpty() || members.isEmpty())
            continue;
        // A vNIC's port has one interface; a bond's first member stands for none of it.
        if (members.size() != 1)
            continue;
        const auto it = interfaces.find(members.first());
        if (it == interfaces.end())
            continue;
        counters.push_back({port["name"].toString(), id,
                            optionalInteger((*it)["ifindex"]).value_or(0), it->uuid,
                            integerMapItems((*it)["statistics"])});
    }
    return counters;
}

} // namespace converge::collectors::ovs
