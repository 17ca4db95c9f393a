#pragma once

#include "collectors/console/deployer.h"
#include "core/model/design.h"
#include "core/protocol/agentsession.h"

#include <QIODevice>

#include <atomic>
#include <functional>

// The console's side of remote capture (issue 16; docs/capture.md, "Remote capture"): what a
// design's host, vNIC, mirror session or interface means to the agent, a live capture run into
// a pcapng stream (a file the capture window follows, convergectl's -w, the extcap's fifo), and
// a ring capture's file fetched and resumed. Over AgentSession only, like the rest of the
// console library: tests give a fake, the TLS channel the real thing.
namespace converge::collectors {

// What the admin chose. One of vnic, mirror and interface.
struct CaptureChoice
{
    QString vnic;          // a vNIC of the host: its element id, name, "VM/vNIC", or its port name
    QString mirror;        // a mirror session of the design, by element id or name
    QString interface;     // a host interface, as the host names it
    bool viaMirror = true; // vnic: through a temporary mirror (false: on its port directly)
    QStringList addresses; // host/IP or prefixes
    QList<quint16> ports;
    QString protocol;
    QString fromVm; // a VM of the host whose vNICs' MACs select the traffic it sends or gets
    QString bpf;    // raw BPF, and'ed
    int snapLength = 262144;
};

struct ResolvedCapture
{
    core::protocol::AgentEndpoint agent;
    core::protocol::CaptureStartRequest request;
    QString title; // "h1 / web1 / eth0 (port vnet3)"
};

// Turns the choice into the request for TARGET's agent. Errors name what is unknown ("h1 has no
// vNIC web9 (vNICs: web1/eth0, web2/eth0)").
core::Result<ResolvedCapture> resolveCapture(const core::Design &design, const DeployTarget &target,
                                             const CaptureChoice &choice);

struct LiveCaptureLimits
{
    qint64 packets = 0;    // stop after this many (0: no limit)
    qint64 durationMs = 0; // stop after this long (0: no limit)
};

struct LiveCaptureProgress
{
    qint64 packets = 0;                 // written to the output
    qint64 bytes = 0;                   // of output
    core::protocol::CaptureStats stats; // the agent's counters, as of its last event
    QString end; // the agent ended the capture: why ("stopped" when asked to)
};

// Runs a live capture: starts it, writes the start reply's header and then every packet block
// to OUT (flushed per event, so a reader following the file sees packets as they come), renews
// the lease, and stops it when STOP becomes true, a limit is reached, or the agent ends it.
// PROGRESS (optional) is called after each event. Returns the final counts.
core::Result<LiveCaptureProgress>
runLiveCapture(core::protocol::AgentSession &session,
               const core::protocol::CaptureStartRequest &request, QIODevice &out,
               const std::atomic_bool &stop, const LiveCaptureLimits &limits = {},
               const std::function<void(const LiveCaptureProgress &)> &progress = {});

// Fetches FILE of ring capture NAME into LOCALPATH, resuming after what LOCALPATH already
// holds; returns the bytes the local file holds at the end. A file the ring still writes is
// fetched as far as it goes (call again later for the rest).
core::Result<qint64>
fetchCaptureFile(core::protocol::AgentSession &session, const QString &name, const QString &file,
                 const QString &localPath,
                 const std::function<void(qint64 done, qint64 size)> &progress = {});

} // namespace converge::collectors
