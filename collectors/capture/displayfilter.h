#pragma once

#include "collectors/capture/dissector.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QString>

#include <span>
#include <vector>

namespace converge::collectors {

struct DisplayFilterPacket;

// A display filter in Wireshark's spelling ("ip.addr == 10.0.0.0/8 and not arp"), compiled once
// and run on each packet's summary (issue 16, "Views": addresses, ports, protocols, VLAN, VSID,
// and/or/not). docs/capture.md "Display filter" lists the fields and how they read a packet.
class DisplayFilter
{
public:
    static constexpr int maxLength = 4096; // characters
    static constexpr int maxNesting = 64;  // parentheses and negations inside each other

    // An empty (or blank) text compiles to a filter that shows every packet. An error says
    // where and what: "column 9: unknown field 'ip.sorce'".
    static core::Result<DisplayFilter> compile(const QString &text);

    // Allocates nothing; only dns.qry.name and the outer headers of an encapsulated packet read
    // the frame (an empty span is safe: those fields are then absent).
    bool matches(const PacketSummary &summary, std::span<const quint8> frame) const;
    bool isEmpty() const { return m_nodes.empty(); }
    const QString &text() const { return m_text; }

    // One step of the compiled expression; built by the parser in displayfilter.cpp.
    struct Node
    {
        enum class Kind : quint8 { And, Or, Not, Protocol, Present, Compare };
        Kind kind = Kind::Present;
        quint8 field = 0;  // a field of displayfilter.cpp's table, or a Protocol
        quint8 op = 0;     // a comparison of displayfilter.cpp
        quint8 prefix = 0; // bits of an address value that must match (CIDR)
        qint32 first = 0;  // And/Or: the first child in m_children; Not: the child node
        qint32 count = 0;  // And/Or: how many children
        qint64 number = 0; // a number value, or a string's index in m_strings
        Address address;   // an address value
    };

private:
    friend class DisplayFilterParser;
    friend struct DisplayFilterPacket;
    bool evaluate(qint32 node, DisplayFilterPacket &packet) const;
    bool compare(const Node &node, DisplayFilterPacket &packet) const;
    bool compareName(const Node &node, DisplayFilterPacket &packet) const;

    QString m_text;
    std::vector<Node> m_nodes; // the root is the last one
    std::vector<qint32> m_children;
    std::vector<QByteArray> m_strings; // UTF-8
};

} // namespace converge::collectors
