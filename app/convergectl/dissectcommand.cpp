// convergectl dissect: a capture file's packet list, or every decoded field, for scripts, as
// `tshark -r` prints them (issue 16, "Ecosystem").
#include "cli.h"
#include "cliutil.h"
#include "packetlines.h"

#include "collectors/capture/displayfilter.h"
#include "collectors/capture/pcapfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace converge::app {

using namespace converge::collectors;

namespace {

const char *dissectUsage =
    "usage: convergectl dissect FILE [--filter EXPR] [--format text|json]\n"
    "  the packets of a pcap or pcapng file: text, one line a packet (No., time since the first\n"
    "  packet, source, destination, protocol, length, info), or json, an array with each\n"
    "  packet's summary and protocol tree (layers and fields with their byte offsets);\n"
    "  EXPR is a display filter in Wireshark's spelling (\"udp.port == 53 and not arp\",\n"
    "  docs/capture.md \"Display filter\")\n";

struct Packet
{
    qint64 number = 0;
    double relativeSeconds = 0;
    const PcapPacket &read;
    const PacketSummary &summary;
};

QString textLine(const Packet &p)
{
    return packetLine(p.number, p.relativeSeconds, p.summary, p.read.bytes);
}

QJsonArray treeJson(const ProtocolTree &tree)
{
    QJsonArray layers;
    for (const ProtocolLayer &layer : tree) {
        QJsonArray fields;
        for (const ProtocolField &f : layer.fields)
            fields.append(QJsonObject{{QStringLiteral("name"), f.name},
                                      {QStringLiteral("display"), f.display},
                                      {QStringLiteral("offset"), f.offset},
                                      {QStringLiteral("length"), f.length}});
        layers.append(QJsonObject{{QStringLiteral("name"), layer.name},
                                  {QStringLiteral("offset"), layer.offset},
                                  {QStringLiteral("length"), layer.length},
                                  {QStringLiteral("fields"), fields}});
    }
    return layers;
}

// The summary's optional values, present only when the packet has them (as tshark leaves a
// field out of -T json when the packet lacks it).
void addOptional(QJsonObject &o, const PacketSummary &s, std::span<const quint8> frame)
{
    const auto add = [&](const char *name, qint64 value) {
        if (value >= 0)
            o.insert(QLatin1StringView(name), double(value));
    };
    if (s.sourcePort || s.destinationPort) {
        o.insert(QStringLiteral("sourcePort"), s.sourcePort);
        o.insert(QStringLiteral("destinationPort"), s.destinationPort);
    }
    QJsonArray vlans;
    for (int i = 0; i < s.vlanCount; ++i)
        vlans.append(s.vlanIds[size_t(i)]);
    if (!vlans.isEmpty())
        o.insert(QStringLiteral("vlanIds"), vlans);
    add("vni", s.vni);
    add("vsid", s.vsid);
    add("greKey", s.greKey);
    add("tcpFlags", s.tcpFlags);
    add("icmpType", s.icmpType);
    add("icmpCode", s.icmpCode);
    add("arpOpcode", s.arpOpcode);
    add("dhcpMessageType", s.dhcpMessageType);
    add("iscsiOpcode", s.iscsiOpcode);
    if (s.dnsNameOffset >= 0)
        o.insert(QStringLiteral("dnsQueryName"), dnsQueryName(s, frame));
    if (s.isMalformed())
        o.insert(QStringLiteral("malformed"),
                 QJsonObject{{QStringLiteral("layer"), QLatin1StringView(s.malformed.layer)},
                             {QStringLiteral("offset"), s.malformed.offset},
                             {QStringLiteral("text"), s.malformed.text()}});
}

QJsonObject packetJson(const Packet &p)
{
    const PacketSummary &s = p.summary;
    QJsonObject o{{QStringLiteral("number"), double(p.number)},
                  {QStringLiteral("timestampNs"), QString::number(p.read.timestampNs)},
                  {QStringLiteral("timeRelative"), p.relativeSeconds},
                  {QStringLiteral("length"), double(s.length)},
                  {QStringLiteral("originalLength"), double(p.read.originalLength)},
                  {QStringLiteral("protocols"), s.protocols()},
                  {QStringLiteral("protocol"), s.protocolColumn()},
                  {QStringLiteral("source"), s.source.toString()},
                  {QStringLiteral("destination"), s.destination.toString()},
                  {QStringLiteral("info"), s.info(p.read.bytes)}};
    addOptional(o, s, p.read.bytes);
    o.insert(QStringLiteral("layers"),
             treeJson(dissectTree(p.read.bytes, LinkType(p.read.linkType))));
    return o;
}

int failWith(Cli &cli, const QString &message)
{
    cli.err << "convergectl dissect: " << message << '\n';
    return ExitBadInput;
}

// The whole file is indexed first, so a corrupt one fails before anything is printed.
int printPackets(PcapFile &file, const DisplayFilter &filter, bool json, Cli &cli)
{
    auto offsets = file.index();
    if (!offsets)
        return failWith(cli, offsets.error().message);
    qint64 number = 0, firstNs = 0, shown = 0;
    for (const qint64 offset : *offsets) {
        auto read = file.readAt(offset);
        if (!read)
            return failWith(cli, read.error().message);
        if (++number == 1)
            firstNs = read->timestampNs;
        const PacketSummary s = dissectSummary(read->bytes, LinkType(read->linkType));
        if (!filter.matches(s, read->bytes))
            continue;
        const Packet p{number, double(read->timestampNs - firstNs) / 1e9, *read, s};
        if (!json) {
            cli.out << textLine(p) << '\n';
            continue;
        }
        cli.out << (shown++ ? ",\n" : "[\n")
                << QString::fromUtf8(QJsonDocument(packetJson(p)).toJson(QJsonDocument::Indented))
                       .trimmed();
    }
    if (json)
        cli.out << (shown ? "\n]\n" : "[]\n");
    return ExitOk;
}

int dissect(const QStringList &args, Cli &cli)
{
    const Arguments a = parseArguments(args, {QStringLiteral("filter"), QStringLiteral("format")});
    const QString format = a.options.value(QStringLiteral("format"), QStringLiteral("text"));
    if (!a.error.isEmpty() || a.positional.size() != 1)
        return misuse(cli, dissectUsage,
                      QStringLiteral("convergectl dissect: ") +
                          (a.error.isEmpty() ? QStringLiteral("expected one FILE") : a.error));
    if (format != QLatin1String("text") && format != QLatin1String("json"))
        return misuse(cli, dissectUsage,
                      QStringLiteral("convergectl dissect: --format \"%1\": expected text or json")
                          .arg(format.left(40)));
    auto filter = DisplayFilter::compile(a.options.value(QStringLiteral("filter")));
    if (!filter)
        return failWith(cli, QStringLiteral("--filter: ") + filter.error().message);
    auto file = PcapFile::open(a.positional.first());
    if (!file)
        return failWith(cli, file.error().message);
    return printPackets(*file, *filter, format == QLatin1String("json"), cli);
}

} // namespace

const std::vector<Command> &dissectCommands()
{
    static const std::vector<Command> commands{{"dissect", dissectUsage, dissect}};
    return commands;
}

} // namespace converge::app
