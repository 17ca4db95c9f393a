#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

// The capture engine (issue 16, item 1): libpcap on one interface, run inside the agent, the only
// privileged process (as dumpcap is for Wireshark). Buffered TPACKET_V3 by default: immediate
// mode falls back to TPACKET_V2 and costs a third of the rate (../shared/MACHINE-NOTES.md,
// "Capture"). Non-blocking with poll() on pcap's fd and a stop fd, so a capture with no traffic
// still stops at once. pcap.h stays in the .cpp (docs/design.md, "Layers").
namespace converge::collectors {

// What the admin chose to capture, as one BPF expression (toBpf()).
struct CaptureFilter
{
    QStringList hosts;    // IPv4/IPv6 addresses ("host A") or prefixes ("net P"), or'ed
    QList<quint16> ports; // "port N", or'ed
    QString protocol;     // "", "tcp", "udp", "icmp", "icmp6", "arp", "ip", "ip6"
    QString mac;          // the source VM's vNIC MAC: "ether host MAC"
    QString expression;   // raw BPF from the admin, and'ed with the rest
    // Each non-empty part in parentheses, and'ed: "(host 10.0.0.1 or net 10.1.0.0/16) and
    // (port 53) and (udp) and (ether host 52:54:00:00:00:01)". Empty filter: "".
    QString toBpf() const;
    QJsonObject toJson() const;
    // Validates each field (addresses, prefixes, ports 1..65535, the protocol's name, the MAC,
    // the expression's length) and names the first bad one ("filter.hosts[1]: ...").
    static core::Result<CaptureFilter> fromJson(const QJsonObject &json);
    bool operator==(const CaptureFilter &) const = default;
};

struct CaptureOptions
{
    QString interface;
    CaptureFilter filter;
    int snapLength = 262144;           // 64..262144
    int bufferBytes = 8 * 1024 * 1024; // the kernel ring, 1 MiB..256 MiB
    int timeoutMs = 100;               // a TPACKET_V3 block is handed over at least this often
    bool immediate = false;            // a wake-up per packet: low-rate interactive views only
};

struct CaptureCounters
{
    qint64 received = 0;      // packets handed to the sink
    qint64 bytes = 0;         // their captured bytes
    qint64 kernelDropped = 0; // pcap_stats: ps_drop + ps_ifdrop
    qint64 ourDropped = 0;    // the sink refused them (a slow reader, a full disk)
};

// Receives the packets in the thread that runs the engine.
class PacketSink
{
public:
    virtual ~PacketSink() = default;
    // False drops the packet (counted in ourDropped). bytes live only during the call.
    virtual bool packet(qint64 timestampNs, std::span<const quint8> bytes,
                        quint32 originalLength) = 0;
    // After each round of packets read in one go (and at least every timeoutMs while idle):
    // a sink flushes here; false stops the capture (a ring's duration is over, a write failed).
    virtual bool flush() { return true; }
};

class CaptureEngine
{
public:
    // Opens and activates the interface and compiles and sets the filter. Errors name the
    // interface or the BPF expression with libpcap's message.
    static core::Result<std::unique_ptr<CaptureEngine>> open(const CaptureOptions &options);
    ~CaptureEngine();
    CaptureEngine(const CaptureEngine &) = delete;
    CaptureEngine &operator=(const CaptureEngine &) = delete;

    // Reads until stopFd is readable (any fd: an eventfd or a pipe's read end), the sink's
    // flush() returns false, or an error (the interface went away: the error says so). Blocks
    // the calling thread; memory stays bounded by the kernel ring and the snap length.
    core::Result<void> run(PacketSink &sink, int stopFd);
    // Any thread, at any time (atomics; kernelDropped as of the last round).
    CaptureCounters counters() const;
    QString bpf() const;
    int linkType() const; // LINKTYPE_* (1: Ethernet)
    int snapLength() const;

private:
    CaptureEngine();
    struct Private;
    std::unique_ptr<Private> m_d;
};

// pcapng blocks (the pcapng draft, sections 4.1-4.6), little endian, each padded to 32 bits.
// Static builders so the agent can stream packet blocks to the console as they are and write
// the same bytes to files.
struct PcapNgInterface
{
    QString name;        // if_name: the host's interface
    QString description; // if_description: "host h1, VM web1, vNIC eth0 (port vnet3)"
    QString filter;      // if_filter (type 0: the BPF text)
    quint16 linkType = 1;
    quint32 snapLength = 262144;
};

namespace pcapng {
// SHB with shb_comment (host, VM, vNIC, filter as the admin chose them), shb_os (uname) and
// shb_userappl ("converged VERSION").
QByteArray sectionHeader(const QString &comment);
// IDB with if_name, if_description, if_filter, if_tsresol = 9 (nanoseconds).
QByteArray interfaceBlock(const PcapNgInterface &interface);
// NRB: IPv4 and IPv6 addresses with their names (a VM's addresses from the design); invalid
// addresses are skipped. Empty list: an empty QByteArray (no block).
QByteArray nameResolution(const std::vector<std::pair<QString, QString>> &addressNames);
// EPB for interface 0 with nanosecond timestamps.
void appendPacket(QByteArray &out, qint64 timestampNs, std::span<const quint8> bytes,
                  quint32 originalLength);
// ISB: isb_starttime, isb_endtime, isb_ifrecv, isb_ifdrop (kernel), isb_osdrop (ours).
QByteArray statistics(qint64 startNs, qint64 endNs, const CaptureCounters &counters);
} // namespace pcapng

// A capture into a ring of pcapng files on the host (issue 16, item 4), as dumpcap's ring
// buffer: DIRECTORY/BASE_00001.pcapng, _00002, ...; each file starts with the same header
// blocks so each reads alone; a file is closed at fileBytes or fileSeconds, and the oldest
// deleted past `files`. Written with a bounded buffer, flushed at each flush() round.
struct RingOptions
{
    QString directory;
    QString baseName;                             // [A-Za-z0-9._-]{1,64}
    qint64 fileBytes = qint64(100) * 1024 * 1024; // 64 KiB..4 GiB
    int files = 10;                               // 1..10000
    qint64 fileSeconds = 0;                       // 0: no limit per file
    qint64 durationSeconds = 0;                   // of the whole capture; 0: until stopped
};

class RingWriter : public PacketSink
{
public:
    // header: the blocks each file starts with (sectionHeader + interfaceBlock [+ nameResolution]).
    static core::Result<std::unique_ptr<RingWriter>> create(const RingOptions &options,
                                                            const QByteArray &header);
    ~RingWriter() override;
    bool packet(qint64 timestampNs, std::span<const quint8> bytes, quint32 originalLength) override;
    bool flush() override; // false once durationSeconds has passed or a write failed
    // Writes the statistics block into the current file, flushes and fsyncs it.
    core::Result<void> finish(const QByteArray &statisticsBlock);
    QStringList files() const; // the files kept, oldest first (absolute paths)
    QString error() const;     // why flush() returned false, empty when the duration ended

private:
    RingWriter();
    struct Private;
    std::unique_ptr<Private> m_d;
};

} // namespace converge::collectors
