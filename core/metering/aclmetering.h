#pragma once

#include "core/metering/counterrate.h"
#include "core/protocol/replies.h"
#include "core/realize/hoststate.h"

#include <vector>

// Meter ACLs into the acl_* series of their vNIC (docs/metering.md, "Internet and datacenter"):
// an ACL whose remote prefix is any address (empty, 0.0.0.0/0 or ::/0) meters Internet traffic,
// Hyper-V's "default gateway" traffic; one with a narrower prefix meters datacenter traffic. On
// the wire the most specific matching ACL counts a packet (flows.cpp), so the two never overlap.
// Direction "in" (to the vNIC) is what the VM receives, "out" what it sends.
namespace converge::core::metering {

// True when the ACL meters Internet traffic (its remote side is any address).
bool metersInternet(const realize::Acl &acl);

// The counter readings of every vNIC with meter ACLs in STATE, at tMs, from the agent's meter
// counters (one per ACL). A port's readings carry its bridge's flow digest and its ACL list as
// their instance: re-installed flows start their counters again.
std::vector<CounterReading> aclReadings(const QString &host, qint64 tMs,
                                        const realize::HostState &state,
                                        const std::vector<protocol::MeterCounter> &counters);

} // namespace converge::core::metering
