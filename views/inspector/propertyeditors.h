#pragma once

#include "core/model/design.h"
#include "core/model/schema.h"

#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QVariant>

#include <optional>

class QComboBox;
class QWidget;

namespace converge::views {

// One editor of the inspector's form: the widget for one property of the selected elements.
// It shows their value (or "mixed" when they differ) and, when the user changes it, asks to
// write; the inspector then asks valueFor() each selected element's new value and applies all
// of them as one undo step. Editors only read the design; they never edit it.
//
// Line edits and spin boxes hold what the user typed until it is committed (Enter or leaving the
// field) or reverted (Escape); refreshing from the design does not overwrite it meanwhile.
class PropertyEditor : public QObject
{
    Q_OBJECT

public:
    PropertyEditor(const core::PropertySpec &spec, QObject *parent);

    const core::PropertySpec &spec() const { return m_spec; }
    QString key() const { return m_spec.key; }
    // The widget for the form row; its input has the object name "prop_<key>".
    virtual QWidget *widget() const = 0;

    // Shows the property of these elements of `design` (one value each; absent is Undefined).
    void setValues(const core::Design &design, const QStringList &ids);
    const QList<QJsonValue> &values() const { return m_values; }
    bool isMixed() const;
    // The shown value: the elements' common value, Undefined when absent or mixed.
    QJsonValue commonValue() const;

    // The value to write to an element whose value is now `current` (Undefined: clear it).
    virtual QJsonValue valueFor(const QJsonValue &current) const = 0;

    bool isModified() const { return m_modified; }
    // Drops what the user changed and shows the elements' values again (Escape).
    void revert();
    // After the inspector wrote the value: the next refresh shows the design again.
    void markCommitted() { m_modified = false; }

Q_SIGNALS:
    void commitRequested();
    // The user tried to commit a value that does not fit; the field stays as typed.
    void problemReported(const QString &problem);

protected:
    virtual void display() = 0;
    // Editors that list elements (references) update their candidates here.
    virtual void updateChoices(const core::Design &, const QStringList &) {}
    void setModified() { m_modified = true; }
    // Escape in `field` reverts.
    void revertOnEscape(QWidget *field);
    // Marks `field` invalid (tinted red, the problem as its tooltip) or valid again.
    void showProblem(QWidget *field, const std::optional<QString> &problem);
    // The property's doc, its type and whether it is required.
    QString description() const;
    bool updating() const { return m_updating; }
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    core::PropertySpec m_spec;
    QList<QJsonValue> m_values;
    bool m_modified = false;
    bool m_updating = false;
};

// The editor for one property type (PropertyType -> widget, see inspector.h).
PropertyEditor *createPropertyEditor(const core::PropertySpec &spec, QObject *parent);

// Combo box items with their data; setComboItems() rebuilds only when they changed, so a
// refresh does not disturb an open combo.
struct ComboItem
{
    QString text;
    QVariant data;
    QString toolTip;
    bool separator = false;
    friend bool operator==(const ComboItem &, const ComboItem &) = default;
};
void setComboItems(QComboBox *combo, const QList<ComboItem> &items);
int comboIndexOf(const QComboBox *combo, const QVariant &data);

inline const QString mixedText = QStringLiteral("(mixed)");

} // namespace converge::views
