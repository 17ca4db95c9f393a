#pragma once

#include "core/model/labels.h"
#include "core/model/schema.h"

#include <QJsonValue>
#include <QString>

#include <array>
#include <expected>

namespace converge::views {

// The text forms of property values that the inspector's fields show and parse. One place, so
// what a field shows can always be typed back ("10, 20-22" for a VLAN list).

// The value as a field shows it ("" when absent).
QString valueText(const core::PropertySpec &spec, const QJsonValue &value);

// Parses what the user typed. Empty text is Undefined (clear the property); a value that does not
// fit the spec comes back as the problem ("'10.0.0.300/24': expected an IP prefix ...").
std::expected<QJsonValue, QString> parseValueText(const core::PropertySpec &spec,
                                                  const QString &text);

// Bandwidth units for the unit combo, smallest first: core's units (b/s ... Gb/s).
using core::BandwidthUnit;
inline constexpr std::array<BandwidthUnit, 4> bandwidthUnits{
    core::bandwidthUnits[0], core::bandwidthUnits[1], core::bandwidthUnits[2],
    core::bandwidthUnits[3]};

// The largest unit that shows `bitsPerSecond` as an integer (index into bandwidthUnits).
int bandwidthUnitFor(qint64 bitsPerSecond);

struct ParsedBandwidth
{
    qint64 bitsPerSecond = 0;
    int typedUnit = -1; // the unit written in the text, -1 when there was none
};
// "10" (in `defaultUnit`), "2.5 Gb/s", "100M", "10 Gbps".
std::expected<ParsedBandwidth, QString> parseBandwidth(const QString &text, int defaultUnit);

// The label a form shows for a property key: "interfaceName" -> "Interface name",
// "mtu" -> "MTU", "vlanId" -> "VLAN ID".
QString propertyLabel(const QString &key);

} // namespace converge::views
