#pragma once

#include "propertyeditors.h"

#include <QComboBox>

namespace converge::views {

// The editors behind createPropertyEditor(), one file each group (propertyeditors.h has the
// base class). Private to the inspector.

// "prop_<key>" or "prop_<key>_<part>": the object names tests and tools find editors by.
QString fieldName(const core::PropertySpec &spec, const char *part = nullptr);

// A combo of values (enum values, elements): the item data is the stored string, an item
// without data is "(mixed)". Choosing an item with data commits it; none stored is "(not set)".
class ComboEditor : public PropertyEditor
{
public:
    ComboEditor(const core::PropertySpec &spec, QObject *parent);
    QWidget *widget() const override;
    QJsonValue valueFor(const QJsonValue &) const override;

protected:
    QComboBox *m_combo;
};

// Int: a spin box whose lowest value (min - 1) reads "(not set)", and a clear button.
PropertyEditor *createIntEditor(const core::PropertySpec &spec, QObject *parent);
// Bandwidth: a number and a unit (b/s ... Gb/s), stored as bits per second.
PropertyEditor *createBandwidthEditor(const core::PropertySpec &spec, QObject *parent);

// Ref: a combo of the elements of the allowed kinds ("name (kind)"), those on the same host as
// the selected elements first, plus "(none)".
PropertyEditor *createRefEditor(const core::PropertySpec &spec, QObject *parent);
// RefList: a compact list of candidates with check boxes; partially checked when only some
// selected elements hold a candidate.
PropertyEditor *createRefListEditor(const core::PropertySpec &spec, QObject *parent);
// Records: a table with one column per field and add/remove buttons; any change writes the
// whole array (once it fits the fields).
PropertyEditor *createRecordsEditor(const core::PropertySpec &spec, QObject *parent);

struct RefCandidate
{
    QString id;
    QString text; // "eth1 (Physical NIC)", "eth1 (Physical NIC on HV02)" off the selection's host
    bool sameHost = false;
    friend bool operator==(const RefCandidate &, const RefCandidate &) = default;
};
// The elements `spec` may refer to from the elements `ids`: those on their host first (in
// creation order), then the others; the selected elements themselves are left out.
QList<RefCandidate> refCandidates(const core::Design &design, const core::PropertySpec &spec,
                                  const QStringList &ids);

} // namespace converge::views
