#include "portmasks.h"

#include <algorithm>

namespace converge::core::realize {

namespace {

// The aligned blocks covering FIRST..LAST: at each step the largest block that starts at FIRST
// (its alignment) and does not pass LAST.
void addBlocks(int first, int last, std::vector<PortMask> &out)
{
    while (first <= last) {
        int size = first == 0 ? 0x10000 : (first & -first);
        while (first + size - 1 > last)
            size /= 2;
        out.push_back({first, 0xffff & ~(size - 1)});
        first += size;
    }
}

} // namespace

std::vector<PortMask> portMasks(const QList<int> &ports)
{
    QList<int> sorted = ports;
    std::ranges::sort(sorted);
    std::vector<PortMask> out;
    for (qsizetype i = 0; i < sorted.size();) {
        qsizetype j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] - sorted[j] <= 1)
            ++j;
        addBlocks(sorted[i], sorted[j], out);
        i = j + 1;
    }
    return out;
}

QString maskText(const PortMask &m)
{
    if (m.mask == 0xffff)
        return QString::number(m.value);
    return QStringLiteral("0x%1/0x%2").arg(m.value, 0, 16).arg(m.mask, 0, 16);
}

qsizetype aclFlowCount(const QList<int> &localPorts, const QList<int> &remotePorts)
{
    const auto matches = [](const QList<int> &ports) {
        return ports.isEmpty() ? qsizetype{1} : qsizetype(portMasks(ports).size());
    };
    const qsizetype local = matches(localPorts), remote = matches(remotePorts);
    return local > 1 && remote > 1 ? local + remote + 1 : local * remote;
}

} // namespace converge::core::realize
