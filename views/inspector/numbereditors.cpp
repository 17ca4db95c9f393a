#include "editorfactories.h"
#include "valuetext.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>

#include <climits>

namespace converge::views {

using core::PropertySpec;

namespace {

// ---- Int: a spin box whose lowest value (min - 1) reads "(not set)" ----

class IntEditor : public PropertyEditor
{
public:
    IntEditor(const PropertySpec &spec, QObject *parent)
        : PropertyEditor(spec, parent)
        , m_container(new QWidget)
        , m_unset(spec.min - 1)
    {
        auto *layout = new QHBoxLayout(m_container);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        if (spec.max <= INT_MAX && m_unset >= INT_MIN) {
            m_int = new QSpinBox;
            m_int->setRange(int(m_unset), int(spec.max));
            m_box = m_int;
            connect(m_int, &QSpinBox::valueChanged, this, [this] { edited(); });
        } else {
            m_wide = new QDoubleSpinBox;
            m_wide->setDecimals(0);
            m_wide->setRange(m_unset, spec.max);
            m_box = m_wide;
            connect(m_wide, &QDoubleSpinBox::valueChanged, this, [this] { edited(); });
        }
        m_box->setObjectName(fieldName(spec));
        m_box->setToolTip(description());
        m_box->setSpecialValueText(QStringLiteral("(not set)"));
        m_box->setFocusPolicy(Qt::StrongFocus); // no accidental edits by wheel while scrolling
        revertOnEscape(m_box);
        layout->addWidget(m_box, 1);
        connect(m_box, &QAbstractSpinBox::editingFinished, this, [this] {
            if (isModified())
                Q_EMIT commitRequested();
        });

        m_clear = new QToolButton;
        m_clear->setObjectName(fieldName(spec, "clear"));
        m_clear->setIcon(m_container->style()->standardIcon(QStyle::SP_LineEditClearButton));
        m_clear->setAutoRaise(true);
        m_clear->setFocusPolicy(Qt::NoFocus);
        m_clear->setToolTip(
            QStringLiteral("Clear (leave %1 not set)").arg(propertyLabel(spec.key)));
        layout->addWidget(m_clear);
        connect(m_clear, &QToolButton::clicked, this, [this] {
            setValue(m_unset);
            setModified();
            Q_EMIT commitRequested();
        });
    }

    QWidget *widget() const override { return m_container; }
    QJsonValue valueFor(const QJsonValue &) const override
    {
        const double v = value();
        return v <= m_unset ? QJsonValue(QJsonValue::Undefined) : QJsonValue(qint64(v));
    }

protected:
    void display() override
    {
        const bool mixed = isMixed();
        const QJsonValue v = commonValue();
        m_box->setSpecialValueText(mixed ? mixedText : QStringLiteral("(not set)"));
        setValue(v.isUndefined() ? m_unset : v.toDouble());
        m_clear->setEnabled(mixed || !v.isUndefined());
    }

private:
    void edited()
    {
        if (!updating())
            setModified();
    }
    double value() const { return m_int ? m_int->value() : m_wide->value(); }
    void setValue(double v)
    {
        if (m_int)
            m_int->setValue(int(v));
        else
            m_wide->setValue(v);
    }

    QWidget *m_container;
    QAbstractSpinBox *m_box = nullptr;
    QSpinBox *m_int = nullptr;
    QDoubleSpinBox *m_wide = nullptr;
    QToolButton *m_clear = nullptr;
    double m_unset;
};

// ---- Bandwidth: a number and a unit, stored as bits per second ----

class BandwidthEditor : public PropertyEditor
{
public:
    BandwidthEditor(const PropertySpec &spec, QObject *parent)
        : PropertyEditor(spec, parent)
        , m_container(new QWidget)
        , m_number(new QLineEdit)
        , m_unit(new QComboBox)
    {
        auto *layout = new QHBoxLayout(m_container);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(4);
        m_number->setObjectName(fieldName(spec));
        m_number->setToolTip(description());
        m_unit->setObjectName(fieldName(spec, "unit"));
        m_unit->setToolTip(description());
        for (const BandwidthUnit &u : bandwidthUnits)
            m_unit->addItem(QString::fromLatin1(u.name));
        m_unit->setCurrentIndex(3); // Gb/s until a value says otherwise
        layout->addWidget(m_number, 1);
        layout->addWidget(m_unit);
        revertOnEscape(m_number);
        connect(m_number, &QLineEdit::textEdited, this, [this] {
            setModified();
            const auto parsed = parse();
            showProblem(m_number, parsed ? std::nullopt : std::optional(parsed.error()));
        });
        connect(m_number, &QLineEdit::editingFinished, this, [this] {
            if (isModified())
                commit();
        });
        connect(m_unit, &QComboBox::currentIndexChanged, this, [this] {
            if (updating() || m_number->text().trimmed().isEmpty())
                return; // a unit alone is no value
            setModified();
            commit();
        });
    }

    QWidget *widget() const override { return m_container; }
    QJsonValue valueFor(const QJsonValue &) const override { return m_pending; }

protected:
    void display() override
    {
        const bool mixed = isMixed();
        const QJsonValue v = commonValue();
        m_number->setPlaceholderText(mixed ? QStringLiteral("mixed") : QStringLiteral("not set"));
        if (!mixed && !v.isUndefined()) {
            const qint64 bps = v.toInteger();
            const int unit = bandwidthUnitFor(bps);
            m_unit->setCurrentIndex(unit);
            const QString text =
                QString::number(bps / bandwidthUnits.at(std::size_t(unit)).bitsPerSecond);
            if (m_number->text() != text)
                m_number->setText(text);
        } else if (!m_number->text().isEmpty()) {
            m_number->clear();
        }
        showProblem(m_number, std::nullopt);
    }

private:
    std::expected<QJsonValue, QString> parse() const
    {
        const QString text = m_number->text().trimmed();
        if (text.isEmpty()) {
            if (spec().required)
                return std::unexpected(QStringLiteral("required: it cannot be empty"));
            return QJsonValue(QJsonValue::Undefined);
        }
        const auto parsed = parseBandwidth(text, m_unit->currentIndex());
        if (!parsed)
            return std::unexpected(parsed.error());
        return QJsonValue(parsed->bitsPerSecond);
    }

    void commit()
    {
        const auto parsed = parse();
        if (!parsed) {
            showProblem(m_number, parsed.error());
            Q_EMIT problemReported(propertyLabel(key()) + QStringLiteral(": ") + parsed.error());
            return;
        }
        m_pending = *parsed;
        Q_EMIT commitRequested();
    }

    QWidget *m_container;
    QLineEdit *m_number;
    QComboBox *m_unit;
    QJsonValue m_pending;
};

} // namespace

PropertyEditor *createIntEditor(const PropertySpec &spec, QObject *parent)
{
    return new IntEditor(spec, parent);
}

PropertyEditor *createBandwidthEditor(const PropertySpec &spec, QObject *parent)
{
    return new BandwidthEditor(spec, parent);
}

} // namespace converge::views
