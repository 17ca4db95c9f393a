// PcapFile on arbitrary bytes (issue 16, "Fuzz targets ... the pcap/pcapng reader"), read from
// memory with fromBytes(). Checked: next() ends or fails with an error that names the offset,
// within a bound on the packet count; index() gives exactly the offsets next() gave (or fails
// as next() did); readAt() of each gives the same packet; every packet's bytes are inside the
// file and at most maxPacketLength.
#include "fuzzchecks.h"

#include "collectors/capture/pcapfile.h"

#include <vector>

using namespace converge;
using namespace converge::collectors;
using fuzz::require;

namespace {

bool samePacket(const PcapPacket &a, const PcapPacket &b)
{
    return a.offset == b.offset && a.timestampNs == b.timestampNs &&
           a.originalLength == b.originalLength && a.linkType == b.linkType &&
           a.bytes.data() == b.bytes.data() && a.bytes.size() == b.bytes.size();
}

void checkPacket(const PcapPacket &p, qint64 size)
{
    require(p.offset >= 0 && p.offset < size, "a packet's record is inside the file",
            QString::number(p.offset));
    require(p.bytes.size() <= PcapFile::maxPacketLength, "a packet is at most maxPacketLength");
    require(qint64(p.bytes.size()) <= size - p.offset, "a packet's bytes are inside the file");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto file = PcapFile::fromBytes(fuzz::bytesOf(data, size));
    if (fuzz::failedWithMessage(file))
        return 0;
    std::vector<PcapPacket> packets;
    QString error;
    for (;;) {
        auto next = file->next();
        if (fuzz::failedWithMessage(next)) {
            error = next.error().message;
            require(error.contains(QStringLiteral(", at offset ")), "an error names the offset",
                    error);
            break;
        }
        if (!*next)
            break;
        checkPacket(**next, qint64(size));
        require(packets.empty() || (*next)->offset > packets.back().offset, "offsets only grow");
        require(packets.size() <= size / 12, "a packet takes at least 12 bytes of the file");
        packets.push_back(**next);
    }
    auto index = file->index();
    require(index.has_value() == error.isEmpty(), "index() fails where next() failed",
            error + QStringLiteral(" / ") + (index ? QString() : index.error().message));
    if (!index)
        return 0;
    require(index->size() == packets.size(), "index() has every packet next() gave");
    for (size_t i = 0; i < packets.size(); ++i) {
        require((*index)[i] == packets[i].offset, "index() has next()'s offsets");
        auto again = file->readAt(packets[i].offset);
        require(again.has_value(), "readAt() reads what next() read",
                again ? QString() : again.error().message);
        require(samePacket(*again, packets[i]), "readAt() gives the same packet");
    }
    return 0;
}
