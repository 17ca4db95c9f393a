#include "validationpanel.h"

#include "views/session/designsession.h"

#include "core/model/commands.h"
#include "core/validation/catalog.h"

#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace converge::views {

using core::Finding;
using core::Severity;

ValidationPanel::ValidationPanel(QWidget *parent)
    : QWidget(parent)
    , m_engine(core::ruleCatalog())
    , m_model(new FindingsModel(this))
    , m_view(new QTreeView(this))
    , m_summary(new QLabel(this))
    , m_fixButton(new QPushButton(tr("Apply &Quick Fix"), this))
    , m_acceptButton(new QPushButton(tr("&Accept..."), this))
    , m_details(new QTextBrowser(this))
{
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->header()->setStretchLastSection(true);
    m_view->setColumnWidth(FindingsModel::RuleColumn, 130);
    m_view->setColumnWidth(FindingsModel::ElementColumn, 220);
    m_fixButton->setEnabled(false);
    m_fixButton->setToolTip(tr("Apply the selected finding's quick fix as one edit"));
    m_acceptButton->setEnabled(false);
    m_acceptButton->setToolTip(tr("Accept the selected finding with a written justification; it "
                                  "stays listed, marked as accepted"));
    m_details->setOpenLinks(false);
    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_acceptButton);
    top->addWidget(m_fixButton);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    // Clicking the finding that is already current selects its elements again.
    connect(m_view, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        if (const Finding *f = m_model->findingAt(index); f && index == m_view->currentIndex())
            Q_EMIT elementsSelected(f->elements);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ValidationPanel::selectionChanged);
    connect(m_fixButton, &QPushButton::clicked, this, &ValidationPanel::applyQuickFix);
    connect(m_acceptButton, &QPushButton::clicked, this, &ValidationPanel::askToAccept);
    refresh();
}

ValidationPanel::~ValidationPanel()
{
    setDesign(nullptr);
}

void ValidationPanel::setDesign(core::Design *design)
{
    if (m_session) {
        disconnect(m_session, nullptr, this, nullptr);
        m_session = nullptr;
        m_design = nullptr;
    }
    if (m_design)
        m_design->removeListener(m_listener);
    m_engine.detach();
    m_design = design;
    if (m_design) {
        m_engine.attach(*m_design);
        m_listener =
            m_design->addListener([this](const std::vector<core::Change> &) { scheduleRefresh(); });
    }
    refresh();
}

void ValidationPanel::setSession(DesignSession *session)
{
    setDesign(nullptr);
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        m_design = &session->design();
        connect(session, &DesignSession::designChanged, this, &ValidationPanel::refresh);
        connect(session, &DesignSession::selectionChanged, this, &ValidationPanel::followSelection);
    }
    refresh();
}

void ValidationPanel::followSelection(const QStringList &ids)
{
    // The canvas or the tree selected something: show its first finding, without announcing
    // it back (the selection is already where it should be).
    const Finding *current = selectedFinding();
    for (const QString &id : ids) {
        if (current && current->elements.contains(id))
            return;
    }
    for (const QString &id : ids) {
        const QModelIndex finding = m_model->firstNaming(id);
        if (!finding.isValid())
            continue;
        m_following = true;
        m_view->setCurrentIndex(finding);
        m_view->scrollTo(finding);
        m_following = false;
        return;
    }
}

bool ValidationPanel::applyEdit(const core::Result<core::Edit> &edit)
{
    if (m_session)
        return m_session->apply(edit);
    return edit && m_design->apply(*edit);
}

void ValidationPanel::scheduleRefresh()
{
    // Several edits in one event-loop turn (a wizard, an undo of a batch) refresh once.
    if (m_refreshPending)
        return;
    m_refreshPending = true;
    QTimer::singleShot(0, this, &ValidationPanel::refresh);
}

void ValidationPanel::refresh()
{
    m_refreshPending = false;
    // The finding being read stays current when it is still there (a box moved, say).
    std::optional<std::pair<QString, QStringList>> current;
    if (const Finding *f = selectedFinding())
        current.emplace(f->ruleId, f->elements);
    const int scroll = m_view->verticalScrollBar()->value();
    m_model->setFindings(m_session  ? m_session->findings()
                         : m_design ? m_engine.findings()
                                    : std::vector<Finding>{},
                         m_design);
    m_view->expandAll();
    if (current) {
        for (int g = 0; g < m_model->rowCount(); ++g) {
            const QModelIndex group = m_model->index(g, 0);
            for (int r = 0; r < m_model->rowCount(group); ++r) {
                const Finding *f = m_model->findingAt(m_model->index(r, 0, group));
                if (f && f->ruleId == current->first && f->elements == current->second) {
                    m_following = true; // the same finding: announce nothing
                    m_view->setCurrentIndex(m_model->index(r, 0, group));
                    m_following = false;
                    m_view->verticalScrollBar()->setValue(scroll);
                    return finishRefresh();
                }
            }
        }
    }
    m_fixButton->setEnabled(false);
    m_acceptButton->setEnabled(false);
    m_details->clear();
    finishRefresh();
}

void ValidationPanel::finishRefresh()
{
    m_summary->setText(!m_design                                ? tr("No design open")
                       : m_session && !m_session->isValidated() ? tr("Validating\u2026")
                                                                : summary());
    Q_EMIT findingsChanged(m_model->count(Severity::Error), m_model->count(Severity::Warning),
                           m_model->count(Severity::Info));
}

QString ValidationPanel::summary() const
{
    return tr("%1 errors, %2 warnings, %3 info")
        .arg(m_model->count(Severity::Error))
        .arg(m_model->count(Severity::Warning))
        .arg(m_model->count(Severity::Info));
}

const Finding *ValidationPanel::selectedFinding() const
{
    return m_model->findingAt(m_view->currentIndex());
}

void ValidationPanel::selectionChanged()
{
    const Finding *f = selectedFinding();
    m_fixButton->setEnabled(f && f->fix);
    // Only catalog rules can be accepted: a drift finding goes away by re-applying or adopting.
    m_acceptButton->setEnabled(f && !f->isSuppressed() && core::findRule(f->ruleId));
    if (!f) {
        m_details->clear();
        return;
    }
    const core::Rule *rule = core::findRule(f->ruleId);
    QString html =
        QStringLiteral("<p><b>%1</b> %2</p><p>%3</p>")
            .arg(f->ruleId.toHtmlEscaped(), rule ? rule->info.title.toHtmlEscaped() : QString(),
                 f->message.toHtmlEscaped());
    if (rule)
        html += QStringLiteral("<p><i>%1</i></p><p>Source: %2</p>")
                    .arg(rule->info.rationale.toHtmlEscaped(), rule->info.source.toHtmlEscaped());
    if (f->fix)
        html += tr("<p>Quick fix: %1</p>").arg(f->fix->title.toHtmlEscaped());
    if (f->isSuppressed())
        html += tr("<p><b>Accepted:</b> %1</p>").arg(f->justification.toHtmlEscaped());
    m_details->setHtml(html);
    if (!m_following)
        Q_EMIT elementsSelected(f->elements);
}

bool ValidationPanel::applyQuickFix()
{
    const Finding *f = selectedFinding();
    if (!m_design || !f || !f->fix)
        return false;
    const QString title = f->fix->title;
    if (!applyEdit(core::quickFixEdit(*m_design, *f->fix)))
        return false;
    Q_EMIT quickFixApplied(title);
    return true;
}

} // namespace converge::views

namespace converge::views {

void ValidationPanel::askToAccept()
{
    const Finding *f = selectedFinding();
    if (!f)
        return;
    bool ok = false;
    const QString why = QInputDialog::getText(this, tr("Accept Finding"),
                                              tr("Why is %1 acceptable here? The justification is "
                                                 "kept in the design and shown in every report.")
                                                  .arg(f->ruleId),
                                              QLineEdit::Normal, {}, &ok);
    if (ok && !why.trimmed().isEmpty())
        acceptSelected(why.trimmed());
}

bool ValidationPanel::acceptSelected(const QString &justification)
{
    const Finding *f = selectedFinding();
    if (!m_design || !f || f->isSuppressed() || justification.trimmed().isEmpty())
        return false;
    QJsonArray elements;
    for (const QString &id : f->elements)
        elements.append(id);
    const QJsonObject props{{core::key::name, tr("Accepted %1").arg(f->ruleId)},
                            {core::key::rule, f->ruleId},
                            {core::key::elements, elements},
                            {core::key::justification, justification.trimmed()}};
    return applyEdit(
        core::commands::addElement(*m_design, core::ElementKind::Suppression, {}, props));
}

} // namespace converge::views
