#include "collectors/capture/captureengine.h"

#include "core/util/ipaddress.h"

#include <QtEndian>

#include <sys/utsname.h>

#include <cstring>

// The pcapng blocks the agent writes (draft-ietf-opsawg-pcapng, sections 4.1-4.6), always in
// little endian, as dumpcap does on x86: readers take either byte order.
namespace converge::collectors::pcapng {

namespace {

enum BlockType : quint32 {
    Shb = 0x0A0D0D0A,
    Idb = 0x00000001,
    Nrb = 0x00000004,
    Isb = 0x00000005,
    Epb = 0x00000006,
};

constexpr quint16 optEnd = 0;
constexpr quint16 optComment = 1;

template<typename T> void put(QByteArray &out, T value)
{
    const T le = qToLittleEndian(value);
    out.append(reinterpret_cast<const char *>(&le), sizeof(T));
}

void pad(QByteArray &out)
{
    while (out.size() % 4 != 0)
        out.append('\0');
}

void option(QByteArray &out, quint16 code, const QByteArray &value)
{
    put<quint16>(out, code);
    put<quint16>(out, quint16(value.size()));
    out.append(value);
    pad(out);
}

// Option values are limited to 65535 bytes; a longer comment is cut rather than refused: it
// describes the capture, it never decides anything.
void textOption(QByteArray &out, quint16 code, const QString &text)
{
    if (!text.isEmpty())
        option(out, code, text.toUtf8().left(65000));
}

QByteArray u64Value(quint64 value)
{
    QByteArray v;
    put<quint64>(v, value);
    return v;
}

// A timestamp in the interface's units (nanoseconds), high word first, as EPB and ISB hold it.
void stamp(QByteArray &out, qint64 ns)
{
    const auto t = quint64(ns);
    put<quint32>(out, quint32(t >> 32));
    put<quint32>(out, quint32(t & 0xFFFFFFFFu));
}

// type, total length, BODY, total length.
QByteArray block(quint32 type, const QByteArray &body)
{
    QByteArray out;
    const auto total = quint32(12 + body.size());
    out.reserve(qsizetype(total));
    put<quint32>(out, type);
    put<quint32>(out, total);
    out.append(body);
    put<quint32>(out, total);
    return out;
}

QString operatingSystem()
{
    utsname u{};
    if (uname(&u) != 0)
        return QStringLiteral("Linux");
    return QStringLiteral("%1 %2 %3")
        .arg(QLatin1String(u.sysname), QLatin1String(u.release), QLatin1String(u.machine));
}

} // namespace

QByteArray sectionHeader(const QString &comment)
{
    QByteArray body;
    put<quint32>(body, 0x1A2B3C4D); // byte-order magic
    put<quint16>(body, 1);
    put<quint16>(body, 0);
    put<qint64>(body, -1); // section length not known ahead
    textOption(body, optComment, comment);
    textOption(body, 3, operatingSystem());
    textOption(body, 4, QStringLiteral("converged %1").arg(QStringLiteral(CONVERGE_VERSION)));
    option(body, optEnd, {});
    return block(Shb, body);
}

QByteArray interfaceBlock(const PcapNgInterface &interface)
{
    QByteArray body;
    put<quint16>(body, interface.linkType);
    put<quint16>(body, 0);
    put<quint32>(body, interface.snapLength);
    textOption(body, 2, interface.name);
    textOption(body, 3, interface.description);
    option(body, 9, QByteArray(1, char(9))); // if_tsresol: 10^-9
    if (!interface.filter.isEmpty())
        option(body, 11, QByteArray(1, '\0') + interface.filter.toUtf8().left(65000));
    option(body, optEnd, {});
    return block(Idb, body);
}

QByteArray nameResolution(const std::vector<std::pair<QString, QString>> &addressNames)
{
    QByteArray body;
    for (const auto &[address, name] : addressNames) {
        const auto ip = core::IpAddress::parse(address);
        const QByteArray utf8 = name.toUtf8();
        if (!ip || utf8.isEmpty() || utf8.size() > 1000)
            continue;
        QByteArray value(reinterpret_cast<const char *>(ip->bytes.data()), ip->v6 ? 16 : 4);
        value.append(utf8);
        value.append('\0');
        option(body, ip->v6 ? 2 : 1, value); // nrb_record_ipv4 / _ipv6
    }
    if (body.isEmpty())
        return {};
    option(body, 0, {}); // nrb_record_end
    return block(Nrb, body);
}

void appendPacket(QByteArray &out, qint64 timestampNs, std::span<const quint8> bytes,
                  quint32 originalLength)
{
    const auto captured = quint32(bytes.size());
    const quint32 padded = (captured + 3) & ~quint32(3);
    const quint32 total = 32 + padded;
    const qsizetype start = out.size();
    out.resize(start + qsizetype(total));
    char *p = out.data() + start;
    const auto t = quint64(timestampNs);
    const quint32 head[7] = {Epb,      total,         0, quint32(t >> 32), quint32(t & 0xFFFFFFFFu),
                             captured, originalLength};
    for (qsizetype i = 0; i < 7; ++i)
        qToLittleEndian(head[i], p + 4 * i);
    if (captured != 0)
        std::memcpy(p + 28, bytes.data(), captured);
    std::memset(p + 28 + captured, 0, padded - captured);
    qToLittleEndian(total, p + 28 + padded);
}

QByteArray statistics(qint64 startNs, qint64 endNs, const CaptureCounters &counters)
{
    QByteArray body;
    put<quint32>(body, 0); // interface 0
    stamp(body, endNs);
    QByteArray start;
    stamp(start, startNs);
    option(body, 2, start); // isb_starttime
    QByteArray end;
    stamp(end, endNs);
    option(body, 3, end); // isb_endtime
    // isb_ifrecv: what reached the capture after the filter, kept or not.
    option(body, 4,
           u64Value(quint64(counters.received + counters.kernelDropped + counters.ourDropped)));
    option(body, 5, u64Value(quint64(counters.kernelDropped))); // isb_ifdrop
    option(body, 7, u64Value(quint64(counters.ourDropped)));    // isb_osdrop
    option(body, 8, u64Value(quint64(counters.received)));      // isb_usrdeliv
    option(body, optEnd, {});
    return block(Isb, body);
}

} // namespace converge::collectors::pcapng
