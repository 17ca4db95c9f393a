#pragma once

#include <QList>
#include <QString>

#include <vector>

// A list of TCP or UDP ports as the fewest bitwise matches Open vSwitch accepts
// (ovs-fields(7) "tp_src": tcp,tp_src=0x07c0/0xfff0 matches 1984-1999).
namespace converge::core::realize {

// The ports value..value|~mask: `mask` has its high bits set and its low bits clear.
struct PortMask
{
    int value = 0;
    int mask = 0xffff;
    friend bool operator==(const PortMask &, const PortMask &) = default;
};

// PORTS (1-65535, any order, duplicates allowed) as contiguous ranges, each split into aligned
// blocks: the minimal set of masked matches covering exactly those ports.
std::vector<PortMask> portMasks(const QList<int> &ports);

// "80" for one port, "0x400/0xfc00" for a block.
QString maskText(const PortMask &m);

// How many flows one ACL with these port lists makes (flows.cpp): every pair of local and
// remote matches, unless both lists need more than one, then a conjunctive match (one flow per
// match on each side and one that carries the action). An empty list is one "any" match.
qsizetype aclFlowCount(const QList<int> &localPorts, const QList<int> &remotePorts);

} // namespace converge::core::realize
