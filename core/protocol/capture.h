#pragma once

#include "core/protocol/requests.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <utility>
#include <variant>
#include <vector>

// The capture requests of the console <-> agent protocol (issue 16; docs/capture.md, "Remote
// capture"): start a capture on a host (live, streamed to this connection, or into a ring of
// pcapng files on the host), stop it, renew a live capture's lease, list, fetch and delete the
// ring captures. Same rules as requests.h and replies.h: one struct per message, fromJson
// checks everything and names the path of the first problem. The filter's fields are checked by
// the agent's capture engine (collectors/capture/captureengine.h), which owns their meaning.
namespace converge::core::protocol {

// [A-Za-z0-9._-]{1,64}, not starting with '.': a ring capture's name is a directory on the host.
bool isCaptureName(const QString &name);

// What to capture: exactly one of interface, port and mirror.
struct CaptureTarget
{
    QString interface; // a host interface, captured as it is (a physical NIC, a team member)
    QString port;      // an Open vSwitch port (a vNIC's): on its own interface, or mirrored
    QString mirror;    // a deployed mirror session of the design: its output port
    // With `port`: a temporary Open vSwitch mirror of the port into a capture port the agent
    // creates and removes (when the capture ends, its console goes away or the agent restarts).
    bool viaMirror = false;
    QJsonObject toJson() const;
    static Result<CaptureTarget> fromJson(const QJsonObject &json, const QString &path);
};

struct CaptureRing
{
    QString name;
    qint64 fileBytes = qint64(100) * 1024 * 1024;
    int files = 10;
    qint64 fileSeconds = 0;
    qint64 durationSeconds = 0;
    QJsonObject toJson() const;
    static Result<CaptureRing> fromJson(const QJsonObject &json, const QString &path);
};

constexpr int kDefaultCaptureLeaseSec = 30;
constexpr qsizetype kMaxCaptureNames = 4096;
constexpr qint64 kMaxCaptureFetchBytes = qint64(4) * 1024 * 1024;

// Starts a capture. Live (no ring): packets come on this connection as events of id `capture`
// until capture-stop, the connection closing or the lease passing without capture-renew. Ring:
// runs on the host until stopped or its duration ends, whatever happens to the console.
struct CaptureStartRequest
{
    static constexpr RequestType kType = RequestType::CaptureStart;
    CaptureTarget target;
    QJsonObject filter; // CaptureFilter's form
    int snapLength = 262144;
    QString comment; // the section header's comment: host, VM, vNIC, filter as the admin chose
    std::vector<std::pair<QString, QString>> names; // address -> name, for the pcapng NRB
    std::optional<CaptureRing> ring;
    int leaseSec = kDefaultCaptureLeaseSec;
    QJsonObject toJson() const;
    static Result<CaptureStartRequest> fromJson(const QJsonObject &body);
};

struct CaptureStopRequest
{
    static constexpr RequestType kType = RequestType::CaptureStop;
    qint64 capture = 0; // a live capture, by id; or
    QString name;       // a ring capture, by name
    QJsonObject toJson() const;
    static Result<CaptureStopRequest> fromJson(const QJsonObject &body);
};

struct CaptureRenewRequest
{
    static constexpr RequestType kType = RequestType::CaptureRenew;
    qint64 capture = 0;
    QJsonObject toJson() const;
    static Result<CaptureRenewRequest> fromJson(const QJsonObject &body);
};

struct CaptureListRequest
{
    static constexpr RequestType kType = RequestType::CaptureList;
    QJsonObject toJson() const { return {}; }
    static Result<CaptureListRequest> fromJson(const QJsonObject &body);
};

// A slice of one file of a ring capture: fetching resumes at any offset.
struct CaptureFetchRequest
{
    static constexpr RequestType kType = RequestType::CaptureFetch;
    QString name;
    QString file; // as CaptureInfo::files names it
    qint64 offset = 0;
    qint64 length = kMaxCaptureFetchBytes;
    QJsonObject toJson() const;
    static Result<CaptureFetchRequest> fromJson(const QJsonObject &body);
};

struct CaptureDeleteRequest
{
    static constexpr RequestType kType = RequestType::CaptureDelete;
    QString name;
    QJsonObject toJson() const;
    static Result<CaptureDeleteRequest> fromJson(const QJsonObject &body);
};

using CaptureRequest = std::variant<CaptureStartRequest, CaptureStopRequest, CaptureRenewRequest,
                                    CaptureListRequest, CaptureFetchRequest, CaptureDeleteRequest>;
// Validates a capture request completely (isCaptureRequest(type) holds).
Result<CaptureRequest> parseCaptureRequest(const QString &type, const QJsonObject &body);

struct CaptureStats
{
    qint64 received = 0;
    qint64 bytes = 0;
    qint64 kernelDropped = 0;
    qint64 agentDropped = 0; // ours: a slow console, a full disk
    QJsonObject toJson() const;
    static Result<CaptureStats> fromJson(const QJsonObject &json, const QString &path);
    bool operator==(const CaptureStats &) const = default;
};

struct CaptureStartReply
{
    qint64 capture = 0; // live: the id its events carry; ring: 0
    QString interface;  // what the engine opened
    QString bpf;        // the filter as compiled
    QString mirror;     // the temporary mirror, when one was made
    QByteArray header;  // live: the pcapng blocks a file of its packets starts with
    QJsonObject toJson() const;
    static Result<CaptureStartReply> fromJson(const QJsonObject &body);
};

struct CaptureFile
{
    QString name;
    qint64 bytes = 0;
};

struct CaptureInfo
{
    QString name;
    QString state; // running, finished, failed, interrupted (the agent restarted meanwhile)
    QString why;   // failed / interrupted: what happened
    QString interface;
    QString bpf;
    qint64 startedMs = 0;
    qint64 endedMs = 0; // 0 while running
    CaptureStats stats;
    std::vector<CaptureFile> files; // oldest first
    QJsonObject toJson() const;
    static Result<CaptureInfo> fromJson(const QJsonObject &json, const QString &path);
};

struct CaptureListReply
{
    std::vector<CaptureInfo> captures;
    QJsonObject toJson() const;
    static Result<CaptureListReply> fromJson(const QJsonObject &body);
};

struct CaptureStopReply
{
    CaptureStats stats;
    QJsonObject toJson() const;
    static Result<CaptureStopReply> fromJson(const QJsonObject &body);
};

struct CaptureFetchReply
{
    QByteArray data;
    qint64 fileSize = 0;   // as the file is now
    bool complete = false; // the file is closed: it grows no more
    QJsonObject toJson() const;
    static Result<CaptureFetchReply> fromJson(const QJsonObject &body);
};

// A live capture's event data: packet blocks (pcapng EPBs, as they go into a file after the
// start reply's header), how many, the counters so far, and `end` (why it ended) on the last.
struct CapturePackets
{
    QByteArray blocks;
    qint64 packets = 0;
    CaptureStats stats;
    QString end;
    QJsonObject toJson() const;
    static Result<CapturePackets> fromJson(const QJsonObject &data);
};

} // namespace converge::core::protocol
