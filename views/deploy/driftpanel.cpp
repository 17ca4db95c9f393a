#include "driftpanel.h"

#include "fleetstatus.h"

#include "collectors/console/agentqueries.h"
#include "collectors/console/background.h"
#include "core/model/design.h"
#include "core/realize/desiredstate.h"
#include "views/session/designsession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace converge::views {

namespace {

enum Role { HostRole = Qt::UserRole + 1, ElementRole };

} // namespace

DriftPanel::DriftPanel(QWidget *parent)
    : QWidget(parent)
    , m_list(new QTreeWidget)
    , m_status(new QLabel)
{
    setObjectName(QStringLiteral("driftPanel"));
    m_list->setObjectName(QStringLiteral("driftList"));
    m_list->setHeaderLabels({tr("Host / Where"), tr("Difference")});
    m_list->setAccessibleName(tr("Differences between the hosts and the design"));
    m_status->setWordWrap(true);
    m_checkAgain = new QPushButton(tr("Check &Again"));
    m_reapply = new QPushButton(tr("&Re-apply Design\u2026"));
    m_adopt = new QPushButton(tr("&Take Running Values"));
    m_reapply->setToolTip(tr("Deploy the design to the selected host again"));
    m_adopt->setToolTip(tr("Change the design to what the selected host runs (one undo step)"));
    connect(m_checkAgain, &QPushButton::clicked, this, &DriftPanel::check);
    connect(m_reapply, &QPushButton::clicked, this, [this] {
        if (const QString host = selectedHost(); !host.isEmpty())
            Q_EMIT reapplyRequested(host);
    });
    connect(m_adopt, &QPushButton::clicked, this, [this] { takeRunningValues(selectedHost()); });
    connect(m_list, &QTreeWidget::currentItemChanged, this, &DriftPanel::selectionChanged);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_checkAgain);
    buttons->addStretch();
    buttons->addWidget(m_reapply);
    buttons->addWidget(m_adopt);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_status);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    setSession(nullptr, {});
}

DriftPanel::~DriftPanel()
{
    if (m_session)
        m_session->setExternalFindings(QLatin1String(findingSource), {});
}

void DriftPanel::setAgentConnector(std::shared_ptr<core::protocol::AgentConnector> agents)
{
    m_agents = std::move(agents);
}

void DriftPanel::setSession(DesignSession *session, const QString &designFile)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session)
        connect(session, &DesignSession::designChanged, this, &DriftPanel::designChanged);
    m_file = designFile;
    ++m_generation;
    m_pending = 0;
    m_hosts.clear();
    rebuild();
    setStatus(tr("Deploy > Check Drift compares the hosts with the design."), false);
}

void DriftPanel::check()
{
    if (!m_session)
        return;
    const int generation = ++m_generation;
    m_pending = 0;
    m_hosts.clear();
    rebuild(); // and clears the findings of the last check
    auto store =
        collectors::openFleetStore(m_file, m_session->design(), collectors::StoreMode::Existing);
    if (!store)
        return setStatus(storeProblem(store.error()), true);
    if (!m_agents)
        return setStatus(tr("This console has no way to reach agents."), true);
    for (const collectors::FleetHost &h : collectors::fleetHosts(m_session->design(), &*store)) {
        if (h.status != collectors::FleetHost::Status::Ready)
            continue;
        ++m_pending;
        m_hosts[h.name] = HostDrift{h.name, h.id, tr("checking\u2026"), {}, {}};
        collectors::runInBackground<core::Result<core::realize::HostState>>(
            this,
            [agents = m_agents, agent = h.endpoint()] {
                return collectors::runningState(*agents, agent, {10000, 60000});
            },
            [this, generation, host = h.name,
             hostId = h.id](core::Result<core::realize::HostState> s) {
                if (generation != m_generation)
                    return;
                HostDrift drift{host, hostId, {}, {}, {}};
                if (s)
                    drift.running = std::move(*s);
                else
                    drift.error = tr("unreachable: %1").arg(s.error().message);
                received(std::move(drift));
            });
    }
    if (m_pending == 0)
        return setStatus(tr("No host of this design has an enrolled agent: Deploy > Fleet\u2026 "
                            "enrolls them."),
                         true);
    setStatus(tr("Reading the state of %n host(s)\u2026", nullptr, m_pending), false);
    rebuild();
}

void DriftPanel::received(HostDrift drift)
{
    if (drift.running) {
        if (auto store = collectors::openFleetStore(m_file, m_session->design(),
                                                    collectors::StoreMode::Existing))
            (void)store->touchAgent(drift.host, QDateTime::currentDateTimeUtc(), {});
        recompute(drift);
    }
    m_hosts[drift.host] = std::move(drift);
    --m_pending;
    rebuild();
    if (m_pending == 0)
        Q_EMIT checkFinished();
}

void DriftPanel::recompute(HostDrift &drift)
{
    drift.items.clear();
    if (!drift.running)
        return;
    auto desired = core::realize::desiredState(m_session->design(), drift.hostId);
    if (!desired) {
        drift.error = desired.error().message;
        return;
    }
    drift.error.clear();
    drift.items = core::deploy::driftOf(m_session->design(), *desired, *drift.running);
}

void DriftPanel::designChanged()
{
    // An edit can make a difference go away (or appear): compare again with the states read.
    bool changed = false;
    for (auto &[name, d] : m_hosts) {
        if (!d.running)
            continue;
        QStringList before;
        for (const core::deploy::DriftItem &item : d.items)
            before << item.description();
        recompute(d);
        QStringList after;
        for (const core::deploy::DriftItem &item : d.items)
            after << item.description();
        changed = changed || before != after;
    }
    if (changed)
        rebuild();
}

void DriftPanel::rebuild()
{
    m_list->clear();
    int drifted = 0, unreachable = 0;
    for (const auto &[name, d] : m_hosts) {
        const QString state = !d.error.isEmpty() ? d.error
                              : d.items.empty()
                                  ? tr("matches the design")
                                  : tr("%n difference(s)", nullptr, int(d.items.size()));
        auto *top = new QTreeWidgetItem(m_list, {name, state});
        top->setData(0, HostRole, name);
        if (!d.items.empty())
            top->setForeground(1, QColor(0xb0, 0x60, 0x00));
        drifted += d.items.empty() ? 0 : 1;
        unreachable += d.error.startsWith(tr("unreachable")) ? 1 : 0;
        for (const core::deploy::DriftItem &item : d.items) {
            auto *row = new QTreeWidgetItem(top, {item.where, item.description()});
            row->setData(0, HostRole, name);
            row->setData(0, ElementRole, item.elementId);
            row->setToolTip(1, item.description());
        }
    }
    m_list->expandAll();
    m_list->resizeColumnToContents(0);
    if (m_pending == 0 && !m_hosts.empty())
        setStatus(
            drifted == 0 && unreachable == 0
                ? tr("Every host matches the design.")
                : tr("%n host(s) differ from the design", nullptr, drifted) +
                      (unreachable ? tr("; %n unreachable", nullptr, unreachable) : QString()),
            drifted + unreachable > 0);
    publishFindings();
    selectionChanged();
}

void DriftPanel::publishFindings()
{
    if (!m_session)
        return;
    std::vector<core::Finding> findings;
    for (const auto &[name, d] : m_hosts) {
        for (const core::deploy::DriftItem &item : d.items) {
            core::Finding f{QLatin1String(ruleId),
                            core::Severity::Warning,
                            tr("Drift on %1: %2").arg(name, item.description()),
                            {item.elementId.isEmpty() ? d.hostId : item.elementId},
                            std::nullopt,
                            {}};
            if (!item.adopt.isUndefined() && !item.property.isEmpty() && !item.elementId.isEmpty())
                f.fix = core::QuickFix{
                    tr("Take the running value (%1) into the design").arg(item.runningValue),
                    {{item.elementId, item.property, item.adopt}}};
            findings.push_back(std::move(f));
        }
    }
    m_session->setExternalFindings(QLatin1String(findingSource), std::move(findings));
}

bool DriftPanel::takeRunningValues(const QString &host)
{
    auto it = m_hosts.find(host);
    if (!m_session || it == m_hosts.end() || it->second.items.empty())
        return false;
    auto edit = core::deploy::adoptRunningValues(m_session->design(), it->second.items);
    if (!edit) {
        setStatus(edit.error().message, true);
        return false;
    }
    if (!m_session->apply(edit))
        return false;
    recompute(it->second); // the design now says what the host runs
    rebuild();
    setStatus(tr("Took the running values of %1 into the design (Undo takes them back).").arg(host),
              false);
    return true;
}

std::vector<core::deploy::DriftItem> DriftPanel::itemsOf(const QString &host) const
{
    const auto it = m_hosts.find(host);
    return it == m_hosts.end() ? std::vector<core::deploy::DriftItem>{} : it->second.items;
}

QString DriftPanel::summary() const
{
    return m_status->text();
}

QString DriftPanel::selectedHost() const
{
    const QTreeWidgetItem *item = m_list->currentItem();
    return item ? item->data(0, HostRole).toString() : QString();
}

void DriftPanel::selectionChanged()
{
    const QString host = selectedHost();
    const auto it = m_hosts.find(host);
    const bool drifted = it != m_hosts.end() && !it->second.items.empty();
    m_reapply->setEnabled(drifted);
    m_adopt->setEnabled(drifted);
    m_checkAgain->setEnabled(bool(m_session));
    const QTreeWidgetItem *item = m_list->currentItem();
    const QString element = item ? item->data(0, ElementRole).toString() : QString();
    if (m_session && !element.isEmpty())
        m_session->setSelection({element});
}

void DriftPanel::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color:#b06000") : QString());
}

} // namespace converge::views
