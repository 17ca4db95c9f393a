#include "editorfactories.h"

#include "valuetext.h"
#include "views/elementsummary.h"

#include <QComboBox>
#include <QJsonArray>
#include <QListWidget>

#include <algorithm>

namespace converge::views {

using core::Design;
using core::Element;
using core::PropertySpec;

namespace {

QString hostOf(const Design &design, const Element *e)
{
    while (e && e->kind != core::ElementKind::Host)
        e = design.find(e->parent);
    return e ? e->id : QString();
}

QString elementText(const Design &design, const Element &e, bool showOwner)
{
    const QString name = e.name().isEmpty() ? e.id : e.name();
    const Element *owner = showOwner ? design.find(e.parent) : nullptr;
    if (owner)
        return QStringLiteral("%1 (%2 on %3)").arg(name, kindLabel(e.kind), owner->name());
    return QStringLiteral("%1 (%2)").arg(name, kindLabel(e.kind));
}

// Candidates plus any element the values name that is not one (so the value still shows).
QList<RefCandidate> choicesFor(const Design &design, const PropertySpec &spec,
                               const QStringList &ids, const QList<QJsonValue> &values)
{
    QList<RefCandidate> out = refCandidates(design, spec, ids);
    for (const QJsonValue &v : values) {
        const QJsonArray named = v.isArray() ? v.toArray() : QJsonArray{v};
        for (const QJsonValue id : named) {
            const QString s = id.toString();
            if (s.isEmpty() || std::ranges::any_of(out, [&](const auto &c) { return c.id == s; }))
                continue;
            const Element *e = design.find(s);
            out.append({s, e ? elementText(design, *e, true) : s, false});
        }
    }
    return out;
}

// ---- Ref ----

class RefEditor : public ComboEditor
{
public:
    using ComboEditor::ComboEditor;

protected:
    void updateChoices(const Design &design, const QStringList &ids) override
    {
        m_candidates = choicesFor(design, spec(), ids, values());
    }

    void display() override
    {
        const bool mixed = isMixed();
        const QJsonValue value = commonValue();
        QList<ComboItem> items;
        if (mixed)
            items.append({mixedText, QVariant(), {}});
        if (!spec().required || (!mixed && value.isUndefined()))
            items.append({QStringLiteral("(none)"), QVariant(QString()), {}});
        bool previousSameHost = true;
        for (const RefCandidate &c : m_candidates) {
            if (previousSameHost && !c.sameHost && c.id != m_candidates.first().id)
                items.append({{}, {}, {}, true});
            previousSameHost = c.sameHost;
            items.append({c.text, QVariant(c.id), c.id});
        }
        setComboItems(m_combo, items);
        m_combo->setCurrentIndex(mixed ? 0 : comboIndexOf(m_combo, QVariant(value.toString())));
    }

private:
    QList<RefCandidate> m_candidates;
};

// ---- RefList ----

class RefListEditor : public PropertyEditor
{
public:
    RefListEditor(const PropertySpec &spec, QObject *parent)
        : PropertyEditor(spec, parent)
        , m_list(new QListWidget)
    {
        m_list->setObjectName(fieldName(spec));
        m_list->setToolTip(description());
        m_list->setUniformItemSizes(true);
        m_list->setSelectionMode(QAbstractItemView::SingleSelection);
        connect(m_list, &QListWidget::itemChanged, this, [this] {
            if (!updating() && !m_filling)
                Q_EMIT commitRequested();
        });
    }

    QWidget *widget() const override { return m_list; }

    // Checked candidates are added, unchecked ones removed; partially checked ones (held by
    // some selected elements) stay as each element has them.
    QJsonValue valueFor(const QJsonValue &current) const override
    {
        QJsonArray ids = current.toArray();
        for (int i = 0; i < m_list->count(); ++i) {
            const QListWidgetItem *item = m_list->item(i);
            const QString id = item->data(Qt::UserRole).toString();
            const bool held = ids.contains(QJsonValue(id));
            if (item->checkState() == Qt::Checked && !held)
                ids.append(id);
            else if (item->checkState() == Qt::Unchecked && held)
                for (qsizetype j = ids.size() - 1; j >= 0; --j)
                    if (ids.at(j).toString() == id)
                        ids.removeAt(j);
        }
        if (ids.isEmpty() && !spec().required)
            return QJsonValue(QJsonValue::Undefined);
        return ids;
    }

protected:
    void updateChoices(const Design &design, const QStringList &ids) override
    {
        const QList<RefCandidate> candidates = choicesFor(design, spec(), ids, values());
        if (candidates == m_candidates)
            return;
        m_candidates = candidates;
        m_filling = true;
        m_list->clear();
        for (const RefCandidate &c : m_candidates) {
            auto *item = new QListWidgetItem(c.text, m_list);
            item->setData(Qt::UserRole, c.id);
            item->setToolTip(c.id);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            item->setCheckState(Qt::Unchecked);
        }
        m_filling = false;
        // Compact: two to six rows, scrolling beyond.
        const int rows = std::clamp(m_list->count(), 2, 6);
        const int row = m_list->count() > 0 ? m_list->sizeHintForRow(0) : 20;
        m_list->setFixedHeight(rows * row + 2 * m_list->frameWidth() + 2);
    }

    void display() override
    {
        m_filling = true;
        for (int i = 0; i < m_list->count(); ++i) {
            QListWidgetItem *item = m_list->item(i);
            const QJsonValue id(item->data(Qt::UserRole).toString());
            const auto holders = std::ranges::count_if(
                values(), [&](const QJsonValue &v) { return v.toArray().contains(id); });
            item->setCheckState(holders == 0                 ? Qt::Unchecked
                                : holders == values().size() ? Qt::Checked
                                                             : Qt::PartiallyChecked);
        }
        m_filling = false;
    }

private:
    QListWidget *m_list;
    QList<RefCandidate> m_candidates;
    bool m_filling = false;
};

} // namespace

QList<RefCandidate> refCandidates(const Design &design, const PropertySpec &spec,
                                  const QStringList &ids)
{
    QString host;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const QString h = hostOf(design, design.find(ids[i]));
        if (i > 0 && h != host) {
            host.clear();
            break;
        }
        host = h;
    }
    std::vector<const Element *> elements;
    for (core::ElementKind kind : spec.refKinds) {
        const auto ofKind = design.elements(kind);
        elements.insert(elements.end(), ofKind.begin(), ofKind.end());
    }
    std::ranges::sort(elements, {}, &Element::seq);
    QList<RefCandidate> same;
    QList<RefCandidate> others;
    for (const Element *e : elements) {
        if (ids.contains(e->id))
            continue;
        const bool onHost = !host.isEmpty() && hostOf(design, e) == host;
        (onHost ? same : others).append({e->id, elementText(design, *e, !onHost), onHost});
    }
    return same + others;
}

PropertyEditor *createRefEditor(const PropertySpec &spec, QObject *parent)
{
    return new RefEditor(spec, parent);
}

PropertyEditor *createRefListEditor(const PropertySpec &spec, QObject *parent)
{
    return new RefListEditor(spec, parent);
}

} // namespace converge::views
