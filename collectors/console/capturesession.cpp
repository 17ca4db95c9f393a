#include "capturesession.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QtEndian>

namespace converge::collectors {

namespace protocol = core::protocol;
using core::Result;

namespace {

QString vnicLabel(const core::Design &design, const core::Element &vnic)
{
    const core::Element *owner = design.find(vnic.parent);
    if (owner && owner->kind == core::ElementKind::VirtualMachine)
        return owner->name() + QLatin1Char('/') + vnic.name();
    return vnic.name();
}

// The port of TARGET's desired state that realizes vNIC V (by element id, name, VM/vNIC or the
// port's name).
Result<const core::realize::Port *> vnicPort(const core::Design &design, const DeployTarget &target,
                                             const QString &v, QString *label)
{
    QStringList known;
    for (const core::realize::Bridge &b : target.desired.bridges)
        for (const core::realize::Port &p : b.ports) {
            const core::Element *e = design.find(p.elementId);
            if (!e || e->kind != core::ElementKind::VirtualNic)
                continue;
            const QString name = vnicLabel(design, *e);
            if (v == e->id || v == e->name() || v == name || v == p.name) {
                *label = QStringLiteral("%1 (port %2)").arg(name, p.name);
                return &p;
            }
            known << name;
        }
    return core::fail(
        core::Error::Code::NotFound,
        QStringLiteral("%1 has no vNIC %2 (vNICs: %3)")
            .arg(target.host, v, known.isEmpty() ? QStringLiteral("none") : known.join(u", ")));
}

Result<QString> mirrorName(const core::Design &design, const DeployTarget &target, const QString &m)
{
    QStringList known;
    for (const core::realize::Mirror &mirror : target.desired.mirrors) {
        const core::Element *e = design.find(mirror.elementId);
        if (m == mirror.name || m == mirror.elementId || (e && e->name() == m))
            return mirror.name;
        known << (e ? e->name() : mirror.name);
    }
    return core::fail(
        core::Error::Code::NotFound,
        QStringLiteral("%1 has no mirror session %2 (sessions: %3)")
            .arg(target.host, m, known.isEmpty() ? QStringLiteral("none") : known.join(u", ")));
}

// The MACs of VM's vNICs on TARGET, for "traffic this VM sends or gets".
Result<QString> macOfVm(const core::Design &design, const DeployTarget &target, const QString &vm)
{
    for (const core::realize::Bridge &b : target.desired.bridges)
        for (const core::realize::Port &p : b.ports) {
            const core::Element *e = design.find(p.elementId);
            const core::Element *owner = e ? design.find(e->parent) : nullptr;
            if (owner && owner->kind == core::ElementKind::VirtualMachine &&
                (owner->name() == vm || owner->id == vm) && !p.mac.isEmpty())
                return p.mac;
        }
    return core::fail(core::Error::Code::NotFound,
                      QStringLiteral("%1 has no VM %2 with a vNIC whose MAC the design gives")
                          .arg(target.host, vm));
}

QJsonObject filterOf(const CaptureChoice &c, const QString &mac)
{
    QJsonObject f;
    if (!c.addresses.isEmpty())
        f[QStringLiteral("hosts")] = QJsonArray::fromStringList(c.addresses);
    if (!c.ports.isEmpty()) {
        QJsonArray ports;
        for (quint16 p : c.ports)
            ports.append(int(p));
        f[QStringLiteral("ports")] = ports;
    }
    if (!c.protocol.isEmpty())
        f[QStringLiteral("protocol")] = c.protocol;
    if (!mac.isEmpty())
        f[QStringLiteral("mac")] = mac;
    if (!c.bpf.isEmpty())
        f[QStringLiteral("expression")] = c.bpf;
    return f;
}

// The design's hosts by their management addresses, for the capture file's name resolution.
std::vector<std::pair<QString, QString>> namesOf(const core::Design &design)
{
    std::vector<std::pair<QString, QString>> names;
    for (const core::Element *h : design.elements(core::ElementKind::Host)) {
        const QString address =
            h->value(core::key::managementAddress).toString().section(u'/', 0, 0);
        if (!address.isEmpty())
            names.emplace_back(address, h->name());
    }
    return names;
}

} // namespace

Result<ResolvedCapture> resolveCapture(const core::Design &design, const DeployTarget &target,
                                       const CaptureChoice &choice)
{
    const int given = int(!choice.vnic.isEmpty()) + int(!choice.mirror.isEmpty()) +
                      int(!choice.interface.isEmpty());
    if (given != 1)
        return core::invalid(QStringLiteral("capture one vNIC, mirror session or interface "
                                            "(%1 given)")
                                 .arg(given));
    ResolvedCapture r;
    r.agent = target.endpoint();
    QString what;
    if (!choice.vnic.isEmpty()) {
        auto port = vnicPort(design, target, choice.vnic, &what);
        if (!port)
            return std::unexpected(port.error());
        r.request.target.port = (*port)->name;
        r.request.target.viaMirror = choice.viaMirror;
    } else if (!choice.mirror.isEmpty()) {
        auto mirror = mirrorName(design, target, choice.mirror);
        if (!mirror)
            return std::unexpected(mirror.error());
        r.request.target.mirror = *mirror;
        what = QStringLiteral("mirror session %1").arg(*mirror);
    } else {
        r.request.target.interface = choice.interface;
        what = QStringLiteral("interface %1").arg(choice.interface);
    }
    QString mac;
    if (!choice.fromVm.isEmpty()) {
        auto found = macOfVm(design, target, choice.fromVm);
        if (!found)
            return std::unexpected(found.error());
        mac = *found;
    }
    r.request.filter = filterOf(choice, mac);
    r.request.snapLength = choice.snapLength;
    r.title = target.host + QStringLiteral(" / ") + what;
    r.request.comment = QStringLiteral("host %1, %2").arg(target.host, what);
    r.request.names = namesOf(design);
    return r;
}

namespace {

struct LiveRun
{
    protocol::AgentSession &session;
    QIODevice &out;
    const LiveCaptureLimits &limits;
    qint64 capture = 0;
    LiveCaptureProgress progress;
    bool stopped = false; // capture-stop sent (or the agent ended it)
};

// Writes the packet blocks of one event, as many as the packet limit still allows.
Result<void> writeBlocks(LiveRun &run, const QByteArray &blocks)
{
    qsizetype at = 0;
    while (at + 12 <= blocks.size()) {
        if (run.limits.packets > 0 && run.progress.packets >= run.limits.packets)
            break;
        const quint32 length = qFromLittleEndian<quint32>(blocks.constData() + at + 4);
        if (length < 12 || length % 4 != 0 || at + length > blocks.size())
            return core::invalid(QStringLiteral("the agent sent a broken packet block at byte %1 "
                                                "of an event")
                                     .arg(at));
        if (run.out.write(blocks.constData() + at, length) != length)
            return core::fail(
                core::Error::Code::Io,
                QStringLiteral("cannot write the capture: %1").arg(run.out.errorString()));
        run.progress.bytes += length;
        ++run.progress.packets;
        at += length;
    }
    return {};
}

// Takes the events that came, one at a time for up to WAITMS; false when none came.
Result<bool> takeEvent(LiveRun &run, int waitMs)
{
    auto event = run.session.nextEvent(waitMs);
    if (!event)
        return std::unexpected(event.error());
    const std::optional<protocol::StreamEvent> &e = *event;
    if (!e)
        return false;
    if (e->subscription != run.capture)
        return true;
    auto packets = protocol::CapturePackets::fromJson(e->data);
    if (!packets)
        return core::invalid(QStringLiteral("the agent sent an unreadable capture event: %1")
                                 .arg(packets.error().message));
    if (auto w = writeBlocks(run, packets->blocks); !w)
        return std::unexpected(w.error());
    if (auto *file = qobject_cast<QFileDevice *>(&run.out))
        file->flush();
    run.progress.stats = packets->stats;
    if (!packets->end.isEmpty()) {
        run.progress.end = packets->end;
        run.stopped = true;
    }
    return true;
}

// Takes the events already queued, until the last one.
Result<void> drain(LiveRun &run)
{
    while (!run.stopped) {
        auto more = takeEvent(run, 0);
        if (!more)
            return std::unexpected(more.error());
        if (!*more)
            break;
    }
    return {};
}

// Stops the capture, unless the agent ended it first: then its last event is queued before
// capture-stop's refusal ("no live capture"), and that end is the answer, not the refusal.
Result<void> stopCapture(LiveRun &run)
{
    if (auto d = drain(run); !d) {
        (void)run.session.captureStop({run.capture, {}});
        return d;
    }
    if (run.stopped)
        return {};
    auto stopped = run.session.captureStop({run.capture, {}});
    if (!stopped) {
        (void)drain(run);
        return run.stopped ? Result<void>() : std::unexpected(stopped.error());
    }
    run.progress.stats = stopped->stats;
    (void)drain(run); // the last event came before the reply: it is queued
    run.stopped = true;
    return {};
}

} // namespace

Result<LiveCaptureProgress>
runLiveCapture(protocol::AgentSession &session, const protocol::CaptureStartRequest &request,
               QIODevice &out, const std::atomic_bool &stop, const LiveCaptureLimits &limits,
               const std::function<void(const LiveCaptureProgress &)> &progress)
{
    auto started = session.captureStart(request);
    if (!started)
        return std::unexpected(started.error());
    if (out.write(started->header) != started->header.size())
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot write the capture: %1").arg(out.errorString()));
    LiveRun run{session, out, limits, started->capture, {}, false};
    run.progress.bytes = started->header.size();
    QDeadlineTimer renewAt(request.leaseSec * 1000 / 3);
    const QDeadlineTimer endAt = limits.durationMs > 0 ? QDeadlineTimer(limits.durationMs)
                                                       : QDeadlineTimer(QDeadlineTimer::Forever);
    while (!run.stopped) {
        const bool full = limits.packets > 0 && run.progress.packets >= limits.packets;
        if (stop.load() || full || endAt.hasExpired()) {
            if (auto stopped = stopCapture(run); !stopped)
                return std::unexpected(stopped.error());
            break;
        }
        if (renewAt.hasExpired()) {
            if (auto r = session.captureRenew({run.capture}); !r) {
                (void)drain(run); // the agent may have ended it: its last event is queued
                if (run.stopped)
                    break;
                return std::unexpected(r.error());
            }
            renewAt.setRemainingTime(request.leaseSec * 1000 / 3);
        }
        auto took = takeEvent(run, 100);
        if (!took) {
            // The output is gone (a reader closed its pipe): the agent stops now rather than
            // when the connection closes.
            if (took.error().code == core::Error::Code::Io)
                (void)session.captureStop({run.capture, {}});
            return std::unexpected(took.error());
        }
        if (*took && progress)
            progress(run.progress);
    }
    if (progress)
        progress(run.progress);
    return run.progress;
}

Result<qint64> fetchCaptureFile(protocol::AgentSession &session, const QString &name,
                                const QString &file, const QString &localPath,
                                const std::function<void(qint64, qint64)> &progress)
{
    QFile local(localPath);
    if (!local.open(QIODevice::ReadWrite | QIODevice::Append))
        return core::fail(
            core::Error::Code::Io,
            QStringLiteral("cannot write %1: %2").arg(localPath, local.errorString()));
    qint64 offset = local.size();
    for (;;) {
        auto slice = session.captureFetch({name, file, offset, protocol::kMaxCaptureFetchBytes});
        if (!slice)
            return std::unexpected(slice.error());
        if (local.write(slice->data) != slice->data.size() || !local.flush())
            return core::fail(
                core::Error::Code::Io,
                QStringLiteral("cannot write %1: %2").arg(localPath, local.errorString()));
        offset += slice->data.size();
        if (progress)
            progress(offset, slice->fileSize);
        if (slice->data.isEmpty() || offset >= slice->fileSize)
            return offset;
    }
}

} // namespace converge::collectors
