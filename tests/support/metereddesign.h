#pragma once
// The design the metering report's tests share (convergectl meter, the report dialog): one host,
// VMs web (with a vNIC) and db in resource pool "Tenant A", and the day they are metered.

#include <QtGlobal>

namespace converge::testing {

inline constexpr qint64 kMeteredDayStart = 1'796'083'200'000; // 2026-12-01T00:00:00Z
inline constexpr qint64 kHourMs = 3'600'000;

inline constexpr const char *kMeteredDesign = R"({
  "schemaVersion": 1, "name": "metered",
  "hosts": [
    {"id": "h1", "name": "hv1", "platform": "linux-ovs",
     "switches": [{"id": "h1.vs", "name": "LAN", "type": "Internal"}],
     "vms": [{"id": "h1.web", "name": "web", "resourcePool": "p1",
              "vnics": [{"id": "h1.web.lan", "name": "LAN", "switch": "h1.vs"}]},
             {"id": "h1.db", "name": "db", "resourcePool": "p1"}]}
  ],
  "resourcePools": [{"id": "p1", "name": "Tenant A"}]
})";

} // namespace converge::testing
