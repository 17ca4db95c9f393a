#pragma once

#include "design.h"

#include <QStringList>

namespace converge::core {

// What the designer's palette adds: a new element of a kind with a free default name and the
// properties it needs to be valid (a subnet gets a prefix no other subnet overlaps, a VLAN an
// unused id, a NIC the next free ethN).
namespace palette {

// The kinds the palette offers, in the order it shows them (links are made by connecting,
// suppressions by accepting a finding).
QList<ElementKind> kinds();

// Where a new element of `kind` goes given the selection: the nearest selected element (or
// owner of one) that may own it; empty for top-level kinds. An error names what to select
// ("Select a host or a VM to add a vNIC to").
Result<QString> ownerFor(const Design &design, ElementKind kind, const QStringList &selection);

// The edit adding one new element under `parent` ("Add virtual switch 'vSwitch 2'"); the
// added element is the edit's first op.
Result<Edit> addDefault(const Design &design, ElementKind kind, const QString &parent);

} // namespace palette
} // namespace converge::core
