#pragma once

#include "collectors/ovs/ovsdbclient.h"
#include "core/util/result.h"

#include <QString>

// The Open vSwitch side of a capture (issue 16, "Mirrors"): a temporary mirror of one port into
// a capture port (an internal port, whose kernel interface the capture engine opens), and the
// output port of a deployed mirror session. Everything made here is marked
// external_ids:converge-capture=ID: the reader leaves it out of the host's state (no plan
// touches it), and an agent that starts removes whatever a killed one left behind.
namespace converge::collectors::ovs {

struct CaptureMirror
{
    QString bridge;
    QString port;   // the capture port, also its interface's name ("cvcap12")
    QString mirror; // "converge-capture-12"
};

// Mirrors SOURCEPORT (both directions) into a new internal port, then waits (up to timeoutMs)
// for its kernel interface, turns IPv6 off on it (the kernel would otherwise send router
// solicitations into the bridge) and brings it up. Errors name the port or the step.
core::Result<CaptureMirror> createCaptureMirror(OvsdbClient &db, const QString &sourcePort,
                                                qint64 id, int timeoutMs = 5000);
// Removes the mirror and the capture port (nothing when they are already gone).
core::Result<void> removeCaptureMirror(OvsdbClient &db, const CaptureMirror &mirror);
// Removes every capture mirror and port on the host: what an agent killed mid-capture left.
// Returns how many rows went.
core::Result<int> removeLeftoverCaptureMirrors(OvsdbClient &db);
// The output port of the mirror named MIRROR (a design's mirror session): where its copies go.
core::Result<QString> mirrorOutputPort(OvsdbClient &db, const QString &mirror);

} // namespace converge::collectors::ovs
