#include "deploydialog.h"

#include "deployhosttable.h"
#include "fleetstatus.h"
#include "plandiff.h"

#include "collectors/console/deploymentgate.h"
#include "collectors/console/targets.h"
#include "views/session/designsession.h"
#include "views/viewslogging.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace converge::views {

using collectors::FleetHost;
using core::deploy::HostPhase;

DeployDialog::DeployDialog(DesignSession *session, const QString &designFile, AgentConnector agents,
                           std::optional<collectors::RollbackTarget> rollback, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_file(designFile)
    , m_agents(std::move(agents))
    , m_rollback(std::move(rollback))
{
    setWindowTitle(m_rollback ? tr("Roll Back %1").arg(m_rollback->host) : tr("Deploy"));
    build();
}

DeployDialog::DeployDialog(DesignSession *session, const QString &designFile, AgentConnector agents,
                           const QStringList &hosts, QWidget *parent)
    : DeployDialog(session, designFile, std::move(agents), std::nullopt, parent)
{
    loadHosts(hosts);
}

DeployDialog::DeployDialog(DesignSession *session, const QString &designFile, AgentConnector agents,
                           const collectors::RollbackTarget &rollback, QWidget *parent)
    : DeployDialog(session, designFile, std::move(agents), std::optional(rollback), parent)
{
    loadHosts({rollback.host});
}

DeployDialog::~DeployDialog()
{
    if (!m_deployment)
        return;
    // The Deployer's destructor waits for its workers (rolling back what was applied) with the
    // event loop running: its signals must not reach this half-destroyed dialog meanwhile.
    m_deployment->deployer().disconnect(this);
    m_deployment->disconnect(this);
    m_deployment->cancel();
    delete m_deployment;
}

void DeployDialog::build()
{
    setObjectName(QStringLiteral("deployDialog"));
    resize(900, 620);
    auto *layout = new QVBoxLayout(this);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("deployStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    if (m_session && !m_rollback) {
        m_session->validateNow();
        if (const QStringList errors = collectors::blockingFindings(m_session->findings());
            !errors.isEmpty()) {
            buildRefusal(errors);
            layout->addWidget(m_refusal, 1);
            addButtons(layout);
            return;
        }
    }
    layout->addWidget(buildHostList(), 1);
    layout->addLayout(buildProgressRow());
    addButtons(layout);
}

void DeployDialog::addButtons(QLayout *layout)
{
    auto *buttons = new QDialogButtonBox;
    m_close = buttons->addButton(QDialogButtonBox::Close);
    connect(m_close, &QPushButton::clicked, this, &DeployDialog::reject);
    layout->addWidget(buttons);
    if (m_refused)
        return;
    m_planAgain = buttons->addButton(tr("&Plan Again"), QDialogButtonBox::ActionRole);
    m_deploy = buttons->addButton(tr("&Deploy"), QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(tr("&Cancel Deployment"), QDialogButtonBox::ActionRole);
    m_deploy->setDefault(true);
    connect(m_planAgain, &QPushButton::clicked, this, &DeployDialog::planAgain);
    connect(m_deploy, &QPushButton::clicked, this, &DeployDialog::deploy);
    connect(m_cancel, &QPushButton::clicked, this, &DeployDialog::cancelRun);
}

QLayout *DeployDialog::buildProgressRow()
{
    auto *progressRow = new QHBoxLayout;
    auto *overallLabel = new QLabel(tr("&Overall:"));
    m_overall = new QProgressBar;
    m_overall->setObjectName(QStringLiteral("overallProgress"));
    m_overall->setRange(0, 100);
    overallLabel->setBuddy(m_overall);
    progressRow->addWidget(overallLabel);
    progressRow->addWidget(m_overall, 1);
    auto *timeoutLabel = new QLabel(tr("Con&firm within:"));
    m_timeout = new QSpinBox;
    m_timeout->setObjectName(QStringLiteral("confirmTimeout"));
    m_timeout->setRange(5, 3600);
    m_timeout->setValue(60);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setToolTip(tr("Each agent rolls its change back by itself unless the console "
                             "confirms it within this time after applying."));
    timeoutLabel->setBuddy(m_timeout);
    progressRow->addSpacing(16);
    progressRow->addWidget(timeoutLabel);
    progressRow->addWidget(m_timeout);
    return progressRow;
}

void DeployDialog::buildRefusal(const QStringList &findings)
{
    m_refused = true;
    m_status->setText(tr("<b>This design cannot be deployed:</b> it has %n error finding(s). Fix "
                         "them, or accept them in the validation panel, then deploy.",
                         nullptr, int(findings.size())));
    m_refusal = new QListWidget;
    m_refusal->setObjectName(QStringLiteral("refusalList"));
    m_refusal->addItems(findings);
    m_refusal->setAccessibleName(tr("Error findings that block deployment"));
}

QWidget *DeployDialog::buildHostList()
{
    m_hosts = new DeployHostTable;
    connect(m_hosts, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) { showPlanOf(item); });
    connect(m_hosts, &QTreeWidget::itemChanged, this, [this] { updateButtons(); });

    m_plan = new QTextBrowser;
    m_plan->setObjectName(QStringLiteral("planView"));
    m_plan->setAccessibleName(tr("Plan of the selected host"));
    m_plan->setPlaceholderText(tr("Select a host to see its plan."));
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_hosts);
    split->addWidget(m_plan);
    split->setStretchFactor(1, 1);
    return split;
}

void DeployDialog::loadHosts(const QStringList &checked)
{
    if (m_refused || !m_session)
        return;
    auto store =
        collectors::openFleetStore(m_file, m_session->design(), collectors::StoreMode::Existing);
    if (store)
        m_store.emplace(std::move(*store));
    else
        setSummary(storeProblem(store.error()), false);
    for (FleetHost &h : collectors::fleetHosts(m_session->design(), m_store ? &*m_store : nullptr))
        if (!m_rollback || h.name == m_rollback->host) {
            const bool check = checked.isEmpty() || checked.contains(h.name);
            m_hosts->addHost(std::move(h), check);
        }
    m_hosts->sizeColumns();
    if (m_agents) {
        m_deployment = new collectors::Deployment(m_agents, m_store ? &*m_store : nullptr, this);
        connect(&m_deployment->deployer(), &collectors::Deployer::progress, this,
                [this](const QString &host, HostPhase phase, int percent, const QString &message) {
                    m_hosts->showProgress(host, phase, percent, message);
                    updateOverall();
                });
        connect(&m_deployment->deployer(), &collectors::Deployer::planned, this,
                &DeployDialog::onPlanned);
        connect(m_deployment, &collectors::Deployment::finished, this, &DeployDialog::onFinished);
    }
    if (!m_hosts->rows().empty())
        m_hosts->setCurrentItem(m_hosts->rows().front().item);
    if (m_hosts->checkedHosts().isEmpty()) {
        if (m_store)
            setSummary(tr("No host of this design has an enrolled agent: Deploy > Fleet\u2026 "
                          "enrolls them."),
                       false);
    } else {
        // The dry run starts once the dialog is up: the plans are what the admin reviews.
        QMetaObject::invokeMethod(this, &DeployDialog::planAgain, Qt::QueuedConnection);
    }
    updateButtons();
}

QString DeployDialog::summary() const
{
    return m_summary;
}

bool DeployDialog::isRunning() const
{
    return m_run != Run::None;
}

void DeployDialog::planAgain()
{
    start(Run::DryRun);
}

void DeployDialog::deploy()
{
    start(Run::Deploy);
}

// What a run deploys: the checked hosts with their desired states (the design's, or the one a
// rollback goes back to), the digests reviewed, the design recorded with it.
core::Result<collectors::Deployment::Spec> DeployDialog::spec(Run run) const
{
    collectors::Deployment::Spec s;
    s.options = {run == Run::DryRun, m_timeout->value(), {}};
    s.author = collectors::consoleUser(QStringLiteral("converge"));
    const std::vector<FleetHost> hosts = m_hosts->hosts();
    if (m_rollback) {
        for (const FleetHost &h : hosts)
            if (h.agent && h.status == FleetHost::Status::Ready &&
                m_hosts->checkedHosts().contains(h.name))
                s.targets.push_back(
                    {h.name, h.agent->address, h.agent->fingerprint, m_rollback->desired});
        s.label = m_rollback->label();
    } else {
        auto choice =
            collectors::chooseTargets(m_session->design(), hosts, m_hosts->checkedHosts());
        if (!choice)
            return std::unexpected(choice.error());
        s.targets = std::move(choice->targets);
    }
    for (collectors::DeployTarget &t : s.targets)
        if (run == Run::Deploy)
            t.reviewedDigest = m_hosts->rowFor(t.host)->reviewedDigest;
    if (run == Run::Deploy)
        s.snapshot = m_rollback ? m_rollback->snapshot : m_session->design();
    return s;
}

void DeployDialog::start(Run run)
{
    if (!m_deployment || m_deployment->isRunning() || !m_session)
        return;
    auto s = spec(run);
    if (!s || s->targets.empty()) {
        setSummary(!s ? s.error().message : tr("Select at least one host with an enrolled agent."),
                   false);
        return;
    }
    m_run = run;
    m_runHosts.clear();
    for (const collectors::DeployTarget &t : s->targets) {
        m_runHosts << t.host;
        m_hosts->reset(t.host, run == Run::DryRun);
    }
    const int count = int(s->targets.size());
    setSummary(run == Run::DryRun ? tr("Planning on %n host(s)\u2026", nullptr, count)
                                  : tr("Deploying to %n host(s)\u2026", nullptr, count),
               true);
    updateOverall();
    qCInfo(lcDeployGui).noquote() << (run == Run::DryRun ? "planning on" : "deploying to")
                                  << m_runHosts.join(u", ");
    m_deployment->start(std::move(*s));
    updateButtons();
}

void DeployDialog::cancelRun()
{
    if (m_deployment && m_deployment->isRunning()) {
        m_deployment->cancel();
        setSummary(tr("Cancelling: hosts already changed are rolled back\u2026"), false);
        m_cancel->setEnabled(false);
    }
}

void DeployDialog::reject()
{
    if (!isRunning())
        return QDialog::reject();
    m_closeWhenDone = true;
    cancelRun();
}

void DeployDialog::onPlanned(const QString &host, const core::protocol::PlanReport &plan)
{
    DeployHostTable::Row *r = m_hosts->rowFor(host);
    if (!r)
        return;
    if (m_run == Run::DryRun)
        r->reviewedDigest = plan.digest;
    r->plan = plan.json;
    if (m_hosts->currentItem() == r->item)
        showPlanOf(r->item);
}

void DeployDialog::onFinished(bool confirmed, const QString &summary)
{
    const Run run = std::exchange(m_run, Run::None);
    const QString planChanged = m_deployment->deployer().planChangedOn();
    if (run == Run::Deploy) {
        // What was reviewed has been used (or refused): another deployment needs a new review.
        for (const QString &h : std::as_const(m_runHosts))
            m_hosts->rowFor(h)->reviewedDigest.clear();
    }
    bool good = confirmed;
    if (run == Run::DryRun)
        good = std::ranges::none_of(m_deployment->deployer().results(),
                                    [](const auto &r) { return r.phase == HostPhase::Failed; });
    const QString text = resultText(run, summary);
    setSummary(text.isEmpty() ? text : text.front().toUpper() + text.mid(1),
               good && planChanged.isEmpty());
    m_summary = summary;
    updateButtons();
    if (m_deployment->recordId())
        Q_EMIT deploymentRecorded(m_deployment->recordId());
    if (run == Run::DryRun)
        Q_EMIT plansShown();
    else
        Q_EMIT deploymentFinished(confirmed, summary);
    if (m_closeWhenDone)
        QDialog::reject();
}

QString DeployDialog::resultText(Run run, const QString &summary) const
{
    if (const QString host = m_deployment->deployer().planChangedOn(); !host.isEmpty())
        return tr("Nothing was deployed: the plan for %1 changed since it was shown. Review the "
                  "new plan, then deploy again.")
            .arg(host);
    if (run == Run::Deploy && !m_deployment->recordingProblems().isEmpty())
        return tr("%1. It could not be recorded: %2")
            .arg(summary, m_deployment->recordingProblems().join(u"; "));
    return summary;
}

void DeployDialog::showPlanOf(QTreeWidgetItem *item)
{
    const DeployHostTable::Row *r = m_hosts->rowOf(item);
    if (!r) {
        m_plan->clear();
        return;
    }
    if (r->host.status != FleetHost::Status::Ready)
        m_plan->setPlainText(tr("%1: %2").arg(r->host.name, statusText(r->host)));
    else if (r->plan.isEmpty())
        m_plan->setPlainText(
            isRunning() ? tr("Planning on %1\u2026").arg(r->host.name)
                        : tr("No plan for %1 yet: Plan Again makes one.").arg(r->host.name));
    else
        m_plan->setHtml(tr("<p><b>Plan for %1</b> (%2)</p>")
                            .arg(r->host.name.toHtmlEscaped(), planSummary(r->plan)) +
                        planDiffHtml(r->plan));
}

void DeployDialog::updateButtons()
{
    if (!m_deploy)
        return;
    const bool running = isRunning();
    const QStringList checked = m_hosts->checkedHosts();
    // Deploy applies what was reviewed: every checked host needs a plan from the last dry run.
    bool reviewed = !checked.isEmpty();
    for (const QString &h : checked)
        reviewed = reviewed && !m_hosts->rowFor(h)->reviewedDigest.isEmpty();
    m_deploy->setEnabled(m_deployment && !running && reviewed);
    m_planAgain->setEnabled(m_deployment && !running && !checked.isEmpty());
    m_cancel->setEnabled(running);
    m_close->setEnabled(!running);
    m_timeout->setEnabled(!running);
}

void DeployDialog::updateOverall()
{
    m_overall->setValue(m_hosts->overallPercent(m_runHosts));
}

void DeployDialog::setSummary(const QString &text, bool good)
{
    m_status->setText(text);
    m_status->setStyleSheet(good ? QString() : QStringLiteral("color:#c00000"));
}

} // namespace converge::views
