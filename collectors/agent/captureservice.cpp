#include "captureservice.h"

#include "collectors/capture/captureengine.h"
#include "collectors/channel/channel.h"
#include "collectors/logging.h"
#include "collectors/ovs/capturemirror.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStorageInfo>
#include <QSysInfo>
#include <QThread>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

namespace converge::collectors {

namespace protocol = core::protocol;
using core::Result;

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}

std::unexpected<core::Error> refuse(const QString &code, const QString &message)
{
    return std::unexpected(core::Error{core::Error::Code::Conflict, message, code});
}

protocol::Message answerOf(qint64 id, const core::Error &e)
{
    QString code = e.reason;
    if (code.isEmpty())
        code = e.code == core::Error::Code::InvalidInput ? QStringLiteral("bad-request")
               : e.code == core::Error::Code::NotFound   ? QStringLiteral("not-found")
                                                         : QStringLiteral("capture-failed");
    return protocol::errorReply(id, code, e.message);
}

template<typename T> protocol::Message answerOf(qint64 id, const Result<T> &r)
{
    if (!r)
        return answerOf(id, r.error());
    if constexpr (std::is_void_v<T>)
        return protocol::reply(id, {});
    else
        return protocol::reply(id, r->toJson());
}

} // namespace

// What a capture's thread and the network thread share.
struct CaptureShared
{
    std::mutex mutex;
    QByteArray pending; // live: packet blocks the network thread has not sent yet
    qint64 pendingPackets = 0;
    std::unique_ptr<CaptureEngine> engine; // set before started(), kept until the capture goes
    std::unique_ptr<RingWriter> ring;
};

namespace {

// A live capture's packets, as pcapng blocks, waiting for the network thread: bounded, so a
// console that reads slowly costs drops (counted by the engine), never memory.
class LiveSink : public PacketSink
{
public:
    explicit LiveSink(CaptureShared &shared)
        : m_shared(shared)
    {
    }
    bool packet(qint64 timestampNs, std::span<const quint8> bytes, quint32 originalLength) override
    {
        std::lock_guard lock(m_shared.mutex);
        if (m_shared.pending.size() + qint64(bytes.size()) + 64 > CaptureService::kLivePendingBytes)
            return false;
        pcapng::appendPacket(m_shared.pending, timestampNs, bytes, originalLength);
        ++m_shared.pendingPackets;
        return true;
    }

private:
    CaptureShared &m_shared;
};

} // namespace

struct CaptureService::Capture
{
    qint64 id = 0;
    protocol::CaptureStartRequest request;
    QPointer<AgentConnection> connection; // live: where its packets go
    qint64 startRequestId = 0;
    std::vector<std::pair<QPointer<AgentConnection>, qint64>> stopRequests; // answered at the end
    int stopFd = -1;
    QThread *thread = nullptr;
    std::shared_ptr<CaptureShared> shared = std::make_shared<CaptureShared>();
    qint64 leaseDeadlineMs = 0;
    qint64 seq = 0;
    bool opened = false;
    QString stopReason; // why the agent stopped it by itself (empty: asked to, or it failed)
    protocol::CaptureInfo info; // ring: what NAME/capture.json keeps

    bool isLive() const { return !request.ring; }
    void requestStop(const QString &why = {})
    {
        if (stopReason.isEmpty())
            stopReason = why;
        const quint64 one = 1;
        if (stopFd >= 0)
            (void)::write(stopFd, &one, sizeof one);
    }
};

namespace {

// A ring capture's name; empty for a live one.
QString ringName(const CaptureService::Capture &c)
{
    return c.request.ring ? c.request.ring.value().name : QString();
}

struct Opened
{
    protocol::CaptureStartReply reply;
    std::optional<ovs::CaptureMirror> mirror;
};

// Where the capture reads: the target's interface, port, mirror session's output port, or a
// temporary mirror of the port made now.
Result<QString> interfaceOf(const protocol::CaptureTarget &t, ovs::OvsdbClient &db,
                            const AgentConfig &config, qint64 id, Opened &opened)
{
    if (!t.interface.isEmpty())
        return t.interface;
    if (!t.viaMirror && !t.port.isEmpty())
        return t.port;
    if (auto c = db.connectToServer(config.ovs.dbSocket, 2000); !c)
        return std::unexpected(c.error());
    if (!t.mirror.isEmpty())
        return ovs::mirrorOutputPort(db, t.mirror);
    auto mirror = ovs::createCaptureMirror(db, t.port, id);
    if (!mirror)
        return std::unexpected(mirror.error());
    opened.mirror = *mirror;
    opened.reply.mirror = mirror->mirror;
    return mirror->port;
}

QByteArray headerOf(const protocol::CaptureStartRequest &r, const CaptureEngine &engine,
                    const QString &interface, const AgentConfig &config)
{
    PcapNgInterface i;
    i.name = interface;
    i.description = r.comment.isEmpty() ? interface : r.comment;
    i.filter = engine.bpf();
    i.linkType = quint16(engine.linkType());
    i.snapLength = quint32(engine.snapLength());
    const QString host = config.hostName.isEmpty() ? QSysInfo::machineHostName() : config.hostName;
    QString comment = QStringLiteral("Captured by converged on host %1").arg(host);
    if (!r.comment.isEmpty())
        comment += QStringLiteral(": ") + r.comment;
    if (!engine.bpf().isEmpty())
        comment += QStringLiteral("; filter: ") + engine.bpf();
    return pcapng::sectionHeader(comment) + pcapng::interfaceBlock(i) +
           pcapng::nameResolution(r.names);
}

// Runs in the capture's thread: opens everything, reports, reads until stopped, cleans up.
Result<Opened> openCapture(const protocol::CaptureStartRequest &r, const AgentConfig &config,
                           qint64 id, const QString &ringDir, CaptureShared &shared,
                           ovs::OvsdbClient &db)
{
    Opened opened;
    auto filter = CaptureFilter::fromJson(r.filter);
    if (!filter)
        return std::unexpected(filter.error());
    auto interface = interfaceOf(r.target, db, config, id, opened);
    if (!interface)
        return std::unexpected(interface.error());
    CaptureOptions options;
    options.interface = *interface;
    options.filter = *filter;
    options.snapLength = r.snapLength;
    auto engine = CaptureEngine::open(options);
    if (!engine) {
        if (opened.mirror)
            (void)ovs::removeCaptureMirror(db, *opened.mirror);
        return std::unexpected(engine.error());
    }
    opened.reply.interface = *interface;
    opened.reply.bpf = (*engine)->bpf();
    const QByteArray header = headerOf(r, **engine, *interface, config);
    if (r.ring) {
        RingOptions ring{ringDir,       r.ring->name,        r.ring->fileBytes,
                         r.ring->files, r.ring->fileSeconds, r.ring->durationSeconds};
        auto writer = RingWriter::create(ring, header);
        if (!writer) {
            if (opened.mirror)
                (void)ovs::removeCaptureMirror(db, *opened.mirror);
            return std::unexpected(writer.error());
        }
        shared.ring = std::move(*writer);
    } else {
        opened.reply.header = header;
        opened.reply.capture = id;
    }
    shared.engine = std::move(*engine);
    return opened;
}

// The capture's thread after it opened: reads, then closes the ring and removes the mirror.
QString runCapture(CaptureShared &shared, int stopFd,
                   const std::optional<ovs::CaptureMirror> &mirror, ovs::OvsdbClient &db,
                   qint64 startNs)
{
    LiveSink live(shared);
    PacketSink &sink = shared.ring ? static_cast<PacketSink &>(*shared.ring) : live;
    auto ran = shared.engine->run(sink, stopFd);
    QString why = ran ? QString() : ran.error().message;
    if (shared.ring) {
        if (why.isEmpty())
            why = shared.ring->error();
        const qint64 endNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
        if (auto f =
                shared.ring->finish(pcapng::statistics(startNs, endNs, shared.engine->counters()));
            !f && why.isEmpty())
            why = f.error().message;
    }
    if (mirror) {
        if (!db.isConnected())
            (void)db.connectToServer(db.socketPath(), 2000);
        if (auto r = ovs::removeCaptureMirror(db, *mirror); !r)
            qCWarning(lcAgent).noquote() << r.error().message;
    }
    return why;
}

} // namespace

CaptureService::CaptureService(AgentConfig config, std::function<qint64()> nextId, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_nextId(std::move(nextId))
{
    m_pump.setInterval(kPumpMs);
    connect(&m_pump, &QTimer::timeout, this, &CaptureService::pump);
}

CaptureService::~CaptureService()
{
    for (auto &[id, c] : m_captures)
        c->requestStop();
    for (auto &[id, c] : m_captures) {
        if (c->thread) {
            c->thread->wait();
            delete c->thread;
        }
        if (c->request.ring && c->opened) {
            c->info.state = QStringLiteral("interrupted");
            c->info.why = QStringLiteral("the agent stopped while it ran");
            c->info.endedMs = nowMs();
            c->info.stats = statsOf(*c);
            writeInfo(*c);
        }
        ::close(c->stopFd);
    }
}

QString CaptureService::directory() const
{
    return m_config.stateDir + QStringLiteral("/captures");
}

// What a killed agent left: its temporary mirrors (which would copy a VM's traffic for ever),
// and ring captures that say "running".
void CaptureService::recover()
{
    ovs::OvsdbClient db;
    if (db.connectToServer(m_config.ovs.dbSocket, 2000)) {
        auto removed = ovs::removeLeftoverCaptureMirrors(db);
        if (!removed)
            qCWarning(lcAgent).noquote() << removed.error().message;
        else if (*removed > 0)
            qCInfo(lcAgent).noquote()
                << "removed" << *removed << "capture ports and mirrors an earlier run left";
    }
    const QDir dir(directory());
    for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        Capture c;
        c.request.ring = protocol::CaptureRing{name};
        if (!QFile::exists(infoPath(name)) && protocol::isCaptureName(name)) {
            // Made, but the agent went before the capture said it ran: its files stay listed.
            c.info.name = name;
            c.info.state = QStringLiteral("interrupted");
            c.info.why = QStringLiteral("the agent stopped while the capture started");
            writeInfo(c);
            continue;
        }
        const auto info = readInfo(name);
        if (!info || info->state != QLatin1String("running"))
            continue;
        c.info = *info;
        c.info.state = QStringLiteral("interrupted");
        c.info.why = QStringLiteral("the agent stopped while it ran");
        writeInfo(c);
    }
}

void CaptureService::serve(AgentConnection *connection, const protocol::Message &request)
{
    auto parsed = protocol::parseCaptureRequest(request.type, request.body);
    if (!parsed) {
        connection->send(answerOf(request.id, parsed.error()));
        return;
    }
    const qint64 id = request.id;
    std::visit(
        [&](auto &r) {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, protocol::CaptureStartRequest>)
                start(connection, id, std::move(r));
            else if constexpr (std::is_same_v<T, protocol::CaptureStopRequest>)
                stop(connection, id, r);
            else if constexpr (std::is_same_v<T, protocol::CaptureRenewRequest>) {
                Capture *c = find(connection, r.capture, {});
                if (c)
                    c->leaseDeadlineMs = monotonicMs() + qint64(c->request.leaseSec) * 1000;
                connection->send(c ? protocol::reply(id, {})
                                   : protocol::errorReply(id, QStringLiteral("unknown-capture"),
                                                          QStringLiteral("no live capture %1 on "
                                                                         "this connection")
                                                              .arg(r.capture)));
            } else if constexpr (std::is_same_v<T, protocol::CaptureListRequest>)
                connection->send(answerOf(id, list()));
            else if constexpr (std::is_same_v<T, protocol::CaptureFetchRequest>)
                connection->send(answerOf(id, fetch(r)));
            else
                connection->send(answerOf(id, remove(r)));
        },
        *parsed);
}

void CaptureService::start(AgentConnection *connection, qint64 requestId,
                           protocol::CaptureStartRequest request)
{
    const auto refuseWith = [&](const QString &code, const QString &what) {
        connection->send(protocol::errorReply(requestId, code, what));
    };
    if (int(m_captures.size()) >= kMaxCaptures)
        return refuseWith(QStringLiteral("busy"),
                          QStringLiteral("%1 captures already run on this host").arg(kMaxCaptures));
    if (auto filter = CaptureFilter::fromJson(request.filter); !filter)
        return refuseWith(QStringLiteral("bad-request"), filter.error().message);
    QString ringDir;
    if (request.ring) {
        ringDir = directory() + QLatin1Char('/') + request.ring->name;
        if (QFileInfo::exists(ringDir))
            return refuseWith(QStringLiteral("exists"),
                              QStringLiteral("a capture named %1 exists on this host: delete it "
                                             "or choose another name")
                                  .arg(request.ring->name));
        if (!QDir().mkpath(ringDir))
            return refuseWith(QStringLiteral("capture-failed"),
                              QStringLiteral("cannot create %1").arg(ringDir));
        const qint64 room = QStorageInfo(ringDir).bytesAvailable();
        if (room >= 0 && request.ring->fileBytes * request.ring->files > room) {
            QDir(ringDir).removeRecursively();
            return refuseWith(QStringLiteral("no-space"),
                              QStringLiteral("the ring needs %1 MB, %2 holds %3 MB free")
                                  .arg(request.ring->fileBytes * request.ring->files / 1000000)
                                  .arg(directory())
                                  .arg(room / 1000000));
        }
    }
    auto c = std::make_unique<Capture>();
    c->id = m_nextId();
    c->request = std::move(request);
    c->connection = connection;
    c->startRequestId = requestId;
    c->stopFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->stopFd < 0) { // without it the capture could never be stopped
        if (!ringDir.isEmpty())
            QDir(ringDir).removeRecursively();
        return refuseWith(QStringLiteral("capture-failed"),
                          QStringLiteral("cannot make the capture's stop descriptor: %1")
                              .arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    c->leaseDeadlineMs = monotonicMs() + qint64(c->request.leaseSec) * 1000;
    const qint64 id = c->id;
    QPointer<CaptureService> self(this);
    c->thread = QThread::create([self, id, r = c->request, config = m_config, ringDir,
                                 shared = c->shared, stopFd = c->stopFd] {
        ovs::OvsdbClient db;
        const qint64 startNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
        auto opened = openCapture(r, config, id, ringDir, *shared, db);
        Result<protocol::CaptureStartReply> reply =
            opened ? Result<protocol::CaptureStartReply>(opened->reply)
                   : std::unexpected(opened.error());
        QMetaObject::invokeMethod(self, [self, id, reply] {
            if (self)
                self->started(id, reply);
        });
        if (!opened)
            return;
        const QString why = runCapture(*shared, stopFd, opened->mirror, db, startNs);
        QMetaObject::invokeMethod(self, [self, id, why] {
            if (self)
                self->ended(id, why);
        });
    });
    c->thread->setObjectName(QStringLiteral("converged-capture-%1").arg(id));
    c->thread->start();
    m_captures.emplace(id, std::move(c));
}

void CaptureService::started(qint64 id, const Result<protocol::CaptureStartReply> &result)
{
    auto it = m_captures.find(id);
    if (it == m_captures.end())
        return;
    Capture &c = *it->second;
    if (c.connection)
        c.connection->send(answerOf(c.startRequestId, result));
    if (!result) {
        qCInfo(lcAgent).noquote() << "capture" << id << "did not start:" << result.error().message;
        if (c.request.ring)
            QDir(directory() + QLatin1Char('/') + c.request.ring->name).removeRecursively();
        c.thread->wait();
        delete c.thread;
        ::close(c.stopFd);
        m_captures.erase(it);
        return;
    }
    c.opened = true;
    // The lease runs from when the capture reads, not from the request: making a mirror and
    // opening the interface may take a while.
    c.leaseDeadlineMs = monotonicMs() + qint64(c.request.leaseSec) * 1000;
    qCInfo(lcAgent).noquote() << "capture" << id << "reads" << result->interface
                              << (result->bpf.isEmpty() ? QString() : QStringLiteral("filter ") + result->bpf)
                              << (result->mirror.isEmpty() ? QString() : QStringLiteral("through ") + result->mirror);
    if (c.request.ring) {
        c.info.name = c.request.ring->name;
        c.info.state = QStringLiteral("running");
        c.info.interface = result->interface;
        c.info.bpf = result->bpf;
        c.info.startedMs = nowMs();
        writeInfo(c);
    }
    if (!m_pump.isActive())
        m_pump.start();
}

void CaptureService::ended(qint64 id, const QString &why)
{
    auto it = m_captures.find(id);
    if (it == m_captures.end())
        return;
    Capture &c = *it->second;
    c.thread->wait();
    delete c.thread;
    c.thread = nullptr;
    ::close(c.stopFd);
    c.stopFd = -1;
    const protocol::CaptureStats stats = statsOf(c);
    if (c.isLive())
        sendPending(c, !why.isEmpty()            ? why
                       : !c.stopReason.isEmpty() ? c.stopReason
                                                 : QStringLiteral("stopped"));
    else {
        c.info.state = why.isEmpty() ? QStringLiteral("finished") : QStringLiteral("failed");
        c.info.why = why;
        c.info.endedMs = nowMs();
        c.info.stats = stats;
        writeInfo(c);
    }
    qCInfo(lcAgent).noquote() << "capture" << id << "ended" << (why.isEmpty() ? QString() : why)
                              << "after" << stats.received << "packets," << stats.kernelDropped
                              << "dropped by the kernel," << stats.agentDropped << "by the agent";
    for (const auto &[connection, requestId] : c.stopRequests)
        if (connection)
            connection->send(
                protocol::reply(requestId, protocol::CaptureStopReply{stats}.toJson()));
    m_captures.erase(it);
    if (m_captures.empty())
        m_pump.stop();
}

void CaptureService::stop(AgentConnection *connection, qint64 requestId,
                          const protocol::CaptureStopRequest &request)
{
    Capture *c = find(connection, request.capture, request.name);
    if (!c) {
        connection->send(protocol::errorReply(
            requestId, QStringLiteral("unknown-capture"),
            request.name.isEmpty()
                ? QStringLiteral("no live capture %1 on this connection").arg(request.capture)
                : QStringLiteral("no ring capture %1 runs on this host").arg(request.name)));
        return;
    }
    c->stopRequests.emplace_back(connection, requestId);
    c->requestStop(QStringLiteral("stopped"));
}

CaptureService::Capture *CaptureService::find(AgentConnection *connection, qint64 id,
                                              const QString &name)
{
    for (auto &[key, c] : m_captures) {
        if (!c->opened)
            continue;
        if (!name.isEmpty() && ringName(*c) == name)
            return c.get();
        if (name.isEmpty() && key == id && c->isLive() && c->connection == connection)
            return c.get();
    }
    return nullptr;
}

// Every kPumpMs: each live capture's packets go to its console (unless it is behind: then they
// wait, and the capture drops beyond kLivePendingBytes); a capture whose console is gone or
// whose lease passed stops.
void CaptureService::pump()
{
    const qint64 now = monotonicMs();
    for (auto &[id, c] : m_captures) {
        if (!c->opened || !c->isLive() || c->stopFd < 0)
            continue;
        if (!c->connection || !c->connection->isOpen()) {
            qCInfo(lcAgent).noquote() << "capture" << id << "stops: its console is gone";
            c->requestStop(QStringLiteral("the console went away"));
        } else if (now > c->leaseDeadlineMs) {
            const QString why = QStringLiteral("its lease of %1 s passed without a renewal")
                                    .arg(c->request.leaseSec);
            qCInfo(lcAgent).noquote() << "capture" << id << "stops:" << why;
            c->requestStop(why);
        } else
            sendPending(*c);
    }
}

// Sends what waits as one event (END set: the last one, even when empty, and even to a console
// that is behind). False when the console is behind: the packets stay.
bool CaptureService::sendPending(Capture &c, const QString &end)
{
    if (!c.connection)
        return false;
    protocol::CapturePackets event;
    {
        std::lock_guard lock(c.shared->mutex);
        event.blocks = c.shared->pending;
        event.packets = c.shared->pendingPackets;
    }
    if (event.packets == 0 && end.isEmpty())
        return true;
    event.stats = statsOf(c);
    event.end = end;
    if (!end.isEmpty()) {
        // The last event goes even to a console that is behind: it is the only word that the
        // capture ended and why, and it comes once (at most kLivePendingBytes of packets).
        c.connection->send({QStringLiteral("event"),
                            c.id,
                            {{QStringLiteral("seq"), double(c.seq + 1)},
                             {QStringLiteral("data"), event.toJson()}}});
    } else if (!c.connection->sendEvent(c.id, c.seq + 1, event.toJson()))
        return false;
    ++c.seq;
    std::lock_guard lock(c.shared->mutex);
    c.shared->pending.remove(0, event.blocks.size());
    c.shared->pendingPackets -= event.packets;
    return true;
}

protocol::CaptureStats CaptureService::statsOf(const Capture &c) const
{
    // The capture thread sets the engine before it reports started(): until then it is not ours
    // to read.
    if (!c.opened || !c.shared->engine)
        return c.info.stats;
    const CaptureCounters n = c.shared->engine->counters();
    return {n.received, n.bytes, n.kernelDropped, n.ourDropped};
}

void CaptureService::writeInfo(const Capture &c) const
{
    if (!c.request.ring)
        return;
    QSaveFile file(infoPath(c.request.ring->name));
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(c.info.toJson()).toJson()) < 0 || !file.commit())
        qCWarning(lcAgent).noquote() << "cannot write" << file.fileName() << file.errorString();
}

QString CaptureService::infoPath(const QString &name) const
{
    return directory() + QLatin1Char('/') + name + QStringLiteral("/capture.json");
}

// A ring capture's state as its capture.json keeps it: nothing when it is missing, larger than a
// state file can be, or unreadable.
std::optional<protocol::CaptureInfo> CaptureService::readInfo(const QString &name) const
{
    QFile file(infoPath(name));
    if (!file.open(QIODevice::ReadOnly) || file.size() > qint64(1024) * 1024)
        return std::nullopt;
    auto info = protocol::CaptureInfo::fromJson(QJsonDocument::fromJson(file.readAll()).object(),
                                                file.fileName());
    return info ? std::optional(std::move(*info)) : std::nullopt;
}

Result<protocol::CaptureListReply> CaptureService::list() const
{
    protocol::CaptureListReply reply;
    const QDir dir(directory());
    for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (!protocol::isCaptureName(name))
            continue;
        const QDir captureDir(dir.filePath(name));
        auto read = readInfo(name);
        if (!read || read->name != name)
            continue; // not started yet, or not one of ours
        protocol::CaptureInfo info = std::move(*read);
        for (const auto &[id, c] : m_captures)
            if (ringName(*c) == name)
                info.stats = statsOf(*c);
        for (const QFileInfo &f :
             captureDir.entryInfoList({QStringLiteral("*.pcapng")}, QDir::Files, QDir::Name))
            info.files.push_back({f.fileName(), f.size()});
        reply.captures.push_back(std::move(info));
    }
    return reply;
}

Result<protocol::CaptureFetchReply>
CaptureService::fetch(const protocol::CaptureFetchRequest &request) const
{
    const QString path =
        directory() + QLatin1Char('/') + request.name + QLatin1Char('/') + request.file;
    if (!request.file.endsWith(QLatin1String(".pcapng")))
        return refuse(QStringLiteral("bad-request"),
                      QStringLiteral("body.file: %1 is not a capture file").arg(request.file));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return refuse(QStringLiteral("not-found"),
                      QStringLiteral("capture %1 has no file %2").arg(request.name, request.file));
    protocol::CaptureFetchReply reply;
    reply.fileSize = file.size();
    if (request.offset > reply.fileSize)
        return refuse(QStringLiteral("bad-request"),
                      QStringLiteral("body.offset: %1 is past the end of %2 (%3 bytes)")
                          .arg(request.offset)
                          .arg(request.file)
                          .arg(reply.fileSize));
    file.seek(request.offset);
    reply.data = file.read(request.length);
    // A file grows while its ring writes it: the newest file of a running capture.
    bool running = false;
    for (const auto &[id, c] : m_captures)
        running = running || (ringName(*c) == request.name);
    const QStringList files = QDir(directory() + QLatin1Char('/') + request.name)
                                  .entryList({QStringLiteral("*.pcapng")}, QDir::Files, QDir::Name);
    reply.complete = !running || (!files.isEmpty() && files.last() != request.file);
    return reply;
}

Result<void> CaptureService::remove(const protocol::CaptureDeleteRequest &request)
{
    for (const auto &[id, c] : m_captures)
        if (ringName(*c) == request.name)
            return refuse(QStringLiteral("busy"),
                          QStringLiteral("capture %1 is running: stop it first").arg(request.name));
    QDir dir(directory() + QLatin1Char('/') + request.name);
    if (!dir.exists())
        return refuse(QStringLiteral("not-found"),
                      QStringLiteral("no capture %1 on this host").arg(request.name));
    if (!dir.removeRecursively())
        return refuse(QStringLiteral("capture-failed"),
                      QStringLiteral("cannot delete all of %1").arg(dir.path()));
    return {};
}

} // namespace converge::collectors
