#include "inspector.h"

#include "propertyeditors.h"
#include "valuetext.h"

#include "core/model/commands.h"
#include "views/elementsummary.h"
#include "views/session/designsession.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <set>

namespace converge::views {

using core::ElementKind;
using core::PropertySpec;

namespace {

// The properties shown for a selection of `kinds`: all of one kind's, or those every kind has.
std::vector<PropertySpec> sharedProperties(const std::set<ElementKind> &kinds)
{
    const std::vector<PropertySpec> &first = core::kindSpec(*kinds.begin()).properties;
    if (kinds.size() == 1)
        return first;
    std::vector<PropertySpec> out;
    for (PropertySpec p : first) {
        bool shared = true;
        for (ElementKind k : kinds) {
            const PropertySpec *other = core::findProperty(k, p.key);
            shared = shared && other && other->type == p.type;
            if (other)
                p.required = p.required || other->required;
        }
        if (shared)
            out.push_back(p);
    }
    return out;
}

QString displayName(const core::Element &e)
{
    return e.name().isEmpty() ? e.id : e.name();
}

// "HV01 / g1": where an element sits.
QString ownerPath(const core::Design &design, const core::Element &e)
{
    QStringList path;
    for (const core::Element *o = design.find(e.parent); o; o = design.find(o->parent))
        path.prepend(displayName(*o));
    return path.join(QStringLiteral(" / "));
}

// Finding messages wrap: rows as high as the message column needs (a tree view alone gives
// every row one line).
class WrappingDelegate : public QStyledItemDelegate
{
public:
    explicit WrappingDelegate(QTreeView *view)
        : QStyledItemDelegate(view)
        , m_view(view)
    {
    }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const QSize size = QStyledItemDelegate::sizeHint(option, index);
        const int width = m_view->header()->sectionSize(index.column()) - 8;
        if (index.column() != 1 || width <= 0)
            return size;
        const QRect text = option.fontMetrics.boundingRect(
            QRect(0, 0, width, 100000), Qt::TextWordWrap, index.data().toString());
        return QSize(size.width(), std::max(size.height(), text.height() + 4));
    }

private:
    QTreeView *m_view;
};

// A form label on one line when there is room; in a narrow dock a long one ("Minimum
// bandwidth absolute") wraps, down to about 18 characters wide.
class FormLabel : public QLabel
{
public:
    explicit FormLabel(const QString &text)
        : QLabel(text)
    {
        setWordWrap(true);
    }

    QSize sizeHint() const override
    {
        const int width = fontMetrics().horizontalAdvance(text()) + 2 * margin() + 2;
        return QSize(width, heightForWidth(width));
    }
    QSize minimumSizeHint() const override
    {
        const int width = std::min(sizeHint().width(), fontMetrics().averageCharWidth() * 18);
        return QSize(width, heightForWidth(width));
    }
};

QIcon severityIcon(const QStyle *style, core::Severity severity)
{
    switch (severity) {
    case core::Severity::Error:
        return style->standardIcon(QStyle::SP_MessageBoxCritical);
    case core::Severity::Warning:
        return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case core::Severity::Info:
        break;
    }
    return style->standardIcon(QStyle::SP_MessageBoxInformation);
}

} // namespace

Inspector::Inspector(QWidget *parent)
    : QWidget(parent)
    , m_header(new QLabel)
    , m_subheader(new QLabel)
    , m_scroll(new QScrollArea)
    , m_error(new QLabel)
    , m_findingsPane(new QWidget)
    , m_findingsTitle(new QLabel)
    , m_findings(new QTreeWidget)
{
    auto *top = new QWidget;
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_header->setObjectName(QStringLiteral("inspectorHeader"));
    m_header->setTextFormat(Qt::PlainText);
    m_header->setWordWrap(true);
    QFont bold = m_header->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_header->setFont(bold);
    m_subheader->setObjectName(QStringLiteral("inspectorSubheader"));
    m_subheader->setTextFormat(Qt::PlainText);
    m_subheader->setWordWrap(true);
    m_subheader->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette grey = m_subheader->palette();
    grey.setColor(QPalette::WindowText, grey.color(QPalette::PlaceholderText));
    m_subheader->setPalette(grey);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_error->setObjectName(QStringLiteral("inspectorError"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    m_error->hide();
    topLayout->addWidget(m_header);
    topLayout->addWidget(m_subheader);
    topLayout->addWidget(m_scroll, 1);
    topLayout->addWidget(m_error);

    auto *bottomLayout = new QVBoxLayout(m_findingsPane);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_findingsTitle);
    m_findings->setObjectName(QStringLiteral("inspectorFindings"));
    m_findings->setColumnCount(2);
    m_findings->setHeaderLabels({QStringLiteral("Rule"), QStringLiteral("Message")});
    m_findings->setRootIsDecorated(false);
    m_findings->setWordWrap(true);
    m_findings->setTextElideMode(Qt::ElideNone);
    m_findings->setUniformRowHeights(false);
    m_findings->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_findings->header()->setStretchLastSection(true);
    m_findings->setItemDelegate(new WrappingDelegate(m_findings));
    connect(m_findings->header(), &QHeaderView::sectionResized, m_findings,
            [this] { m_findings->doItemsLayout(); });
    bottomLayout->addWidget(m_findings);
    connect(m_findings, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        Q_EMIT findingActivated(item->data(0, Qt::UserRole).toString(),
                                item->data(0, Qt::UserRole + 1).toStringList());
    });

    auto *splitter = m_splitter = new QSplitter(Qt::Vertical);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(top);
    splitter->addWidget(m_findingsPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter);
    rebuild();
}

Inspector::~Inspector()
{
    clearForm(); // editors first: their widgets must not commit while the form goes away
}

void Inspector::setSession(DesignSession *session)
{
    if (m_session == session)
        return;
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        connect(session, &DesignSession::selectionChanged, this, &Inspector::selectionChanged);
        connect(session, &DesignSession::designChanged, this, &Inspector::designChanged);
        connect(session, &QObject::destroyed, this, [this] { rebuild(); });
    }
    rebuild();
}

QString Inspector::headerText() const
{
    return m_header->text();
}

QString Inspector::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

PropertyEditor *Inspector::editor(const QString &key) const
{
    for (PropertyEditor *e : m_editors) {
        if (e->key() == key)
            return e;
    }
    return nullptr;
}

void Inspector::selectionChanged()
{
    rebuild();
}

void Inspector::designChanged()
{
    if (!m_session)
        return;
    if (m_session->selection() != m_ids)
        rebuild();
    else
        refresh();
}

void Inspector::clearForm()
{
    for (PropertyEditor *e : std::exchange(m_editors, {}))
        disconnect(e, nullptr, this, nullptr);
    if (QWidget *old = m_scroll->takeWidget()) {
        old->hide();
        if (m_committing) { // called back from one of its widgets: delete it once that returns
            old->setParent(this);
            old->deleteLater();
        } else {
            delete old;
        }
    }
    m_form = nullptr;
}

void Inspector::rebuild()
{
    clearForm();
    m_ids = m_session ? m_session->selection() : QStringList();
    m_error->clear();
    m_error->hide();
    std::set<ElementKind> kinds;
    if (m_session) {
        for (const QString &id : m_ids) {
            if (const core::Element *e = m_session->design().find(id))
                kinds.insert(e->kind);
        }
    }
    if (kinds.empty()) {
        m_ids.clear();
        m_header->setText(m_session ? QStringLiteral("Nothing selected") : QString());
        m_subheader->clear();
        m_subheader->hide();
        m_findingsTitle->hide();
        m_findings->clear();
        m_findings->hide();
        m_findingsPane->setMaximumHeight(0);
        return;
    }

    m_form = new QWidget;
    auto *column = new QVBoxLayout(m_form);
    auto *form = new QFormLayout;
    column->addLayout(form);
    column->addStretch(1); // rows keep their height; the room left stays below
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    for (const PropertySpec &spec : sharedProperties(kinds)) {
        PropertyEditor *editor = createPropertyEditor(spec, m_form);
        auto *label = new FormLabel(propertyLabel(spec.key) +
                                    (spec.required ? QStringLiteral(" *") : QString()));
        label->setToolTip(spec.doc + (spec.required ? QStringLiteral(" (required)") : QString()));
        label->setBuddy(editor->widget());
        form->addRow(label, editor->widget());
        connect(editor, &PropertyEditor::commitRequested, this, [this, editor] { commit(editor); });
        connect(editor, &PropertyEditor::problemReported, this, &Inspector::showError);
        editor->setValues(m_session->design(), m_ids);
        m_editors.push_back(editor);
    }
    m_scroll->setWidget(m_form);
    // The wheel scrolls the form; it changes a combo or spin box only once it has the focus
    // (an admin scrolling past a field must not edit the design).
    for (QWidget *field : m_form->findChildren<QWidget *>()) {
        if (qobject_cast<QComboBox *>(field) || qobject_cast<QAbstractSpinBox *>(field)) {
            field->setFocusPolicy(Qt::StrongFocus);
            field->installEventFilter(this);
        }
    }
    m_subheader->show();
    m_findingsTitle->show();
    updateHeader();
    updateFindings();
}

void Inspector::refresh()
{
    if (!m_session || m_ids.isEmpty())
        return;
    for (PropertyEditor *e : m_editors)
        e->setValues(m_session->design(), m_ids);
    updateHeader();
    updateFindings();
}

void Inspector::updateHeader()
{
    const core::Design &design = m_session->design();
    std::vector<const core::Element *> elements;
    for (const QString &id : m_ids) {
        if (const core::Element *e = design.find(id))
            elements.push_back(e);
    }
    if (elements.empty())
        return;
    if (elements.size() == 1) {
        const core::Element &e = *elements.front();
        m_header->setText(kindLabel(e.kind) + QStringLiteral(": ") + displayName(e));
        const QString where = ownerPath(design, e);
        m_subheader->setText(e.id +
                             (where.isEmpty() ? QString() : QStringLiteral(" \u00b7 in ") + where));
        return;
    }
    const bool oneKind = std::ranges::all_of(
        elements, [&](const core::Element *e) { return e->kind == elements.front()->kind; });
    m_header->setText(
        oneKind
            ? QStringLiteral("%1 %2").arg(elements.size()).arg(groupLabel(elements.front()->kind))
            : QStringLiteral("%1 elements of different kinds").arg(elements.size()));
    QStringList names;
    for (const core::Element *e : elements)
        names << displayName(*e);
    QString text = names.join(QStringLiteral(", "));
    if (text.size() > 160)
        text = text.left(157) + QStringLiteral("...");
    m_subheader->setText(text);
}

void Inspector::updateFindings()
{
    std::vector<core::Finding> findings;
    for (const QString &id : m_ids) {
        for (core::Finding &f : m_session->findingsFor(id)) {
            if (std::ranges::find(findings, f) == findings.end())
                findings.push_back(std::move(f));
        }
    }
    core::sortFindings(findings);
    m_findings->clear();
    for (const core::Finding &f : findings) {
        auto *item = new QTreeWidgetItem(m_findings);
        item->setIcon(0, severityIcon(style(), f.severity));
        item->setText(0, f.ruleId);
        item->setText(1, f.isSuppressed() ? QStringLiteral("[accepted] ") + f.message : f.message);
        item->setToolTip(0, core::severityName(f.severity));
        item->setToolTip(1, f.isSuppressed()
                                ? f.message + QStringLiteral("\nAccepted: ") + f.justification
                                : f.message);
        item->setData(0, Qt::UserRole, f.ruleId);
        item->setData(0, Qt::UserRole + 1, f.elements);
    }
    // Without findings the pane is just its title; the form gets the room.
    m_findings->setVisible(!findings.empty());
    m_findingsPane->setMaximumHeight(findings.empty() ? m_findingsTitle->sizeHint().height()
                                                      : QWIDGETSIZE_MAX);
    if (!findings.empty()) {
        // The pane was only its title: give the list a quarter of the room again.
        const QList<int> sizes = m_splitter->sizes();
        const int total = sizes.value(0) + sizes.value(1);
        if (total > 0 && sizes.value(1) < total / 5)
            m_splitter->setSizes({total - total / 4, total / 4});
    }
    m_findingsTitle->setText(findings.empty()
                                 ? QStringLiteral("No findings")
                                 : QStringLiteral("Findings (%1)").arg(findings.size()));
}

bool Inspector::eventFilter(QObject *watched, QEvent *event)
{
    auto *field = qobject_cast<QWidget *>(watched);
    if (event->type() == QEvent::Wheel && field && !field->hasFocus()) {
        QCoreApplication::sendEvent(m_scroll->verticalScrollBar(), event);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

bool Inspector::hasPendingInput() const
{
    return std::ranges::any_of(m_editors, [](const PropertyEditor *e) { return e->isModified(); });
}

void Inspector::commit(PropertyEditor *editor)
{
    if (!m_session)
        return;
    const core::Design &design = m_session->design();
    std::vector<core::Edit> edits;
    std::optional<ElementKind> kind;
    bool oneKind = true;
    for (const QString &id : m_ids) {
        const core::Element *e = design.find(id);
        if (!e)
            continue;
        oneKind = oneKind && (!kind || *kind == e->kind);
        kind = e->kind;
        const QJsonValue current = e->value(editor->key());
        const QJsonValue value = editor->valueFor(current);
        if (value == current)
            continue;
        auto edit = core::commands::setProperty(design, id, editor->key(), value);
        if (!edit) {
            showError(edit.error().message);
            if (!editor->isModified())
                editor->revert();
            return;
        }
        edits.push_back(std::move(*edit));
    }
    bool applied = true;
    QString failure;
    const QScopedValueRollback committing(m_committing, true);
    if (!edits.empty()) {
        const auto c = connect(m_session, &DesignSession::editFailed, this,
                               [&failure](const QString &message) { failure = message; });
        applied = m_session->apply(
            edits.size() == 1
                ? edits.front()
                : core::commands::combine(
                      QStringLiteral("Set %1 of %2 %3")
                          .arg(editor->key())
                          .arg(edits.size())
                          .arg(oneKind && kind ? groupLabel(*kind) : QStringLiteral("elements")),
                      edits));
        disconnect(c);
    }
    if (!applied) {
        showError(failure);
        if (!editor->isModified())
            editor->revert(); // a combo or check box shows the value again; typed text stays
        return;
    }
    m_error->clear();
    m_error->hide();
    editor->markCommitted();
    refresh();
}

void Inspector::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

} // namespace converge::views
