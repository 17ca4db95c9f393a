#pragma once

#include <QString>

// Metering values as people read them, from the catalog's base units (core/metering/sample.h):
// bytes a second as bits a second (network people think in bits), bytes in binary multiples,
// rates of packets, errors and operations with k/M. One scale serves a whole axis, picked from
// its largest value, so every tick carries the same unit.
namespace converge::views::metering {

// A displayed value is base value x factor, followed by suffix ("Mbit/s").
struct UnitScale
{
    double factor = 1;
    QString suffix;
};

// The scale for values of `unit` up to `maxValue` (the largest absolute value shown). An
// unknown unit keeps its values and shows its own name.
UnitScale scaleFor(const QString &unit, double maxValue);

// "94.2 Mbit/s": the value in `scale`, three significant digits.
QString formatValue(double value, const UnitScale &scale);
// The value in the scale picked for itself alone (tooltips, status lines).
QString formatValue(double value, const QString &unit);

// The family a unit's series are charted in: series of one family share a chart; a chart
// takes at most two units (one axis each). "cpu", "memory", "traffic", "packets", "operations",
// or the unit itself.
QString unitFamily(const QString &unit);
// The family's chart title: "CPU", "Memory and space", "Traffic", "Packets and errors", ...
QString familyTitle(const QString &family);

} // namespace converge::views::metering
