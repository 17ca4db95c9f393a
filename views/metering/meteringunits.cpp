#include "meteringunits.h"

#include <array>
#include <cmath>

namespace converge::views::metering {

namespace {

struct Step
{
    double size; // in the displayed base (bits, bytes, packets)
    const char *suffix;
};

// The largest step not above maxValue (the first when none is): 999 Mbit/s stays in Mbit/s,
// 1,000 becomes 1 Gbit/s.
template<size_t N> UnitScale pick(const std::array<Step, N> &steps, double base, double maxValue)
{
    const double top = std::abs(maxValue) * base;
    const Step *chosen = &steps.front();
    for (const Step &s : steps) {
        if (top >= s.size)
            chosen = &s;
    }
    return {base / chosen->size, QString::fromUtf8(chosen->suffix)};
}

constexpr std::array<Step, 5> bitSteps{
    {{1, "bit/s"}, {1e3, "kbit/s"}, {1e6, "Mbit/s"}, {1e9, "Gbit/s"}, {1e12, "Tbit/s"}}};
constexpr std::array<Step, 5> byteSteps{{{1, "B"},
                                         {1024.0, "KiB"},
                                         {1024.0 * 1024, "MiB"},
                                         {1024.0 * 1024 * 1024, "GiB"},
                                         {1024.0 * 1024 * 1024 * 1024, "TiB"}}};

// Per-second counts with k and M, "pkt/s", "k pkt/s", "M pkt/s".
UnitScale countScale(const char *what, double maxValue)
{
    const QString base = QString::fromUtf8(what);
    const double top = std::abs(maxValue);
    if (top >= 1e6)
        return {1e-6, QStringLiteral("M ") + base};
    if (top >= 1e3)
        return {1e-3, QStringLiteral("k ") + base};
    return {1, base};
}

} // namespace

UnitScale scaleFor(const QString &unit, double maxValue)
{
    if (unit == u"bytes_per_second")
        return pick(bitSteps, 8, maxValue);
    if (unit == u"bytes")
        return pick(byteSteps, 1, maxValue);
    if (unit == u"percent")
        return {1, QStringLiteral("%")};
    if (unit == u"cores")
        return {1, QStringLiteral("cores")};
    if (unit == u"packets_per_second")
        return countScale("pkt/s", maxValue);
    if (unit == u"errors_per_second")
        return countScale("err/s", maxValue);
    if (unit == u"operations_per_second")
        return countScale("op/s", maxValue);
    return {1, unit};
}

QString formatValue(double value, const UnitScale &scale)
{
    const double shown = value * scale.factor;
    // Three significant digits, but never exponents: 1234 %, not 1.23e+03 %.
    const int decimals = std::abs(shown) >= 100 ? 0 : std::abs(shown) >= 10 ? 1 : 2;
    const QString number = QString::number(shown, 'f', decimals);
    return scale.suffix == u"%" ? number + scale.suffix : number + QLatin1Char(' ') + scale.suffix;
}

QString formatValue(double value, const QString &unit)
{
    return formatValue(value, scaleFor(unit, value));
}

QString unitFamily(const QString &unit)
{
    if (unit == u"percent" || unit == u"cores")
        return QStringLiteral("cpu");
    if (unit == u"bytes")
        return QStringLiteral("memory");
    if (unit == u"bytes_per_second")
        return QStringLiteral("traffic");
    if (unit == u"packets_per_second" || unit == u"errors_per_second")
        return QStringLiteral("packets");
    if (unit == u"operations_per_second")
        return QStringLiteral("operations");
    return unit;
}

QString familyTitle(const QString &family)
{
    if (family == u"cpu")
        return QStringLiteral("CPU");
    if (family == u"memory")
        return QStringLiteral("Memory and space");
    if (family == u"traffic")
        return QStringLiteral("Traffic");
    if (family == u"packets")
        return QStringLiteral("Packets and errors");
    if (family == u"operations")
        return QStringLiteral("Disk operations");
    return family;
}

} // namespace converge::views::metering
