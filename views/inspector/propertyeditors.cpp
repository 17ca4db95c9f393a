#include "propertyeditors.h"

#include "editorfactories.h"
#include "valuetext.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QKeyEvent>
#include <QLineEdit>
#include <QStyle>

namespace converge::views {

using core::PropertySpec;
using T = core::PropertyType;

// ---- PropertyEditor ----

PropertyEditor::PropertyEditor(const PropertySpec &spec, QObject *parent)
    : QObject(parent)
    , m_spec(spec)
{
}

void PropertyEditor::setValues(const core::Design &design, const QStringList &ids)
{
    QList<QJsonValue> values;
    for (const QString &id : ids) {
        if (const core::Element *e = design.find(id))
            values << e->value(m_spec.key);
    }
    m_values = values;
    m_updating = true;
    updateChoices(design, ids);
    if (!m_modified)
        display();
    m_updating = false;
}

bool PropertyEditor::isMixed() const
{
    for (qsizetype i = 1; i < m_values.size(); ++i) {
        const bool same = m_spec.type == T::Bool ? m_values[i].toBool() == m_values[0].toBool()
                                                 : m_values[i] == m_values[0];
        if (!same)
            return true;
    }
    return false;
}

QJsonValue PropertyEditor::commonValue() const
{
    if (m_values.isEmpty() || isMixed())
        return QJsonValue(QJsonValue::Undefined);
    return m_values.first();
}

void PropertyEditor::revert()
{
    m_modified = false;
    m_updating = true;
    display();
    m_updating = false;
}

void PropertyEditor::revertOnEscape(QWidget *field)
{
    field->installEventFilter(this);
}

bool PropertyEditor::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        // Escape with nothing to revert stays the window's (closing a dialog, say).
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier && m_modified) {
            if (event->type() == QEvent::KeyPress)
                revert();
            event->accept(); // ours, not a window shortcut's
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

void PropertyEditor::showProblem(QWidget *field, const std::optional<QString> &problem)
{
    const bool invalid = problem.has_value();
    if (field->property("invalid").toBool() == invalid &&
        (!invalid || field->toolTip() == *problem))
        return;
    field->setProperty("invalid", invalid);
    field->setToolTip(invalid ? *problem : description());
    if (!invalid) {
        field->setStyleSheet(QString());
        return;
    }
    // A red tint of the field's own background, readable in light and dark palettes.
    const QColor base = field->palette().color(QPalette::Base);
    const QColor red(220, 40, 40);
    const QColor tint = QColor::fromRgbF(base.redF() * 0.7f + red.redF() * 0.3f,
                                         base.greenF() * 0.7f + red.greenF() * 0.3f,
                                         base.blueF() * 0.7f + red.blueF() * 0.3f);
    field->setStyleSheet(
        QStringLiteral("%1 { background-color: %2; }")
            .arg(QString::fromLatin1(field->metaObject()->className()), tint.name()));
}

QString PropertyEditor::description() const
{
    QString text = m_spec.doc + QStringLiteral("\n(") + core::describeType(m_spec);
    if (m_spec.required)
        text += QStringLiteral(", required");
    return text + QLatin1Char(')');
}

// ---- combo helpers ----

void setComboItems(QComboBox *combo, const QList<ComboItem> &items)
{
    bool same = combo->count() == items.size();
    for (int i = 0; same && i < combo->count(); ++i) {
        const ComboItem &item = items[i];
        const bool separator = combo->itemData(i, Qt::AccessibleDescriptionRole).toString() ==
                               QLatin1String("separator");
        same = separator == item.separator &&
               (separator || (combo->itemText(i) == item.text && combo->itemData(i) == item.data));
    }
    if (same)
        return;
    const QSignalBlocker blocker(combo);
    combo->clear();
    for (const ComboItem &item : items) {
        if (item.separator) {
            combo->insertSeparator(combo->count());
            continue;
        }
        combo->addItem(item.text, item.data);
        if (!item.toolTip.isEmpty())
            combo->setItemData(combo->count() - 1, item.toolTip, Qt::ToolTipRole);
    }
}

int comboIndexOf(const QComboBox *combo, const QVariant &data)
{
    for (int i = 0; i < combo->count(); ++i) {
        if (combo->itemData(i, Qt::AccessibleDescriptionRole).toString() ==
            QLatin1String("separator"))
            continue;
        if (combo->itemData(i) == data && combo->itemData(i).isValid() == data.isValid())
            return i;
    }
    return -1;
}

QString fieldName(const PropertySpec &spec, const char *part)
{
    QString name = QStringLiteral("prop_") + spec.key;
    if (part)
        name += QLatin1Char('_') + QLatin1String(part);
    return name;
}

ComboEditor::ComboEditor(const PropertySpec &spec, QObject *parent)
    : PropertyEditor(spec, parent)
    , m_combo(new QComboBox)
{
    m_combo->setObjectName(fieldName(spec));
    m_combo->setToolTip(description());
    // Narrow docks: the combo may be narrower than its longest value.
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(8);
    connect(m_combo, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!updating() && m_combo->itemData(index).isValid()) // not "(mixed)"
            Q_EMIT commitRequested();
    });
}

QWidget *ComboEditor::widget() const
{
    return m_combo;
}

QJsonValue ComboEditor::valueFor(const QJsonValue &) const
{
    const QString v = m_combo->currentData().toString();
    return v.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(v);
}

namespace {

QString exampleText(const PropertySpec &spec)
{
    switch (spec.type) {
    case T::IpAddress:
        return QStringLiteral("10.0.0.1");
    case T::IpPrefix:
        return QStringLiteral("10.0.0.5/24");
    case T::IpAddressList:
        return QStringLiteral("10.0.0.1, 10.0.0.2");
    case T::IpPrefixList:
        return QStringLiteral("10.0.0.5/24, fd00::5/64");
    case T::MacAddress:
        return QStringLiteral("00-15-5D-01-02-03");
    case T::IntList:
        return QStringLiteral("10, 20, 100-110");
    default:
        return {};
    }
}

QString examplePlaceholder(const PropertySpec &spec)
{
    const QString example = exampleText(spec);
    return example.isEmpty() ? example : QStringLiteral("e.g. ") + example;
}

// ---- text: String, Name, Identifier, addresses, MAC, integer and address lists ----

class LineEditor : public PropertyEditor
{
public:
    LineEditor(const PropertySpec &spec, QObject *parent)
        : PropertyEditor(spec, parent)
        , m_edit(new QLineEdit)
    {
        m_edit->setObjectName(fieldName(spec));
        m_edit->setToolTip(description());
        m_edit->setClearButtonEnabled(false);
        revertOnEscape(m_edit);
        connect(m_edit, &QLineEdit::textEdited, this, [this] {
            setModified();
            const auto parsed = parseValueText(this->spec(), m_edit->text());
            showProblem(m_edit, parsed ? std::nullopt : std::optional(parsed.error()));
        });
        connect(m_edit, &QLineEdit::editingFinished, this, [this] { commit(); });
    }
    QWidget *widget() const override { return m_edit; }
    QJsonValue valueFor(const QJsonValue &) const override { return m_pending; }

protected:
    void display() override
    {
        const bool mixed = isMixed();
        const QString text = mixed ? QString() : valueText(spec(), commonValue());
        if (m_edit->text() != text) { // the same text keeps the cursor where it is
            m_edit->setText(text);
            if (!m_edit->hasFocus())
                m_edit->setCursorPosition(0);
        }
        m_edit->setPlaceholderText(mixed ? QStringLiteral("mixed") : examplePlaceholder(spec()));
        showProblem(m_edit, std::nullopt);
    }

private:
    void commit()
    {
        if (!isModified())
            return;
        const auto parsed = parseValueText(spec(), m_edit->text());
        if (!parsed) {
            showProblem(m_edit, parsed.error());
            Q_EMIT problemReported(propertyLabel(key()) + QStringLiteral(": ") + parsed.error());
            return;
        }
        m_pending = *parsed;
        Q_EMIT commitRequested();
    }

    QLineEdit *m_edit;
    QJsonValue m_pending;
};

// ---- Bool ----

// Two states for the user; partially checked only to show a mixed selection.
class TwoStateCheckBox : public QCheckBox
{
public:
    using QCheckBox::QCheckBox;

protected:
    void nextCheckState() override
    {
        const Qt::CheckState next = checkState() == Qt::Checked ? Qt::Unchecked : Qt::Checked;
        setTristate(false);
        setCheckState(next);
    }
};

class BoolEditor : public PropertyEditor
{
public:
    BoolEditor(const PropertySpec &spec, QObject *parent)
        : PropertyEditor(spec, parent)
        , m_box(new TwoStateCheckBox)
    {
        m_box->setObjectName(fieldName(spec));
        m_box->setToolTip(description());
        connect(m_box, &QCheckBox::stateChanged, this, [this](int state) {
            if (!updating() && state != Qt::PartiallyChecked)
                Q_EMIT commitRequested();
        });
    }

    QWidget *widget() const override { return m_box; }
    // Unchecking leaves an absent property absent: absent already reads as false.
    QJsonValue valueFor(const QJsonValue &current) const override
    {
        if (m_box->checkState() == Qt::Checked)
            return true;
        return current.isUndefined() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(false);
    }

protected:
    void display() override
    {
        if (isMixed()) {
            m_box->setTristate(true);
            m_box->setCheckState(Qt::PartiallyChecked);
            return;
        }
        m_box->setTristate(false);
        m_box->setChecked(commonValue().toBool());
    }

private:
    TwoStateCheckBox *m_box;
};

// ---- Enum ----

class EnumEditor : public ComboEditor
{
public:
    using ComboEditor::ComboEditor;

protected:
    void display() override
    {
        const bool mixed = isMixed();
        const QJsonValue value = commonValue();
        QList<ComboItem> items;
        if (mixed)
            items.append({mixedText, QVariant(), {}});
        // A required property cannot be cleared; offer "(not set)" only when it is not set.
        if (!spec().required || (!mixed && value.isUndefined()))
            items.append({QStringLiteral("(not set)"), QVariant(QString()), {}});
        for (const QString &v : spec().enumValues)
            items.append({v, QVariant(v), {}});
        setComboItems(m_combo, items);
        m_combo->setCurrentIndex(mixed ? 0 : comboIndexOf(m_combo, QVariant(value.toString())));
    }
};

} // namespace

PropertyEditor *createPropertyEditor(const PropertySpec &spec, QObject *parent)
{
    switch (spec.type) {
    case T::Bool:
        return new BoolEditor(spec, parent);
    case T::Enum:
        return new EnumEditor(spec, parent);
    case T::Int:
        return createIntEditor(spec, parent);
    case T::Bandwidth:
        return createBandwidthEditor(spec, parent);
    case T::Ref:
        return createRefEditor(spec, parent);
    case T::RefList:
        return createRefListEditor(spec, parent);
    case T::Records:
        return createRecordsEditor(spec, parent);
    case T::String:
    case T::Name:
    case T::Identifier:
    case T::IntList:
    case T::IpAddress:
    case T::IpPrefix:
    case T::IpAddressList:
    case T::IpPrefixList:
    case T::MacAddress:
    case T::Point: // "x, y"; cleared, the automatic layout places the element
        break;
    }
    return new LineEditor(spec, parent);
}

} // namespace converge::views
