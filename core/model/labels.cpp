#include "labels.h"

#include "schema.h"

#include <algorithm>

namespace converge::core {

QString formatBandwidth(double bitsPerSecond)
{
    for (auto unit = bandwidthUnits.rbegin(); unit + 1 != bandwidthUnits.rend(); ++unit) {
        const auto scale = double(unit->bitsPerSecond);
        if (bitsPerSecond >= scale)
            return QString::number(bitsPerSecond / scale, 'g', 4) + QLatin1Char(' ') +
                   QLatin1String(unit->name);
    }
    return QString::number(bitsPerSecond, 'f', 0) + QLatin1Char(' ') +
           QLatin1String(bandwidthUnits.front().name);
}

QString formatVlanList(QList<int> ids)
{
    std::ranges::sort(ids);
    QStringList parts;
    for (qsizetype i = 0; i < ids.size();) {
        qsizetype j = i;
        while (j + 1 < ids.size() && ids[j + 1] <= ids[j] + 1)
            ++j;
        parts << (ids[j] > ids[i] ? QStringLiteral("%1-%2").arg(ids[i]).arg(ids[j])
                                  : QString::number(ids[i]));
        i = j + 1;
    }
    return parts.join(QStringLiteral(", "));
}

QString elementLabel(const Element &e)
{
    return QStringLiteral("%1 '%2'").arg(kindTexts(e.kind).findingNoun, e.name());
}

QString vnicLabel(const Element &vnic, const Element *vm, const Element *host)
{
    QString out = elementLabel(vnic);
    if (vm)
        out += QStringLiteral(" of ") + elementLabel(*vm);
    if (host)
        out += QStringLiteral(" on ") + elementLabel(*host);
    return out;
}

} // namespace converge::core
