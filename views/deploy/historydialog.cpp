#include "historydialog.h"

#include "deploydialog.h"
#include "fleetstatus.h"
#include "plandiff.h"

#include "collectors/console/fleet.h"
#include "collectors/console/rollbacktarget.h"
#include "views/session/designsession.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace converge::views {

namespace {

enum Role { DeploymentRole = Qt::UserRole + 1, HostRole };

} // namespace

HistoryDialog::HistoryDialog(DesignSession *session, const QString &designFile,
                             std::shared_ptr<core::protocol::AgentConnector> agents,
                             QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_file(designFile)
    , m_agents(std::move(agents))
    , m_list(new QTreeWidget)
    , m_plan(new QTextBrowser)
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("historyDialog"));
    setWindowTitle(tr("Deployment History"));
    resize(900, 600);
    m_list->setObjectName(QStringLiteral("deploymentList"));
    m_list->setHeaderLabels({tr("Deployment / Host"), tr("When / Result"), tr("Who"),
                             tr("Revision"), tr("Summary / Message")});
    m_list->headerItem()->setToolTip(3, tr("The deployed design: its number among the distinct "
                                           "designs deployed, and a hash of its content"));
    m_list->setAccessibleName(tr("Deployments, newest first"));
    m_plan->setObjectName(QStringLiteral("historyPlan"));
    m_plan->setPlaceholderText(tr("Select a host of a deployment to see the plan it got."));
    m_status->setWordWrap(true);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_list);
    split->addWidget(m_plan);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_rollback = buttons->addButton(tr("&Roll Back Host to This Deployment\u2026"),
                                    QDialogButtonBox::ActionRole);
    m_rollback->setEnabled(false);
    connect(m_rollback, &QPushButton::clicked, this, &HistoryDialog::rollBackSelected);
    connect(buttons, &QDialogButtonBox::rejected, this, &HistoryDialog::reject);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &HistoryDialog::showSelection);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    reload();
}

void HistoryDialog::reload()
{
    m_list->clear();
    m_deployments.clear();
    auto store = m_session ? collectors::openFleetStore(m_file, m_session->design(),
                                                        collectors::StoreMode::Existing)
                           : core::Result<core::ProjectStore>(core::invalid(tr("No design")));
    auto list = store ? store->deployments()
                      : core::Result<std::vector<core::deploy::DeploymentRecord>>(
                            std::unexpected(store.error()));
    if (!list) {
        m_status->setText(storeProblem(list.error()));
        return;
    }
    m_deployments = std::move(*list);
    for (const core::deploy::DeploymentRecord &d : m_deployments) {
        auto *top = new QTreeWidgetItem(
            m_list, {QStringLiteral("#%1").arg(d.id),
                     QLocale().toString(d.at.toLocalTime(), QLocale::ShortFormat), d.author,
                     core::deploy::revisionText(d), d.summary});
        top->setData(0, DeploymentRole, d.id);
        top->setForeground(4, d.confirmed ? QColor(0x10, 0x70, 0x10) : QColor(0xc0, 0, 0));
        for (const core::deploy::DeploymentHost &h : d.hosts) {
            auto *row = new QTreeWidgetItem(
                top, {h.host, core::deploy::phaseName(h.result), {}, {}, h.message});
            row->setData(0, DeploymentRole, d.id);
            row->setData(0, HostRole, h.host);
        }
    }
    m_list->expandAll();
    for (int c = 0; c < 4; ++c)
        m_list->resizeColumnToContents(c);
    m_status->setText(m_deployments.empty()
                          ? tr("Nothing deployed from this design yet.")
                          : tr("%n deployment(s).", nullptr, int(m_deployments.size())));
}

const core::deploy::DeploymentHost *HistoryDialog::selectedHost(qint64 *deployment) const
{
    const QTreeWidgetItem *item = m_list->currentItem();
    if (!item || item->data(0, HostRole).isNull())
        return nullptr;
    const qint64 id = item->data(0, DeploymentRole).toLongLong();
    const QString host = item->data(0, HostRole).toString();
    for (const core::deploy::DeploymentRecord &d : m_deployments) {
        for (const core::deploy::DeploymentHost &h : d.hosts) {
            if (d.id == id && h.host == host) {
                if (deployment)
                    *deployment = id;
                return &h;
            }
        }
    }
    return nullptr;
}

void HistoryDialog::showSelection()
{
    const core::deploy::DeploymentHost *h = selectedHost();
    // Only a state that was in place (confirmed, or unchanged) is one to go back to.
    const bool inPlace = h && core::deploy::leftInPlace(h->result);
    m_rollback->setEnabled(inPlace && m_session);
    m_rollback->setToolTip(h && !inPlace ? tr("This deployment did not stay on %1 (%2).")
                                               .arg(h->host, core::deploy::phaseName(h->result))
                                         : QString());
    if (!h)
        return m_plan->clear();
    m_plan->setHtml(tr("<p><b>Plan for %1</b> (%2): %3</p>")
                        .arg(h->host.toHtmlEscaped(), planSummary(h->plan),
                             core::deploy::phaseName(h->result)) +
                    planDiffHtml(h->plan));
}

void HistoryDialog::rollBackSelected()
{
    qint64 id = 0;
    const core::deploy::DeploymentHost *h = selectedHost(&id);
    if (!h || !m_session)
        return;
    auto store =
        collectors::openFleetStore(m_file, m_session->design(), collectors::StoreMode::Existing);
    auto target = store ? collectors::rollbackTarget(*store, id, h->host)
                        : core::Result<collectors::RollbackTarget>(std::unexpected(store.error()));
    if (!target) {
        m_status->setText(target.error().message);
        return;
    }
    auto *dialog = new DeployDialog(m_session, m_file, m_agents, *target, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DeployDialog::deploymentRecorded, this, &HistoryDialog::reload);
    Q_EMIT rollbackOpened(dialog);
    dialog->open();
}

} // namespace converge::views
