#include "capture.h"

#include "core/util/jsonreader.h"
#include "frame.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace converge::core::protocol {

namespace {

constexpr qint64 kMaxFileBytes = qint64(4) * 1024 * 1024 * 1024;
constexpr qint64 kMaxSeconds = qint64(366) * 24 * 3600;

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

// Base64 bytes at KEY, at most maxBytes once decoded.
QByteArray bytesOf(JsonReader &r, const QString &key, qint64 maxBytes, bool required)
{
    const QString text = r.str(key, required);
    if (text.size() > (maxBytes + 2) / 3 * 4) {
        r.fail(key, QStringLiteral("holds more than %1 bytes").arg(maxBytes));
        return {};
    }
    auto decoded =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        r.fail(key, QStringLiteral("is not base64"));
        return {};
    }
    return *decoded;
}

QString nameOf(JsonReader &r, const QString &key, bool required)
{
    const QString name = r.str(key, required);
    if ((required || !name.isEmpty()) && r.ok() && !isCaptureName(name))
        r.fail(key, QStringLiteral("\"%1\" is not a capture name ([A-Za-z0-9._-]{1,64}, not "
                                   "starting with '.')")
                        .arg(name.left(80)));
    return name;
}

qint64 idOf(JsonReader &r, bool required)
{
    return r.integer(QStringLiteral("capture"), 1, kMaxMessageId, 0, required);
}

std::vector<std::pair<QString, QString>> namesOf(JsonReader &r)
{
    std::vector<std::pair<QString, QString>> names;
    const QJsonArray list = r.array(QStringLiteral("names"));
    if (list.size() > kMaxCaptureNames) {
        r.fail(QStringLiteral("names"),
               QStringLiteral("has more than %1 entries").arg(kMaxCaptureNames));
        return {};
    }
    for (qsizetype i = 0; i < list.size() && r.ok(); ++i) {
        JsonReader e = JsonReader(r.object(list, i, QStringLiteral("names")),
                                  r.where(QStringLiteral("names[%1]").arg(i)));
        e.unknownKeys({QStringLiteral("address"), QStringLiteral("name")});
        const QString address = e.str(QStringLiteral("address"), true);
        const QString name = e.str(QStringLiteral("name"), true);
        if (e.ok() && (address.size() > 64 || name.isEmpty() || name.size() > 255))
            e.fail(QStringLiteral("name"), QStringLiteral("must be 1-255 characters, the address "
                                                          "at most 64"));
        if (!e.ok()) {
            r.fail(QStringLiteral("names"), e.error());
            return {};
        }
        names.emplace_back(address, name);
    }
    return names;
}

template<typename T> Result<CaptureRequest> parseAs(const QJsonObject &body)
{
    auto r = T::fromJson(body);
    if (!r)
        return std::unexpected(r.error());
    return CaptureRequest(std::move(*r));
}

} // namespace

bool isCaptureName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"));
    return pattern.match(name).hasMatch();
}

QJsonObject CaptureTarget::toJson() const
{
    QJsonObject o;
    if (!interface.isEmpty())
        o[QStringLiteral("interface")] = interface;
    if (!port.isEmpty())
        o[QStringLiteral("port")] = port;
    if (!mirror.isEmpty())
        o[QStringLiteral("mirror")] = mirror;
    if (viaMirror)
        o[QStringLiteral("viaMirror")] = true;
    return o;
}

Result<CaptureTarget> CaptureTarget::fromJson(const QJsonObject &json, const QString &path)
{
    JsonReader r(json, path);
    r.unknownKeys({QStringLiteral("interface"), QStringLiteral("port"), QStringLiteral("mirror"),
                   QStringLiteral("viaMirror")});
    CaptureTarget t;
    t.interface = r.str(QStringLiteral("interface"));
    t.port = r.str(QStringLiteral("port"));
    t.mirror = r.str(QStringLiteral("mirror"));
    t.viaMirror = r.boolean(QStringLiteral("viaMirror"), false);
    const int given =
        int(!t.interface.isEmpty()) + int(!t.port.isEmpty()) + int(!t.mirror.isEmpty());
    if (r.ok() && given != 1)
        r.fail(
            QStringLiteral("interface"),
            QStringLiteral("give exactly one of interface, port and mirror (%1 given)").arg(given));
    for (const QString *name : {&t.interface, &t.port, &t.mirror})
        if (r.ok() && (name->size() > 255 || name->contains(QChar(0))))
            r.fail(QStringLiteral("interface"), QStringLiteral("a name is at most 255 characters"));
    if (r.ok() && t.viaMirror && t.port.isEmpty())
        r.fail(QStringLiteral("viaMirror"), QStringLiteral("mirrors a port: give port"));
    return r.checked(std::move(t));
}

QJsonObject CaptureRing::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("fileBytes"), double(fileBytes)},
            {QStringLiteral("files"), files},
            {QStringLiteral("fileSeconds"), double(fileSeconds)},
            {QStringLiteral("durationSeconds"), double(durationSeconds)}};
}

Result<CaptureRing> CaptureRing::fromJson(const QJsonObject &json, const QString &path)
{
    JsonReader r(json, path);
    r.unknownKeys({QStringLiteral("name"), QStringLiteral("fileBytes"), QStringLiteral("files"),
                   QStringLiteral("fileSeconds"), QStringLiteral("durationSeconds")});
    CaptureRing ring;
    ring.name = nameOf(r, QStringLiteral("name"), true);
    ring.fileBytes = r.integer(QStringLiteral("fileBytes"), 65536, kMaxFileBytes, ring.fileBytes);
    ring.files = int(r.integer(QStringLiteral("files"), 1, 10000, ring.files));
    ring.fileSeconds = r.integer(QStringLiteral("fileSeconds"), 0, kMaxSeconds, 0);
    ring.durationSeconds = r.integer(QStringLiteral("durationSeconds"), 0, kMaxSeconds, 0);
    return r.checked(std::move(ring));
}

QJsonObject CaptureStartRequest::toJson() const
{
    QJsonArray list;
    for (const auto &[address, name] : names)
        list.append(
            QJsonObject{{QStringLiteral("address"), address}, {QStringLiteral("name"), name}});
    QJsonObject o{{QStringLiteral("target"), target.toJson()},
                  {QStringLiteral("filter"), filter},
                  {QStringLiteral("snapLength"), snapLength},
                  {QStringLiteral("comment"), comment},
                  {QStringLiteral("names"), list},
                  {QStringLiteral("leaseSec"), leaseSec}};
    if (ring)
        o[QStringLiteral("ring")] = ring->toJson();
    return o;
}

Result<CaptureStartRequest> CaptureStartRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("target"), QStringLiteral("filter"), QStringLiteral("snapLength"),
                   QStringLiteral("comment"), QStringLiteral("names"), QStringLiteral("ring"),
                   QStringLiteral("leaseSec")});
    CaptureStartRequest s;
    const QJsonObject target = r.object(QStringLiteral("target"), true);
    s.filter = r.object(QStringLiteral("filter"));
    s.snapLength = int(r.integer(QStringLiteral("snapLength"), 64, 262144, s.snapLength));
    s.comment = r.str(QStringLiteral("comment"));
    if (s.comment.size() > 4096)
        r.fail(QStringLiteral("comment"), QStringLiteral("is longer than 4096 characters"));
    s.names = namesOf(r);
    const QJsonObject ring = r.object(QStringLiteral("ring"));
    s.leaseSec = int(r.integer(QStringLiteral("leaseSec"), 5, 3600, s.leaseSec, false,
                               QStringLiteral("whole seconds")));
    if (!r.ok())
        return invalid(r.error());
    auto t = CaptureTarget::fromJson(target, r.where(QStringLiteral("target")));
    if (!t)
        return std::unexpected(t.error());
    s.target = std::move(*t);
    if (body.contains(QStringLiteral("ring"))) {
        auto g = CaptureRing::fromJson(ring, r.where(QStringLiteral("ring")));
        if (!g)
            return std::unexpected(g.error());
        s.ring = std::move(*g);
    }
    return s;
}

QJsonObject CaptureStopRequest::toJson() const
{
    if (!name.isEmpty())
        return {{QStringLiteral("name"), name}};
    return {{QStringLiteral("capture"), double(capture)}};
}

Result<CaptureStopRequest> CaptureStopRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("capture"), QStringLiteral("name")});
    CaptureStopRequest s;
    s.capture = idOf(r, false);
    s.name = nameOf(r, QStringLiteral("name"), false);
    if (r.ok() && (s.capture == 0) == s.name.isEmpty())
        r.fail(QStringLiteral("capture"),
               QStringLiteral("give either capture (live) or name (ring)"));
    return r.checked(std::move(s));
}

QJsonObject CaptureRenewRequest::toJson() const
{
    return {{QStringLiteral("capture"), double(capture)}};
}

Result<CaptureRenewRequest> CaptureRenewRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("capture")});
    const qint64 id = idOf(r, true);
    return r.checked(CaptureRenewRequest{id});
}

Result<CaptureListRequest> CaptureListRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({});
    return r.checked(CaptureListRequest{});
}

QJsonObject CaptureFetchRequest::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("file"), file},
            {QStringLiteral("offset"), double(offset)},
            {QStringLiteral("length"), double(length)}};
}

Result<CaptureFetchRequest> CaptureFetchRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("name"), QStringLiteral("file"), QStringLiteral("offset"),
                   QStringLiteral("length")});
    CaptureFetchRequest f;
    f.name = nameOf(r, QStringLiteral("name"), true);
    f.file = nameOf(r, QStringLiteral("file"), true);
    f.offset = r.integer(QStringLiteral("offset"), 0, kMaxFileBytes, 0);
    f.length = r.integer(QStringLiteral("length"), 1, kMaxCaptureFetchBytes, f.length);
    return r.checked(std::move(f));
}

QJsonObject CaptureDeleteRequest::toJson() const
{
    return {{QStringLiteral("name"), name}};
}

Result<CaptureDeleteRequest> CaptureDeleteRequest::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    r.unknownKeys({QStringLiteral("name")});
    CaptureDeleteRequest d;
    d.name = nameOf(r, QStringLiteral("name"), true);
    return r.checked(std::move(d));
}

Result<CaptureRequest> parseCaptureRequest(const QString &type, const QJsonObject &body)
{
    switch (requestTypeFromName(type).value_or(RequestType::Enroll)) {
    case RequestType::CaptureStart:
        return parseAs<CaptureStartRequest>(body);
    case RequestType::CaptureStop:
        return parseAs<CaptureStopRequest>(body);
    case RequestType::CaptureRenew:
        return parseAs<CaptureRenewRequest>(body);
    case RequestType::CaptureList:
        return parseAs<CaptureListRequest>(body);
    case RequestType::CaptureFetch:
        return parseAs<CaptureFetchRequest>(body);
    case RequestType::CaptureDelete:
        return parseAs<CaptureDeleteRequest>(body);
    default:
        break;
    }
    return invalid(QStringLiteral("type: \"%1\" is not a capture request").arg(type));
}

QJsonObject CaptureStats::toJson() const
{
    return {{QStringLiteral("received"), double(received)},
            {QStringLiteral("bytes"), double(bytes)},
            {QStringLiteral("kernelDropped"), double(kernelDropped)},
            {QStringLiteral("agentDropped"), double(agentDropped)}};
}

Result<CaptureStats> CaptureStats::fromJson(const QJsonObject &json, const QString &path)
{
    JsonReader r(json, path);
    CaptureStats s;
    s.received = r.integer(QStringLiteral("received"), 0, kMaxMessageId, 0);
    s.bytes = r.integer(QStringLiteral("bytes"), 0, kMaxMessageId, 0);
    s.kernelDropped = r.integer(QStringLiteral("kernelDropped"), 0, kMaxMessageId, 0);
    s.agentDropped = r.integer(QStringLiteral("agentDropped"), 0, kMaxMessageId, 0);
    return r.checked(s);
}

QJsonObject CaptureStartReply::toJson() const
{
    QJsonObject o{{QStringLiteral("interface"), interface},
                  {QStringLiteral("bpf"), bpf},
                  {QStringLiteral("mirror"), mirror}};
    if (capture > 0)
        o[QStringLiteral("capture")] = double(capture);
    if (!header.isEmpty())
        o[QStringLiteral("header")] = base64(header);
    return o;
}

Result<CaptureStartReply> CaptureStartReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    CaptureStartReply s;
    s.capture = idOf(r, false);
    s.interface = r.str(QStringLiteral("interface"), true);
    s.bpf = r.str(QStringLiteral("bpf"));
    s.mirror = r.str(QStringLiteral("mirror"));
    s.header = bytesOf(r, QStringLiteral("header"), qint64(1024) * 1024, false);
    return r.checked(std::move(s));
}

QJsonObject CaptureInfo::toJson() const
{
    QJsonArray list;
    for (const CaptureFile &f : files)
        list.append(QJsonObject{{QStringLiteral("name"), f.name},
                                {QStringLiteral("bytes"), double(f.bytes)}});
    return {{QStringLiteral("name"), name},
            {QStringLiteral("state"), state},
            {QStringLiteral("why"), why},
            {QStringLiteral("interface"), interface},
            {QStringLiteral("bpf"), bpf},
            {QStringLiteral("startedMs"), double(startedMs)},
            {QStringLiteral("endedMs"), double(endedMs)},
            {QStringLiteral("stats"), stats.toJson()},
            {QStringLiteral("files"), list}};
}

Result<CaptureInfo> CaptureInfo::fromJson(const QJsonObject &json, const QString &path)
{
    JsonReader r(json, path);
    CaptureInfo c;
    c.name = nameOf(r, QStringLiteral("name"), true);
    c.state = r.oneOf(QStringLiteral("state"),
                      {QStringLiteral("running"), QStringLiteral("finished"),
                       QStringLiteral("failed"), QStringLiteral("interrupted")},
                      true);
    c.why = r.str(QStringLiteral("why"));
    c.interface = r.str(QStringLiteral("interface"));
    c.bpf = r.str(QStringLiteral("bpf"));
    c.startedMs = r.integer(QStringLiteral("startedMs"), 0, kMaxMessageId, 0);
    c.endedMs = r.integer(QStringLiteral("endedMs"), 0, kMaxMessageId, 0);
    const QJsonObject stats = r.object(QStringLiteral("stats"));
    const QJsonArray files = r.array(QStringLiteral("files"));
    for (qsizetype i = 0; i < files.size() && r.ok(); ++i) {
        JsonReader f(r.object(files, i, QStringLiteral("files")),
                     r.where(QStringLiteral("files[%1]").arg(i)));
        CaptureFile file;
        file.name = nameOf(f, QStringLiteral("name"), true);
        file.bytes = f.integer(QStringLiteral("bytes"), 0, kMaxFileBytes, 0);
        if (!f.ok())
            return invalid(f.error());
        c.files.push_back(file);
    }
    if (!r.ok())
        return invalid(r.error());
    auto s = CaptureStats::fromJson(stats, r.where(QStringLiteral("stats")));
    if (!s)
        return std::unexpected(s.error());
    c.stats = *s;
    return c;
}

QJsonObject CaptureListReply::toJson() const
{
    QJsonArray list;
    for (const CaptureInfo &c : captures)
        list.append(c.toJson());
    return {{QStringLiteral("captures"), list}};
}

Result<CaptureListReply> CaptureListReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    const QJsonArray list = r.array(QStringLiteral("captures"), true);
    CaptureListReply reply;
    for (qsizetype i = 0; i < list.size() && r.ok(); ++i) {
        auto c = CaptureInfo::fromJson(r.object(list, i, QStringLiteral("captures")),
                                       r.where(QStringLiteral("captures[%1]").arg(i)));
        if (!c)
            return std::unexpected(c.error());
        reply.captures.push_back(std::move(*c));
    }
    return r.checked(std::move(reply));
}

QJsonObject CaptureStopReply::toJson() const
{
    return {{QStringLiteral("stats"), stats.toJson()}};
}

Result<CaptureStopReply> CaptureStopReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    const QJsonObject stats = r.object(QStringLiteral("stats"), true);
    if (!r.ok())
        return invalid(r.error());
    auto s = CaptureStats::fromJson(stats, r.where(QStringLiteral("stats")));
    if (!s)
        return std::unexpected(s.error());
    return CaptureStopReply{*s};
}

QJsonObject CaptureFetchReply::toJson() const
{
    return {{QStringLiteral("data"), base64(data)},
            {QStringLiteral("fileSize"), double(fileSize)},
            {QStringLiteral("complete"), complete}};
}

Result<CaptureFetchReply> CaptureFetchReply::fromJson(const QJsonObject &body)
{
    JsonReader r = JsonReader::body(body);
    CaptureFetchReply f;
    f.data = bytesOf(r, QStringLiteral("data"), kMaxCaptureFetchBytes, true);
    f.fileSize = r.integer(QStringLiteral("fileSize"), 0, kMaxFileBytes, 0, true);
    f.complete = r.boolean(QStringLiteral("complete"), false, true);
    return r.checked(std::move(f));
}

QJsonObject CapturePackets::toJson() const
{
    QJsonObject o{{QStringLiteral("blocks"), base64(blocks)},
                  {QStringLiteral("packets"), double(packets)},
                  {QStringLiteral("stats"), stats.toJson()}};
    if (!end.isEmpty())
        o[QStringLiteral("end")] = end;
    return o;
}

Result<CapturePackets> CapturePackets::fromJson(const QJsonObject &data)
{
    JsonReader r(data, QStringLiteral("data"));
    CapturePackets p;
    p.blocks = bytesOf(r, QStringLiteral("blocks"), kMaxFrameBytes, true);
    p.packets = r.integer(QStringLiteral("packets"), 0, kMaxMessageId, 0, true);
    const QJsonObject stats = r.object(QStringLiteral("stats"), true);
    p.end = r.str(QStringLiteral("end"));
    if (!r.ok())
        return invalid(r.error());
    auto s = CaptureStats::fromJson(stats, r.where(QStringLiteral("stats")));
    if (!s)
        return std::unexpected(s.error());
    p.stats = *s;
    return p;
}

} // namespace converge::core::protocol
