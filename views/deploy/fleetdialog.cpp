#include "fleetdialog.h"

#include "enrolldialog.h"
#include "fleetstatus.h"

#include "collectors/console/agentqueries.h"
#include "collectors/console/background.h"
#include "views/session/designsession.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace converge::views {

namespace {

QString when(const QDateTime &at)
{
    return at.isNull() ? QObject::tr("never")
                       : QLocale().toString(at.toLocalTime(), QLocale::ShortFormat);
}

} // namespace

FleetDialog::FleetDialog(DesignSession *session, const QString &designFile,
                         std::shared_ptr<core::protocol::AgentConnector> agents, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_file(designFile)
    , m_connector(std::move(agents))
    , m_agents(new QTreeWidget)
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("fleetDialog"));
    setWindowTitle(tr("Fleet"));
    resize(900, 400);
    m_agents->setObjectName(QStringLiteral("agentList"));
    m_agents->setRootIsDecorated(false);
    m_agents->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_agents->setHeaderLabels({tr("Host"), tr("Address"), tr("Fingerprint"), tr("Enrolled"),
                               tr("Last Seen"), tr("Version"), tr("Check")});
    m_agents->setAccessibleName(tr("Enrolled agents"));
    m_status->setWordWrap(true);

    auto *buttons = new QDialogButtonBox;
    auto *enroll = buttons->addButton(tr("&Enroll\u2026"), QDialogButtonBox::ActionRole);
    m_remove = buttons->addButton(tr("&Remove"), QDialogButtonBox::ActionRole);
    m_check = buttons->addButton(tr("C&heck"), QDialogButtonBox::ActionRole);
    m_check->setToolTip(tr("Say hello to the selected agents (all when none is selected)"));
    buttons->addButton(QDialogButtonBox::Close);
    connect(enroll, &QPushButton::clicked, this, &FleetDialog::openEnrollDialog);
    connect(m_remove, &QPushButton::clicked, this, &FleetDialog::removeSelected);
    connect(m_check, &QPushButton::clicked, this, &FleetDialog::checkSelected);
    connect(buttons, &QDialogButtonBox::rejected, this, &FleetDialog::reject);
    connect(m_agents, &QTreeWidget::itemSelectionChanged, this,
            [this] { m_remove->setEnabled(!selectedHosts().isEmpty()); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_agents, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    reload();
}

std::optional<core::ProjectStore> &FleetDialog::store(bool create)
{
    if (!m_store && m_session) {
        auto opened = collectors::openFleetStore(m_file, m_session->design(),
                                                 create ? collectors::StoreMode::CreateIfMissing
                                                        : collectors::StoreMode::Existing);
        if (opened)
            m_store.emplace(std::move(*opened));
        else
            setStatus(storeProblem(opened.error()),
                      opened.error().code != core::Error::Code::NotFound);
    }
    return m_store;
}

void FleetDialog::reload()
{
    m_agents->clear();
    m_remove->setEnabled(false);
    auto &s = store(false);
    if (!s)
        return;
    auto agents = s->agents();
    if (!agents)
        return setStatus(agents.error().message, true);
    for (const core::deploy::AgentRecord &a : *agents) {
        const bool known =
            m_session && std::ranges::any_of(m_session->design().elements(core::ElementKind::Host),
                                             [&a](const auto *h) { return h->name() == a.host; });
        auto *item = new QTreeWidgetItem(
            m_agents,
            {a.host, a.address, a.fingerprint, when(a.enrolledAt), when(a.lastSeen),
             a.version.isEmpty() ? QStringLiteral("-") : a.version, m_checks.value(a.host)});
        item->setData(HostColumn, Qt::UserRole, a.host);
        item->setToolTip(FingerprintColumn, a.fingerprint);
        if (!known)
            item->setToolTip(HostColumn, tr("No host of this name in the design"));
    }
    for (int c = 0; c < ColumnCount; ++c)
        m_agents->resizeColumnToContents(c);
    m_agents->setColumnWidth(FingerprintColumn, 220);
    setStatus(agents->empty() ? tr("No agent enrolled yet: Enroll\u2026 pairs a host with its "
                                   "agent.")
                              : tr("%n agent(s) enrolled.", nullptr, int(agents->size())),
              false);
}

bool FleetDialog::saveAgent(const core::deploy::AgentRecord &agent)
{
    auto &s = store(true);
    if (!s)
        return false;
    if (auto saved = s->saveAgent(agent); !saved) {
        setStatus(saved.error().message, true);
        return false;
    }
    reload();
    setStatus(tr("Enrolled %1 at %2.").arg(agent.host, agent.address), false);
    Q_EMIT fleetChanged();
    return true;
}

bool FleetDialog::removeAgent(const QString &host)
{
    auto &s = store(false);
    if (!s)
        return false;
    if (auto removed = s->removeAgent(host); !removed) {
        setStatus(removed.error().message, true);
        return false;
    }
    reload();
    setStatus(tr("Removed the agent of %1: enroll it again to deploy there.").arg(host), false);
    Q_EMIT fleetChanged();
    return true;
}

void FleetDialog::openEnrollDialog()
{
    if (!m_session)
        return;
    auto *dialog = new EnrollDialog(m_session->design(), m_connector, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &EnrollDialog::enrolled, this, &FleetDialog::saveAgent);
    dialog->open();
}

void FleetDialog::removeSelected()
{
    const QStringList hosts = selectedHosts();
    if (hosts.isEmpty())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Remove Agents"),
        tr("Forget the agents of %1? The console can no longer deploy there until they are "
           "enrolled again.")
            .arg(hosts.join(QStringLiteral(", "))));
    if (answer != QMessageBox::Yes)
        return;
    for (const QString &h : hosts)
        removeAgent(h);
}

void FleetDialog::checkSelected()
{
    check(selectedHosts());
}

void FleetDialog::check(const QStringList &hosts)
{
    auto &s = store(false);
    auto agents = s ? s->agents() : core::Result<std::vector<core::deploy::AgentRecord>>{};
    if (!agents || !m_connector)
        return;
    for (const core::deploy::AgentRecord &a : *agents) {
        if (!hosts.isEmpty() && !hosts.contains(a.host))
            continue;
        ++m_pendingChecks;
        m_checks.insert(a.host, tr("checking\u2026"));
        collectors::runInBackground<core::Result<QString>>(
            this,
            [agents = m_connector,
             agent = core::protocol::AgentEndpoint{a.host, a.address, a.fingerprint}] {
                return collectors::agentVersion(*agents, agent, 10000);
            },
            [this, host = a.host](core::Result<QString> version) {
                if (version && m_store)
                    (void)m_store->touchAgent(host, QDateTime::currentDateTimeUtc(), *version);
                m_checks.insert(host, version ? tr("reachable")
                                              : tr("unreachable: %1").arg(version.error().message));
                reload();
                if (--m_pendingChecks == 0)
                    Q_EMIT checksFinished();
            });
    }
    reload();
}

QStringList FleetDialog::selectedHosts() const
{
    QStringList out;
    for (const QTreeWidgetItem *item : m_agents->selectedItems())
        out << item->data(HostColumn, Qt::UserRole).toString();
    return out;
}

QString FleetDialog::statusText() const
{
    return m_status->text();
}

void FleetDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color:#c00000") : QString());
}

} // namespace converge::views
