#include "collectors/capture/dissector.h"

#include "collectors/capture/dissectorwalker.h"

namespace converge::collectors {

PacketSummary dissectSummary(std::span<const quint8> frame, LinkType link)
{
    PacketSummary summary;
    summary.length = quint32(frame.size());
    DissectorWalker walker(frame, summary, nullptr);
    if (link == LinkType::Ethernet)
        walker.ethernet(0, qint32(frame.size()));
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
