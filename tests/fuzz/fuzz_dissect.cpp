// The dissectors on arbitrary bytes as one Ethernet frame (issue 16, "Dissectors": a malformed
// packet is shown as malformed with the offset where it broke, never a crash). Checked: the
// summary and the tree walk the same layers and agree on whether and where the packet broke;
// every offset they give is inside the frame; Info and the DNS name are made without a crash.
#include "fuzzchecks.h"

#include "collectors/capture/dissector.h"

#include <memory>

using namespace converge;
using namespace converge::collectors;
using fuzz::require;

namespace {

QString where(qint64 offset, qint64 length, size_t size)
{
    return QStringLiteral("offset %1 length %2 in %3 bytes").arg(offset).arg(length).arg(size);
}

void checkSummary(const PacketSummary &s, std::span<const quint8> frame)
{
    require(s.length == frame.size(), "the summary's length is the frame's");
    require(s.layerCount <= PacketSummary::maxLayers, "at most maxLayers layers");
    require(s.vlanCount <= s.vlanIds.size(), "at most two VLAN ids");
    if (s.isMalformed()) {
        require(s.malformed.offset >= 0 && size_t(s.malformed.offset) <= frame.size(),
                "the malformed offset is inside the frame",
                where(s.malformed.offset, 0, frame.size()));
        require(!s.malformed.text().isEmpty(), "a malformed packet says why");
    }
    require(s.topOffset >= 0 && size_t(s.topOffset) <= frame.size(),
            "the top layer starts inside the frame", where(s.topOffset, 0, frame.size()));
    require(s.dnsNameOffset < 0 || size_t(s.dnsNameOffset) < frame.size(),
            "the DNS name starts inside the frame", where(s.dnsNameOffset, 0, frame.size()));
    const QString info = s.info(frame);
    require(!s.isMalformed() || info.contains(QStringLiteral("[Malformed Packet: ")),
            "Info shows a malformed packet", info);
    require(dnsQueryName(s, frame).size() <= 255, "a DNS name is at most 255 bytes");
}

void checkTree(const ProtocolTree &tree, const PacketSummary &s, std::span<const quint8> frame)
{
    const bool malformed = !tree.empty() && tree.back().name == QLatin1String("Malformed Packet");
    require(malformed == s.isMalformed(), "summary and tree agree on malformed", s.protocols());
    require(!malformed || tree.back().offset == s.malformed.offset,
            "summary and tree agree where it broke");
    QStringList names;
    for (const ProtocolLayer &layer : tree) {
        require(layer.offset >= 0 && layer.length >= 0 &&
                    qint64(layer.offset) + layer.length <= qint64(frame.size()),
                "a layer is inside the frame",
                layer.name + where(layer.offset, layer.length, frame.size()));
        for (const ProtocolField &f : layer.fields)
            require(f.offset >= 0 && f.length >= 0 &&
                        qint64(f.offset) + f.length <= qint64(frame.size()),
                    "a field is inside the frame",
                    layer.name + QLatin1Char('.') + f.name +
                        where(f.offset, f.length, frame.size()));
        names << layer.name;
    }
    if (malformed)
        names.removeLast();
    require(names.join(QLatin1Char(':')) == s.protocols(), "summary and tree walk the same layers",
            names.join(QLatin1Char(':')) + QStringLiteral(" vs ") + s.protocols());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // A copy of exactly the input's size, so a read one past the frame is an ASan error.
    auto copy = std::make_unique<quint8[]>(std::max<size_t>(size, 1));
    std::copy_n(data, size, copy.get());
    const std::span<const quint8> frame(copy.get(), size);
    const PacketSummary summary = dissectSummary(frame);
    checkSummary(summary, frame);
    checkTree(dissectTree(frame), summary, frame);
    return 0;
}
