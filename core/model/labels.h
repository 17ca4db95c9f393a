#pragma once

#include "element.h"

#include <QList>
#include <QString>

#include <array>

namespace converge::core {

// Texts that name elements and values for people, one wording each, shared by findings, reports,
// the tree and the inspector.

// Bandwidth units, smallest first: SI prefixes (powers of 1000) on the bit per second, written
// as unit symbols ("Gb/s", not "Gbps").
struct BandwidthUnit
{
    const char *name;
    qint64 bitsPerSecond;
};
inline constexpr std::array<BandwidthUnit, 5> bandwidthUnits{{{"b/s", 1},
                                                              {"kb/s", 1'000},
                                                              {"Mb/s", 1'000'000},
                                                              {"Gb/s", 1'000'000'000},
                                                              {"Tb/s", 1'000'000'000'000}}};

// 10e9 -> "10 Gb/s", 2.5e9 -> "2.5 Gb/s", 300e6 -> "300 Mb/s": the largest unit the value
// reaches, at most four significant digits.
QString formatBandwidth(double bitsPerSecond);

// VLAN ids in order, runs as ranges: {30, 10, 11, 12} -> "10-12, 30".
QString formatVlanList(QList<int> ids);

// How a finding names an element: "NIC 'eth1'", "virtual switch 'LAN'".
QString elementLabel(const Element &e);

// "vNIC 'LAN' of VM 'g1' on host 'hv1'"; "vNIC 'Mgmt' on host 'hv1'" for the management OS.
// `vm` is the VM the vNIC belongs to (null: the management OS's), `host` the host it sits on
// (null: none).
QString vnicLabel(const Element &vnic, const Element *vm, const Element *host);

} // namespace converge::core
