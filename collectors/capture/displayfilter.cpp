#include "collectors/capture/displayfilter.h"

#include <QList>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace converge::collectors {

// The outer IP and UDP headers of an encapsulated packet.
struct DisplayFilterOuterHeaders
{
    Address source, destination;
    quint16 sourcePort = 0, destinationPort = 0;
    bool ip = false, udp = false;
};

// The packet under test, and the outer IP and UDP headers of an encapsulated one, read from
// the frame at most once and only when a field asks (the summary keeps the innermost ones).
struct DisplayFilterPacket
{
    using Outer = DisplayFilterOuterHeaders;
    const PacketSummary &s;
    std::span<const quint8> frame;
    std::optional<Outer> outer;

    bool has(Protocol p) const
    {
        return std::find(s.layers.begin(), s.layers.begin() + s.layerCount, p) !=
               s.layers.begin() + s.layerCount;
    }
    // The last of the layers in `among`, or Data when none of them is there.
    Protocol last(std::initializer_list<Protocol> among) const
    {
        for (int i = s.layerCount - 1; i >= 0; --i)
            if (std::ranges::find(among, s.layers[size_t(i)]) != among.end())
                return s.layers[size_t(i)];
        return Protocol::Data;
    }
    int outerTags() const
    {
        int n = 0;
        while (n + 1 < s.layerCount && (s.layers[size_t(n) + 1] == Protocol::Vlan ||
                                        s.layers[size_t(n) + 1] == Protocol::ServiceVlan))
            ++n;
        return n;
    }
    const Outer &outerHeaders();
    void readOuter(Outer &o, Protocol network, qint64 off) const;
};

namespace {

enum class ValueType : quint8 { IPv4, IPv6, Mac, Number, Bool, String };
enum class Op : quint8 { Eq, Ne, Lt, Le, Gt, Ge, Contains };

using Numbers = std::array<qint64, 4>;
using Addresses = std::array<Address, 4>;
using Packet = DisplayFilterPacket;

// A field reads at most four values from a packet (an address field: source, destination, and
// the outer header's two when the packet is encapsulated) into a fixed array: no allocation.
struct FieldSpec
{
    const char *name;
    ValueType type;
    int (*numbers)(Packet &, Numbers &) = nullptr;
    int (*addresses)(Packet &, Addresses &) = nullptr;
};

int one(Numbers &out, qint64 value, bool present = true)
{
    out[0] = value;
    return present ? 1 : 0;
}

// Appends a source and destination pair, or the side asked for.
template<typename Values, typename Value>
void append(Values &out, int &n, const Value &source, const Value &destination, bool src, bool dst)
{
    if (src)
        out[size_t(n++)] = source;
    if (dst)
        out[size_t(n++)] = destination;
}

// The summary's addresses are the innermost network layer's (or the innermost Ethernet's when
// there is none), so they are IP addresses only when that layer is IP.
int ipAddresses(Packet &p, Protocol ip, Addresses &out, bool src, bool dst)
{
    int n = 0;
    const auto kind = ip == Protocol::IPv4 ? Address::Kind::IPv4 : Address::Kind::IPv6;
    if (p.last({Protocol::Ethernet, Protocol::Arp, Protocol::IPv4, Protocol::IPv6}) == ip)
        append(out, n, p.s.source, p.s.destination, src, dst);
    if (p.has(Protocol::Vxlan) || p.has(Protocol::Gre)) {
        const DisplayFilterOuterHeaders &o = p.outerHeaders();
        if (o.ip && o.source.kind == kind)
            append(out, n, o.source, o.destination, src, dst);
    }
    return n;
}

int ports(Packet &p, Protocol transport, Numbers &out, bool src, bool dst)
{
    int n = 0;
    if (p.last({Protocol::Tcp, Protocol::Udp}) == transport)
        append(out, n, qint64(p.s.sourcePort), qint64(p.s.destinationPort), src, dst);
    if (transport == Protocol::Udp && p.has(Protocol::Vxlan)) {
        const DisplayFilterOuterHeaders &o = p.outerHeaders();
        if (o.udp)
            append(out, n, qint64(o.sourcePort), qint64(o.destinationPort), src, dst);
    }
    return n;
}

int macAddresses(const Packet &p, Addresses &out, bool src, bool dst)
{
    int n = 0;
    if (p.s.macSource.kind == Address::Kind::Mac)
        append(out, n, p.s.macSource, p.s.macDestination, src, dst);
    return n;
}

// Wireshark's vlan.id is the 802.1Q tags' and ieee8021ad.id the 802.1ad (QinQ service) tags'.
int vlanIds(const Packet &p, Numbers &out, Protocol tag)
{
    int n = 0;
    const int tags = std::min(p.outerTags(), int(p.s.vlanCount));
    for (int i = 0; i < tags; ++i)
        if (p.s.layers[size_t(i) + 1] == tag)
            out[size_t(n++)] = p.s.vlanIds[size_t(i)];
    return n;
}

int tcpFlag(const Packet &p, Numbers &out, int bit)
{
    return one(out, (p.s.tcpFlags >> bit) & 1, p.s.tcpFlags >= 0);
}

int icmp(const Packet &p, Numbers &out, Protocol protocol, qint16 value)
{
    return one(out, value, value >= 0 && p.has(protocol));
}

constexpr auto fields = std::to_array<FieldSpec>({
    {"ip.addr", ValueType::IPv4, nullptr,
     [](Packet &p, Addresses &o) { return ipAddresses(p, Protocol::IPv4, o, 1, 1); }},
    {"ip.src", ValueType::IPv4, nullptr,
     [](Packet &p, Addresses &o) { return ipAddresses(p, Protocol::IPv4, o, 1, 0); }},
    {"ip.dst", ValueType::IPv4, nullptr,
     [](Packet &p, Addresses &o) { return ipAddresses(p, Protocol::IPv4, o, 0, 1); }},
    {"ipv6.addr", ValueType::IPv6, nullptr,
     [](Packet &p, Addresses &o) { return ipAddresses(p, Protocol::IPv6, o, 1, 1); }},
    {"ipv6.src", ValueType::IPv6, nullptr,
     [](Packet &p, Addresses &o) { return ipAddresses(p, Protocol::IPv6, o, 1, 0); }},
    {"ipv6.dst", ValueType::IPv6, nullptr,
     [](Packet &p, Addresses &o) { return ipAddresses(p, Protocol::IPv6, o, 0, 1); }},
    {"eth.addr", ValueType::Mac, nullptr,
     [](Packet &p, Addresses &o) { return macAddresses(p, o, 1, 1); }},
    {"eth.src", ValueType::Mac, nullptr,
     [](Packet &p, Addresses &o) { return macAddresses(p, o, 1, 0); }},
    {"eth.dst", ValueType::Mac, nullptr,
     [](Packet &p, Addresses &o) { return macAddresses(p, o, 0, 1); }},
    {"tcp.port", ValueType::Number,
     [](Packet &p, Numbers &o) { return ports(p, Protocol::Tcp, o, 1, 1); }},
    {"tcp.srcport", ValueType::Number,
     [](Packet &p, Numbers &o) { return ports(p, Protocol::Tcp, o, 1, 0); }},
    {"tcp.dstport", ValueType::Number,
     [](Packet &p, Numbers &o) { return ports(p, Protocol::Tcp, o, 0, 1); }},
    {"udp.port", ValueType::Number,
     [](Packet &p, Numbers &o) { return ports(p, Protocol::Udp, o, 1, 1); }},
    {"udp.srcport", ValueType::Number,
     [](Packet &p, Numbers &o) { return ports(p, Protocol::Udp, o, 1, 0); }},
    {"udp.dstport", ValueType::Number,
     [](Packet &p, Numbers &o) { return ports(p, Protocol::Udp, o, 0, 1); }},
    {"vlan.id", ValueType::Number,
     [](Packet &p, Numbers &o) { return vlanIds(p, o, Protocol::Vlan); }},
    {"ieee8021ad.id", ValueType::Number,
     [](Packet &p, Numbers &o) { return vlanIds(p, o, Protocol::ServiceVlan); }},
    {"vxlan.vni", ValueType::Number,
     [](Packet &p, Numbers &o) { return one(o, p.s.vni, p.s.vni >= 0); }},
    {"nvgre.vsid", ValueType::Number,
     [](Packet &p, Numbers &o) { return one(o, p.s.vsid, p.s.vsid >= 0); }},
    {"gre.key", ValueType::Number,
     [](Packet &p, Numbers &o) { return one(o, p.s.greKey, p.s.greKey >= 0); }},
    {"tcp.flags", ValueType::Number,
     [](Packet &p, Numbers &o) { return one(o, p.s.tcpFlags, p.s.tcpFlags >= 0); }},
    {"tcp.flags.fin", ValueType::Bool, [](Packet &p, Numbers &o) { return tcpFlag(p, o, 0); }},
    {"tcp.flags.syn", ValueType::Bool, [](Packet &p, Numbers &o) { return tcpFlag(p, o, 1); }},
    {"tcp.flags.reset", ValueType::Bool,
     [](Packet &p, Numbers &o) { return tcpFlag(p, o, 2); }},
    {"tcp.flags.rst", ValueType::Bool, [](Packet &p, Numbers &o) { return tcpFlag(p, o, 2); }},
    {"tcp.flags.push", ValueType::Bool,
     [](Packet &p, Numbers &o) { return tcpFlag(p, o, 3); }},
    {"tcp.flags.psh", ValueType::Bool, [](Packet &p, Numbers &o) { return tcpFlag(p, o, 3); }},
    {"tcp.flags.ack", ValueType::Bool, [](Packet &p, Numbers &o) { return tcpFlag(p, o, 4); }},
    {"tcp.flags.urg", ValueType::Bool, [](Packet &p, Numbers &o) { return tcpFlag(p, o, 5); }},
    {"icmp.type", ValueType::Number,
     [](Packet &p, Numbers &o) { return icmp(p, o, Protocol::Icmp, p.s.icmpType); }},
    {"icmp.code", ValueType::Number,
     [](Packet &p, Numbers &o) { return icmp(p, o, Protocol::Icmp, p.s.icmpCode); }},
    {"icmpv6.type", ValueType::Number,
     [](Packet &p, Numbers &o) { return icmp(p, o, Protocol::Icmpv6, p.s.icmpType); }},
    {"icmpv6.code", ValueType::Number,
     [](Packet &p, Numbers &o) { return icmp(p, o, Protocol::Icmpv6, p.s.icmpCode); }},
    {"arp.opcode", ValueType::Number,
     [](Packet &p, Numbers &o) { return one(o, p.s.arpOpcode, p.s.arpOpcode >= 0); }},
    {"dhcp.option.dhcp", ValueType::Number,
     [](Packet &p, Numbers &o) {
         return one(o, p.s.dhcpMessageType, p.s.dhcpMessageType >= 0);
     }},
    {"dns.flags.response", ValueType::Bool,
     [](Packet &p, Numbers &o) { return one(o, (p.s.dnsFlags >> 15) & 1, p.s.dnsFlags >= 0); }},
    {"dns.qry.name", ValueType::String},
    {"iscsi.opcode", ValueType::Number,
     [](Packet &p, Numbers &o) { return one(o, p.s.iscsiOpcode, p.s.iscsiOpcode >= 0); }},
    {"frame.len", ValueType::Number, [](Packet &p, Numbers &o) { return one(o, p.s.length); }},
    {"frame.cap_len", ValueType::Number,
     [](Packet &p, Numbers &o) { return one(o, p.s.length); }},
});

struct ProtocolName
{
    const char *name;
    int protocol; // a Protocol, or one of the pseudo-protocols below
};
constexpr int anyFrame = 100, nvgre = 101, malformed = 102;

constexpr auto protocolNames = std::to_array<ProtocolName>({
    {"frame", anyFrame},
    {"eth", int(Protocol::Ethernet)},
    {"vlan", int(Protocol::Vlan)},
    {"ieee8021ad", int(Protocol::ServiceVlan)},
    {"arp", int(Protocol::Arp)},
    {"ip", int(Protocol::IPv4)},
    {"ipv6", int(Protocol::IPv6)},
    {"icmp", int(Protocol::Icmp)},
    {"icmpv6", int(Protocol::Icmpv6)},
    {"tcp", int(Protocol::Tcp)},
    {"udp", int(Protocol::Udp)},
    {"dhcp", int(Protocol::Dhcp)},
    {"dns", int(Protocol::Dns)},
    {"vxlan", int(Protocol::Vxlan)},
    {"gre", int(Protocol::Gre)},
    {"nvgre", nvgre},
    {"lldp", int(Protocol::Lldp)},
    {"iscsi", int(Protocol::Iscsi)},
    {"data", int(Protocol::Data)},
    {"malformed", malformed},
    {"_ws.malformed", malformed},
});

bool holds(Op op, qint64 value, qint64 wanted)
{
    switch (op) {
    case Op::Eq:
    case Op::Ne: // evaluated as "not any equal" by the caller
        return value == wanted;
    case Op::Lt:
        return value < wanted;
    case Op::Le:
        return value <= wanted;
    case Op::Gt:
        return value > wanted;
    case Op::Ge:
        return value >= wanted;
    case Op::Contains:
        return false;
    }
    return false;
}

bool sameNetwork(const Address &a, const Address &b, int prefix)
{
    if (a.kind != b.kind)
        return false;
    const int whole = prefix / 8, rest = prefix % 8;
    if (!std::equal(a.bytes.begin(), a.bytes.begin() + whole, b.bytes.begin()))
        return false;
    const auto mask = quint8(0xff << (8 - rest));
    return rest == 0 || (a.bytes[size_t(whole)] & mask) == (b.bytes[size_t(whole)] & mask);
}

// The first question's name as dnsQueryName() spells it, into a fixed buffer (a DNS name is at
// most 255 bytes, RFC 1035 §2.3.4); -1 when the packet has none.
qsizetype dnsName(const PacketSummary &s, std::span<const quint8> frame, std::array<char, 256> &out)
{
    if (s.dnsNameOffset < 0 || s.dnsNameOffset >= qint64(frame.size()))
        return -1;
    qsizetype n = 0;
    for (auto at = qint64(s.dnsNameOffset); at < qint64(frame.size());) {
        const quint8 len = frame[size_t(at)];
        if (len == 0 || (len & 0xc0) || at + 1 + len > qint64(frame.size()) ||
            n + 1 + len > qsizetype(out.size()))
            break;
        if (n > 0)
            out[size_t(n++)] = '.';
        std::copy_n(frame.begin() + at + 1, len, out.begin() + n);
        n += len;
        at += 1 + len;
    }
    return n;
}

// aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or aabb.ccdd.eeff, as Wireshark reads a MAC address.
bool parseMac(const QByteArray &text, Address &out)
{
    const char separator = text.contains('.') ? '.' : text.contains('-') ? '-' : ':';
    const QList<QByteArray> parts = text.split(separator);
    const qsizetype width = separator == '.' ? 4 : 2;
    if (parts.size() != 12 / width)
        return false;
    size_t n = 0;
    for (const QByteArray &part : parts) {
        bool ok = false;
        const uint value = part.toUInt(&ok, 16);
        if (!ok || part.size() != width)
            return false;
        for (qsizetype i = width / 2 - 1; i >= 0; --i)
            out.bytes[n++] = quint8(value >> (8 * i));
    }
    return true;
}

// The character a filter cannot read, whole (a surrogate pair is one) and printable: a
// control character or a lone surrogate is named by its code point.
QString unexpected(QStringView rest)
{
    const bool pair = rest.size() > 1 && rest[0].isHighSurrogate() && rest[1].isLowSurrogate();
    const char32_t c = pair ? QChar::surrogateToUcs4(rest[0], rest[1]) : rest[0].unicode();
    const QString shown =
        QChar::isPrint(c) && !QChar::isSurrogate(c)
            ? QStringLiteral("'%1'").arg(rest.first(pair ? 2 : 1))
            : QStringLiteral("U+%1").arg(uint(c), 4, 16, QLatin1Char('0')).toUpper();
    return QStringLiteral("unexpected character %1%2")
        .arg(shown, c == U'=' ? QStringLiteral(" (equality is '==')") : QString());
}

} // namespace

const DisplayFilterPacket::Outer &DisplayFilterPacket::outerHeaders()
{
    if (!outer) {
        outer.emplace();
        const int tags = outerTags();
        if (tags + 1 < s.layerCount)
            readOuter(*outer, s.layers[size_t(tags) + 1], 14 + qint64(4) * tags);
    }
    return *outer;
}

// The first network header follows the outer Ethernet header and its tags; UDP follows it
// directly when the layer after it is UDP (an IPv6 extension header would be a layer between).
void DisplayFilterPacket::readOuter(Outer &o, Protocol network, qint64 off) const
{
    const auto size = qint64(frame.size());
    qint64 transport = 0;
    auto copy = [&](Address &a, Address::Kind kind, qint64 at, qint64 n) {
        a.kind = kind;
        std::copy_n(frame.begin() + at, n, a.bytes.begin());
    };
    if (network == Protocol::IPv4 && off + 20 <= size) {
        copy(o.source, Address::Kind::IPv4, off + 12, 4);
        copy(o.destination, Address::Kind::IPv4, off + 16, 4);
        transport = off + qint64(frame[size_t(off)] & 0x0f) * 4;
    } else if (network == Protocol::IPv6 && off + 40 <= size) {
        copy(o.source, Address::Kind::IPv6, off + 8, 16);
        copy(o.destination, Address::Kind::IPv6, off + 24, 16);
        transport = off + 40;
    } else {
        return;
    }
    o.ip = true;
    const int next = outerTags() + 2;
    if (next < s.layerCount && s.layers[size_t(next)] == Protocol::Udp && transport + 4 <= size) {
        o.sourcePort = quint16(frame[size_t(transport)] << 8 | frame[size_t(transport + 1)]);
        o.destinationPort =
            quint16(frame[size_t(transport + 2)] << 8 | frame[size_t(transport + 3)]);
        o.udp = true;
    }
}

bool DisplayFilter::matches(const PacketSummary &summary, std::span<const quint8> frame) const
{
    if (m_nodes.empty())
        return true;
    DisplayFilterPacket packet{summary, frame, std::nullopt};
    return evaluate(qint32(m_nodes.size() - 1), packet);
}

bool DisplayFilter::evaluate(qint32 index, DisplayFilterPacket &packet) const
{
    const Node &node = m_nodes[size_t(index)];
    const auto children = [&] {
        return std::span(m_children).subspan(size_t(node.first), size_t(node.count));
    };
    switch (node.kind) {
    case Node::Kind::And:
        return std::ranges::all_of(children(), [&](qint32 c) { return evaluate(c, packet); });
    case Node::Kind::Or:
        return std::ranges::any_of(children(), [&](qint32 c) { return evaluate(c, packet); });
    case Node::Kind::Not:
        return !evaluate(node.first, packet);
    case Node::Kind::Protocol:
        if (node.field == anyFrame)
            return true;
        if (node.field == nvgre)
            return packet.s.vsid >= 0;
        if (node.field == malformed)
            return packet.s.isMalformed();
        return packet.has(Protocol(node.field));
    case Node::Kind::Present:
    case Node::Kind::Compare:
        return compare(node, packet);
    }
    return false;
}

// Wireshark's convention (since 3.6): a comparison holds when any of the field's values
// satisfies it, except `!=`, which is `!(field == value)`: no value equals. A field the packet
// does not have makes every comparison false, `!=` too.
bool DisplayFilter::compare(const Node &node, DisplayFilterPacket &packet) const
{
    const FieldSpec &spec = fields[node.field];
    const auto op = Op(node.op);
    if (spec.type == ValueType::String)
        return compareName(node, packet);
    int n = 0;
    bool any = false;
    if (spec.addresses) {
        Addresses values;
        n = spec.addresses(packet, values);
        any = std::any_of(values.begin(), values.begin() + n, [&](const Address &a) {
            return sameNetwork(a, node.address, node.prefix);
        });
    } else {
        Numbers values{};
        n = spec.numbers(packet, values);
        any = std::any_of(values.begin(), values.begin() + n,
                          [&](qint64 v) { return holds(op, v, node.number); });
    }
    if (node.kind == Node::Kind::Present || n == 0)
        return n > 0;
    return op == Op::Ne ? !any : any;
}

bool DisplayFilter::compareName(const Node &node, DisplayFilterPacket &packet) const
{
    std::array<char, 256> buffer{};
    const qsizetype n = dnsName(packet.s, packet.frame, buffer);
    if (n < 0)
        return false;
    if (node.kind == Node::Kind::Present)
        return true;
    const std::string_view name(buffer.data(), size_t(n));
    const QByteArray &wanted = m_strings[size_t(node.number)];
    const std::string_view value(wanted.constData(), size_t(wanted.size()));
    switch (Op(node.op)) {
    case Op::Eq:
        return name == value;
    case Op::Ne:
        return name != value;
    case Op::Contains:
        return name.find(value) != std::string_view::npos;
    default:
        return false;
    }
}

// Recursive descent over Wireshark's grammar: `or` binds looser than `and`, `not` tighter; and
// and or chains are one node each, so evaluation nests only as deep as parentheses and
// negations, which are bounded (maxNesting).
class DisplayFilterParser
{
public:
    DisplayFilterParser(const QString &text, DisplayFilter &filter)
        : m_text(text)
        , m_filter(filter)
    {
    }
    core::Result<void> parse();

private:
    struct Token
    {
        enum class Kind : quint8 { End, Word, String, Symbol };
        Kind kind = Kind::End;
        QStringView text;
        QString string; // a quoted string's value, unescaped
        int column = 0;
        bool is(QLatin1StringView word) const
        {
            return kind != Kind::String && text.compare(word, Qt::CaseInsensitive) == 0;
        }
    };
    using Node = DisplayFilter::Node;

    core::Result<void> tokenize();
    core::Result<Token> quoted(qsizetype &at) const;
    core::Result<qint32> parseOr();
    core::Result<qint32> parseAnd();
    core::Result<qint32> parseChain(Node::Kind kind);
    core::Result<qint32> parseNot();
    core::Result<qint32> parsePrimary();
    core::Result<qint32> parseTest(const Token &name);
    core::Result<void> parseValue(const FieldSpec &spec, const Token &value, Node &node);
    core::Result<void> parseAddress(ValueType type, const Token &value, Node &node) const;
    std::optional<Op> comparison(const Token &t) const;
    qint32 add(const Node &node);
    const Token &peek() const { return m_tokens[m_at]; }
    const Token &take() // the End token stays
    {
        const Token &t = m_tokens[m_at];
        m_at = std::min(m_at + 1, m_tokens.size() - 1);
        return t;
    }
    static std::unexpected<core::Error> error(int column, const QString &what)
    {
        return core::invalid(QStringLiteral("column %1: %2").arg(column).arg(what));
    }
    static QString quote(const Token &t)
    {
        return t.kind == Token::Kind::End ? QStringLiteral("the end")
                                          : QStringLiteral("'%1'").arg(t.text);
    }

    const QString &m_text;
    DisplayFilter &m_filter;
    std::vector<Token> m_tokens;
    size_t m_at = 0;
    int m_depth = 0;
};

core::Result<DisplayFilter> DisplayFilter::compile(const QString &text)
{
    if (text.size() > maxLength)
        return core::invalid(QStringLiteral("column %1: the filter is longer than %2 characters")
                                 .arg(maxLength + 1)
                                 .arg(maxLength));
    DisplayFilter filter;
    filter.m_text = text;
    if (text.trimmed().isEmpty())
        return filter;
    DisplayFilterParser parser(text, filter);
    if (auto parsed = parser.parse(); !parsed)
        return std::unexpected(parsed.error());
    return filter;
}

core::Result<void> DisplayFilterParser::parse()
{
    if (auto t = tokenize(); !t)
        return t;
    auto root = parseOr();
    if (!root)
        return std::unexpected(root.error());
    const Token &rest = peek();
    if (rest.kind != Token::Kind::End)
        return rest.text == u")"
                   ? error(rest.column, QStringLiteral("')' without a matching '('"))
                   : error(rest.column, QStringLiteral("expected 'and', 'or' or the end, not %1")
                                            .arg(quote(rest)));
    // The root is the last node (matches() starts there): move it when a child came after it.
    if (*root != qint32(m_filter.m_nodes.size() - 1))
        add(m_filter.m_nodes[size_t(*root)]);
    return {};
}

core::Result<void> DisplayFilterParser::tokenize()
{
    static constexpr std::array<std::u16string_view, 11> symbols = {
        u"==", u"!=", u"<=", u">=", u"&&", u"||", u"<", u">", u"!", u"(", u")"};
    const auto isWord = [](QChar c) {
        return c.isLetterOrNumber() || c == u'.' || c == u'_' || c == u':' || c == u'/' ||
               c == u'-';
    };
    for (qsizetype at = 0; at < m_text.size();) {
        const QChar c = m_text[at];
        const int column = int(at + 1);
        const QStringView rest = QStringView(m_text).mid(at);
        if (c.isSpace()) {
            ++at;
        } else if (c == u'"') {
            auto t = quoted(at);
            if (!t)
                return std::unexpected(t.error());
            m_tokens.push_back(std::move(*t));
        } else if (isWord(c)) {
            qsizetype end = at;
            while (end < m_text.size() && isWord(m_text[end]))
                ++end;
            m_tokens.push_back({Token::Kind::Word, rest.first(end - at), {}, column});
            at = end;
        } else if (auto s = std::ranges::find_if(
                       symbols, [&](std::u16string_view v) { return rest.startsWith(v); });
                   s != symbols.end()) {
            m_tokens.push_back({Token::Kind::Symbol, rest.first(qsizetype(s->size())), {}, column});
            at += qsizetype(s->size());
        } else {
            return error(column, unexpected(rest));
        }
    }
    m_tokens.push_back({Token::Kind::End, {}, {}, int(m_text.size() + 1)});
    return {};
}

// A string in double quotes; \" and \\ stand for themselves, as in Wireshark.
core::Result<DisplayFilterParser::Token> DisplayFilterParser::quoted(qsizetype &at) const
{
    const qsizetype start = at;
    QString value;
    for (++at; at < m_text.size() && m_text[at] != u'"'; ++at) {
        if (m_text[at] == u'\\' && at + 1 < m_text.size())
            ++at;
        value += m_text[at];
    }
    if (at >= m_text.size())
        return error(int(start + 1), QStringLiteral("the string is not closed with '\"'"));
    ++at;
    return Token{Token::Kind::String, QStringView(m_text).mid(start, at - start), value,
                 int(start + 1)};
}

qint32 DisplayFilterParser::add(const Node &node)
{
    m_filter.m_nodes.push_back(node);
    return qint32(m_filter.m_nodes.size() - 1);
}

core::Result<qint32> DisplayFilterParser::parseOr()
{
    return parseChain(Node::Kind::Or);
}

core::Result<qint32> DisplayFilterParser::parseAnd()
{
    return parseChain(Node::Kind::And);
}

core::Result<qint32> DisplayFilterParser::parseChain(Node::Kind kind)
{
    const bool isOr = kind == Node::Kind::Or;
    const auto operand = [&] {
        return isOr ? parseAnd() : parseNot();
    };
    std::vector<qint32> children;
    for (;;) {
        auto child = operand();
        if (!child)
            return child;
        children.push_back(*child);
        const Token &t = peek();
        const bool more = isOr ? t.is(QLatin1StringView("or")) || t.text == u"||"
                               : t.is(QLatin1StringView("and")) || t.text == u"&&";
        if (!more)
            break;
        take();
    }
    if (children.size() == 1)
        return children.front();
    Node node;
    node.kind = kind;
    node.first = qint32(m_filter.m_children.size());
    node.count = qint32(children.size());
    m_filter.m_children.insert(m_filter.m_children.end(), children.begin(), children.end());
    return add(node);
}

core::Result<qint32> DisplayFilterParser::parseNot()
{
    const Token &t = peek();
    if (!t.is(QLatin1StringView("not")) && t.text != u"!")
        return parsePrimary();
    take();
    if (++m_depth > DisplayFilter::maxNesting)
        return error(t.column,
                     QStringLiteral("nested deeper than %1").arg(DisplayFilter::maxNesting));
    auto child = parseNot();
    --m_depth;
    if (!child)
        return child;
    Node node;
    node.kind = Node::Kind::Not;
    node.first = *child;
    return add(node);
}

core::Result<qint32> DisplayFilterParser::parsePrimary()
{
    const Token &t = take();
    if (t.text == u"(") {
        if (++m_depth > DisplayFilter::maxNesting)
            return error(t.column,
                         QStringLiteral("nested deeper than %1").arg(DisplayFilter::maxNesting));
        auto inner = parseOr();
        if (!inner)
            return inner;
        if (peek().text != u")")
            return error(peek().column, QStringLiteral("expected ')' to close the '(' at column "
                                                       "%1, not %2")
                                            .arg(t.column)
                                            .arg(quote(peek())));
        take();
        --m_depth;
        return inner;
    }
    if (t.kind == Token::Kind::Word && !comparison(t) && !t.is(QLatin1StringView("and")) &&
        !t.is(QLatin1StringView("or")))
        return parseTest(t);
    return error(t.column,
                 QStringLiteral("expected a field, a protocol or '(', not %1").arg(quote(t)));
}

std::optional<Op> DisplayFilterParser::comparison(const Token &t) const
{
    static constexpr std::array<std::pair<std::u16string_view, Op>, 13> ops = {{
        {u"==", Op::Eq},
        {u"eq", Op::Eq},
        {u"!=", Op::Ne},
        {u"ne", Op::Ne},
        {u"<", Op::Lt},
        {u"lt", Op::Lt},
        {u"<=", Op::Le},
        {u"le", Op::Le},
        {u">", Op::Gt},
        {u"gt", Op::Gt},
        {u">=", Op::Ge},
        {u"ge", Op::Ge},
        {u"contains", Op::Contains},
    }};
    if (t.kind == Token::Kind::String)
        return std::nullopt;
    for (const auto &[text, op] : ops)
        if (t.text.compare(QStringView(text), Qt::CaseInsensitive) == 0)
            return op;
    return std::nullopt;
}

core::Result<qint32> DisplayFilterParser::parseTest(const Token &name)
{
    const auto isName = [&](const auto &entry) {
        return name.text == QLatin1StringView(entry.name);
    };
    const std::optional<Op> op = comparison(peek());
    if (auto p = std::ranges::find_if(protocolNames, isName); p != protocolNames.end()) {
        if (op)
            return error(
                peek().column,
                QStringLiteral("'%1' is a protocol: it has no value to compare").arg(name.text));
        Node node;
        node.kind = Node::Kind::Protocol;
        node.field = quint8(p->protocol);
        return add(node);
    }
    const auto spec = std::ranges::find_if(fields, isName);
    if (spec == fields.end())
        return error(name.column, QStringLiteral("unknown field '%1'").arg(name.text));
    Node node;
    node.field = quint8(spec - fields.begin());
    if (!op)
        return add(node); // Present: the packet has the field
    node.kind = Node::Kind::Compare;
    node.op = quint8(*op);
    if (*op == Op::Contains && spec->type != ValueType::String)
        return error(peek().column, QStringLiteral("'contains' applies to dns.qry.name only"));
    take();
    if (auto v = parseValue(*spec, take(), node); !v)
        return std::unexpected(v.error());
    return add(node);
}

core::Result<void> DisplayFilterParser::parseValue(const FieldSpec &spec, const Token &value,
                                                   Node &node)
{
    const auto op = Op(node.op);
    const QLatin1StringView field(spec.name);
    if (value.kind == Token::Kind::End)
        return error(value.column, QStringLiteral("the filter ends where a value was expected"));
    if (spec.type == ValueType::String) {
        if (op != Op::Eq && op != Op::Ne && op != Op::Contains)
            return error(value.column, QStringLiteral("%1 takes ==, != or contains").arg(field));
        if (value.kind != Token::Kind::String)
            return error(value.column,
                         QStringLiteral("%1 takes a quoted string, as \"example.org\", not %2")
                             .arg(field, quote(value)));
        node.number = qint64(m_filter.m_strings.size());
        m_filter.m_strings.push_back(value.string.toUtf8());
        return {};
    }
    if (value.kind != Token::Kind::Word)
        return error(value.column, QStringLiteral("%1 takes %2, not %3")
                                       .arg(field,
                                            spec.addresses ? QStringLiteral("an address")
                                                           : QStringLiteral("a number"),
                                            quote(value)));
    if (spec.addresses)
        return parseAddress(spec.type, value, node);
    if (spec.type == ValueType::Bool) {
        const bool yes = value.is(QLatin1StringView("1")) || value.is(QLatin1StringView("true"));
        if (!yes && !value.is(QLatin1StringView("0")) && !value.is(QLatin1StringView("false")))
            return error(
                value.column,
                QStringLiteral("%1 is 1 or 0 (true or false), not %2").arg(field, quote(value)));
        node.number = yes ? 1 : 0;
        return {};
    }
    bool ok = false;
    node.number = value.text.toLongLong(&ok, 0); // 0x1f and 017 as in C, as Wireshark reads them
    if (!ok)
        return error(value.column, QStringLiteral("%1 is not a number").arg(quote(value)));
    return {};
}

core::Result<void> DisplayFilterParser::parseAddress(ValueType type, const Token &value,
                                                     Node &node) const
{
    if (Op(node.op) != Op::Eq && Op(node.op) != Op::Ne)
        return error(value.column, QStringLiteral("an address takes == or != only"));
    const qsizetype slash = value.text.indexOf(u'/');
    const QByteArray text = value.text.first(slash < 0 ? value.text.size() : slash).toLatin1();
    const int bits = type == ValueType::IPv4 ? 32 : type == ValueType::IPv6 ? 128 : 48;
    bool ok = type == ValueType::Mac ? parseMac(text, node.address)
                                     : inet_pton(type == ValueType::IPv4 ? AF_INET : AF_INET6,
                                                 text.constData(), node.address.bytes.data()) == 1;
    static constexpr std::array<const char *, 3> kinds = {"an IPv4", "an IPv6", "a MAC"};
    if (!ok)
        return error(value.column,
                     QStringLiteral("'%1' is not %2 address")
                         .arg(QLatin1StringView(text), QLatin1StringView(kinds[size_t(type)])));
    node.address.kind = type == ValueType::IPv4   ? Address::Kind::IPv4
                        : type == ValueType::IPv6 ? Address::Kind::IPv6
                                                  : Address::Kind::Mac;
    node.prefix = quint8(bits);
    if (slash < 0)
        return {};
    if (type == ValueType::Mac)
        return error(int(value.column + slash),
                     QStringLiteral("a MAC address takes no prefix length"));
    const int prefix = value.text.mid(slash + 1).toInt(&ok);
    if (!ok || prefix < 0 || prefix > bits)
        return error(int(value.column + slash),
                     QStringLiteral("'%1' is not a prefix length from 0 to %2")
                         .arg(value.text.mid(slash), QString::number(bits)));
    node.prefix = quint8(prefix);
    return {};
}

} // namespace converge::collectors
