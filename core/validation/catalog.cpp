#include "catalog.h"

#include <algorithm>

namespace converge::core {

const std::vector<Rule> &ruleCatalog()
{
    static const std::vector<Rule> catalog = [] {
        std::vector<Rule> all;
        rules::addTeamRules(all);
        rules::addSwitchRules(all);
        rules::addQosRules(all);
        rules::addDcbRules(all);
        rules::addVlanRules(all);
        rules::addVlanModeRules(all);
        rules::addMtuRules(all);
        rules::addStorageRules(all);
        rules::addAddressingRules(all);
        rules::addOverlayRules(all);
        rules::addHostRules(all);
        rules::addMonitoringRules(all);
        std::ranges::stable_sort(all, {}, [](const Rule &r) { return r.info.id; });
        return all;
    }();
    return catalog;
}

const Rule *findRule(const QString &id)
{
    for (const Rule &r : ruleCatalog())
        if (r.info.id == id)
            return &r;
    return nullptr;
}

} // namespace converge::core
