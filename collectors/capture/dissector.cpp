#include "collectors/capture/dissector.h"

#include "collectors/capture/dissectorwalker.h"

#include <algorithm>
#include <cstdint>

namespace converge::collectors {

namespace {

// Offsets are 32-bit; no link carries frames near that (pcap's own cap is 256 KiB).
constexpr size_t maxFrameLength = size_t(1) << 24;

void walk(std::span<const quint8> frame, LinkType link, PacketSummary &summary, ProtocolTree *tree)
{
    summary.length = quint32(std::min(frame.size(), size_t(UINT32_MAX)));
    if (link != LinkType::Ethernet) {
        summary.malformed = {"Frame", "link type is not Ethernet (1):", qint64(link), 0, 0, false};
        return;
    }
    if (frame.size() > maxFrameLength) {
        summary.malformed = {"Frame", "length is above 16 MiB:", qint64(frame.size()), 0, 0, false};
        return;
    }
    DissectorWalker walker(frame, summary, tree);
    walker.ethernet(0, qint32(frame.size()));
}

} // namespace

PacketSummary dissectSummary(std::span<const quint8> frame, LinkType link)
{
    PacketSummary summary;
    walk(frame, link, summary, nullptr);
    return summary;
}

ProtocolTree dissectTree(std::span<const quint8> frame, LinkType link)
{
    PacketSummary summary;
    summary.length = quint32(frame.size());
    ProtocolTree tree;
    DissectorWalker walker(frame, summary, &tree);
    if (link == LinkType::Ethernet)
        walker.ethernet(0, qint32(frame.size()));
    if (summary.isMalformed()) {
        const qint32 offset = summary.malformed.offset;
        tree.push_back({QStringLiteral("Malformed Packet"),
                        offset,
                        qint32(frame.size()) - offset,
                        {{QStringLiteral("error"), summary.malformed.text(), offset,
                          qint32(frame.size()) - offset}}});
    }
    return tree;
}

} // namespace converge::collectors
