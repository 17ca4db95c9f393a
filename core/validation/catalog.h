#pragma once

#include "rule.h"

namespace converge::core {

// The documented rule catalog (docs/rules.md): every rule with its entry and check.
const std::vector<Rule> &ruleCatalog();
const Rule *findRule(const QString &id);

// One function per area adds its rules (core/validation/rules/*.cpp).
namespace rules {
void addTeamRules(std::vector<Rule> &out);
void addSwitchRules(std::vector<Rule> &out);
void addQosRules(std::vector<Rule> &out);
void addDcbRules(std::vector<Rule> &out);
void addVlanRules(std::vector<Rule> &out);
void addVlanModeRules(std::vector<Rule> &out);
void addMtuRules(std::vector<Rule> &out);
void addStorageRules(std::vector<Rule> &out);
void addAddressingRules(std::vector<Rule> &out);
void addOverlayRules(std::vector<Rule> &out);
void addHostRules(std::vector<Rule> &out);
void addMonitoringRules(std::vector<Rule> &out);
} // namespace rules

} // namespace converge::core
