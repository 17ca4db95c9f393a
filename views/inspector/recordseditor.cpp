#include "editorfactories.h"
#include "valuetext.h"

#include <QComboBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QRegularExpression>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace converge::views {

using core::PropertySpec;
using T = core::PropertyType;

namespace {

// ---- Records ----

// Enum fields are edited with a combo of their values; the rest as text.
class RecordDelegate : public QStyledItemDelegate
{
public:
    RecordDelegate(const PropertySpec &spec, QObject *parent)
        : QStyledItemDelegate(parent)
        , m_spec(spec)
    {
    }

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        const PropertySpec *f = field(index);
        if (!f || f->type != T::Enum)
            return QStyledItemDelegate::createEditor(parent, option, index);
        auto *combo = new QComboBox(parent);
        if (!f->required)
            combo->addItem(QString());
        combo->addItems(f->enumValues);
        auto *self = const_cast<RecordDelegate *>(this);
        connect(combo, &QComboBox::activated, self, [self, combo] {
            Q_EMIT self->commitData(combo);
            Q_EMIT self->closeEditor(combo);
        });
        return combo;
    }

    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        if (auto *combo = qobject_cast<QComboBox *>(editor))
            combo->setCurrentIndex(std::max(0, combo->findText(index.data().toString())));
        else
            QStyledItemDelegate::setEditorData(editor, index);
    }

    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override
    {
        if (auto *combo = qobject_cast<QComboBox *>(editor))
            model->setData(index, combo->currentText());
        else
            QStyledItemDelegate::setModelData(editor, model, index);
    }

private:
    const PropertySpec *field(const QModelIndex &index) const
    {
        const auto column = std::size_t(index.column());
        return column < m_spec.fields.size() ? &m_spec.fields[column] : nullptr;
    }

    PropertySpec m_spec;
};

class RecordsEditor : public PropertyEditor
{
public:
    RecordsEditor(const PropertySpec &spec, QObject *parent)
        : PropertyEditor(spec, parent)
        , m_container(new QWidget)
        , m_mixed(new QLabel(QStringLiteral("The selected elements differ; what you enter here "
                                            "replaces the list of each.")))
        , m_table(new QTableWidget(0, int(spec.fields.size())))
    {
        auto *layout = new QVBoxLayout(m_container);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        m_container->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        m_mixed->setWordWrap(true);
        m_mixed->setEnabled(false);
        m_mixed->hide();
        layout->addWidget(m_mixed);

        m_table->setObjectName(fieldName(spec));
        m_table->setToolTip(description());
        m_table->setItemDelegate(new RecordDelegate(spec, m_table));
        m_table->setTabKeyNavigation(false); // Tab moves on to the next property
        m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_table->setEditTriggers(QAbstractItemView::DoubleClicked |
                                 QAbstractItemView::EditKeyPressed |
                                 QAbstractItemView::AnyKeyPressed);
        m_table->verticalHeader()->hide();
        m_table->horizontalHeader()->setStretchLastSection(true);
        m_table->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        for (std::size_t c = 0; c < spec.fields.size(); ++c) {
            const PropertySpec &f = spec.fields[c];
            auto *header = new QTableWidgetItem(propertyLabel(f.key) +
                                                (f.required ? QStringLiteral(" *") : QString()));
            header->setToolTip(f.doc);
            m_table->setHorizontalHeaderItem(int(c), header);
        }
        layout->addWidget(m_table);
        connect(m_table, &QTableWidget::itemChanged, this, [this] {
            if (updating() || m_filling)
                return;
            m_stale = true;
            setModified();
            tryCommit();
        });

        auto *buttons = new QHBoxLayout;
        auto *add = new QToolButton;
        add->setText(QStringLiteral("Add"));
        add->setToolTip(QStringLiteral("Add a row"));
        add->setObjectName(fieldName(spec, "add"));
        auto *remove = new QToolButton;
        remove->setText(QStringLiteral("Remove"));
        remove->setToolTip(QStringLiteral("Remove the selected rows"));
        remove->setObjectName(fieldName(spec, "remove"));
        buttons->addWidget(add);
        buttons->addWidget(remove);
        buttons->addStretch(1);
        layout->addLayout(buttons);
        connect(add, &QToolButton::clicked, this, [this] { addRow(); });
        connect(remove, &QToolButton::clicked, this, [this] { removeSelectedRows(); });
    }

    QWidget *widget() const override { return m_container; }
    QJsonValue valueFor(const QJsonValue &) const override { return m_pending; }

protected:
    void display() override
    {
        const bool mixed = isMixed();
        // Unchanged: keep the table as it is, with a cell being edited.
        const QJsonValue shown = mixed ? QJsonValue(mixedText) : commonValue();
        if (!m_stale && shown == m_shown)
            return;
        m_shown = shown;
        m_stale = false;
        m_mixed->setVisible(mixed);
        const QJsonArray rows = mixed ? QJsonArray{} : commonValue().toArray();
        const int currentRow = m_table->currentRow();
        const int currentColumn = m_table->currentColumn();
        m_filling = true;
        m_table->setRowCount(0);
        for (const QJsonValue row : rows)
            appendRow(row.toObject());
        if (currentRow >= 0 && currentRow < m_table->rowCount())
            m_table->setCurrentCell(currentRow, currentColumn);
        m_filling = false;
        showProblem(m_table, std::nullopt);
        fitHeight();
    }

private:
    void appendRow(const QJsonObject &record)
    {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        for (std::size_t c = 0; c < spec().fields.size(); ++c) {
            const PropertySpec &f = spec().fields[c];
            const QJsonValue v = record.value(f.key);
            auto *item = new QTableWidgetItem;
            if (f.type == T::Bool) {
                item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
                item->setCheckState(v.toBool() ? Qt::Checked : Qt::Unchecked);
                item->setData(Qt::UserRole, !v.isUndefined()); // unchecking keeps absent absent
            } else {
                item->setText(valueText(f, v));
            }
            item->setToolTip(f.doc);
            m_table->setItem(row, int(c), item);
        }
    }

    // Two to eight rows high, scrolling beyond.
    void fitHeight()
    {
        const int rows = std::clamp(m_table->rowCount() + 1, 2, 8);
        m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() +
                                rows * m_table->verticalHeader()->defaultSectionSize() +
                                m_table->style()->pixelMetric(QStyle::PM_ScrollBarExtent) +
                                2 * m_table->frameWidth());
    }

    std::expected<QJsonValue, QString> build() const
    {
        QJsonArray records;
        for (int r = 0; r < m_table->rowCount(); ++r) {
            QJsonObject record;
            for (std::size_t c = 0; c < spec().fields.size(); ++c) {
                const PropertySpec &f = spec().fields[c];
                const QTableWidgetItem *item = m_table->item(r, int(c));
                if (!item)
                    continue;
                if (f.type == T::Bool) {
                    if (item->checkState() == Qt::Checked || item->data(Qt::UserRole).toBool())
                        record.insert(f.key, item->checkState() == Qt::Checked);
                    continue;
                }
                const auto v = parseValueText(f, item->text());
                if (!v)
                    return std::unexpected(QStringLiteral("row %1, %2: %3")
                                               .arg(r + 1)
                                               .arg(propertyLabel(f.key), v.error()));
                if (!v->isUndefined())
                    record.insert(f.key, *v);
            }
            records.append(record);
        }
        if (auto problem = core::checkValue(spec(), records)) {
            // "[1].name: missing (required)" -> "row 2, name: missing (required)"
            static const QRegularExpression at(QStringLiteral("^\\[(\\d+)\\]\\.?"));
            QString text = *problem;
            if (const auto m = at.match(text); m.hasMatch())
                text.replace(0, m.capturedLength(),
                             QStringLiteral("row %1, ").arg(m.captured(1).toInt() + 1));
            return std::unexpected(text);
        }
        return records.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(records);
    }

    void tryCommit()
    {
        const auto value = build();
        showProblem(m_table, value ? std::nullopt : std::optional(value.error()));
        if (!value)
            return;
        m_pending = *value;
        Q_EMIT commitRequested();
    }

    void addRow()
    {
        QJsonObject defaults; // a required enum starts at its first value
        for (const PropertySpec &f : spec().fields) {
            if (f.required && f.type == T::Enum)
                defaults.insert(f.key, f.enumValues.value(0));
        }
        m_filling = true;
        appendRow(defaults);
        m_filling = false;
        fitHeight();
        m_stale = true;
        setModified();
        tryCommit(); // usually waits for a required name
        const int row = m_table->rowCount() - 1;
        m_table->setCurrentCell(row, 0);
        m_table->editItem(m_table->item(row, 0));
    }

    void removeSelectedRows()
    {
        QList<int> rows;
        for (const QModelIndex &i : m_table->selectionModel()->selectedRows())
            rows << i.row();
        if (rows.isEmpty() && m_table->currentRow() >= 0)
            rows << m_table->currentRow();
        if (rows.isEmpty())
            return;
        std::ranges::sort(rows, std::greater<>());
        for (int r : rows)
            m_table->removeRow(r);
        fitHeight();
        m_stale = true;
        setModified();
        tryCommit();
    }

    QWidget *m_container;
    QLabel *m_mixed;
    QTableWidget *m_table;
    QJsonValue m_pending;
    QJsonValue m_shown;
    bool m_stale = true; // the table differs from m_shown (the user changed it)
    bool m_filling = false;
};

} // namespace

PropertyEditor *createRecordsEditor(const PropertySpec &spec, QObject *parent)
{
    return new RecordsEditor(spec, parent);
}

} // namespace converge::views
