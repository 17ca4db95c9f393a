#pragma once

#include "collectors/console/deployment.h"
#include "collectors/console/fleet.h"
#include "collectors/console/rollbacktarget.h"
#include "views/deploy/deployhosttable.h"

#include <QDialog>
#include <QPointer>

#include <optional>

class QLabel;
class QLayout;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTextBrowser;
class QTreeWidget;
class QTreeWidgetItem;

namespace converge::views {

class DesignSession;

// Deploy > Deploy…: refuses a design with error findings (listing them); otherwise lists the
// design's hosts (those without an agent disabled, saying why), plans every selected host at
// once (the agents' dry runs, shown as diffs), then deploys the reviewed plans with a progress
// bar per host and overall. The console library's Deployment does the work: it confirms only
// after reaching every agent again (else everything rolls back), applies nothing if a host's
// plan is no longer the one shown, and records the deployment in the project store.
class DeployDialog : public QDialog
{
    Q_OBJECT

public:
    using AgentConnector = std::shared_ptr<core::protocol::AgentConnector>;

    // Deploys the open design to its hosts (only `hosts` checked when given).
    DeployDialog(DesignSession *session, const QString &designFile, AgentConnector agents,
                 const QStringList &hosts = {}, QWidget *parent = nullptr);
    // Rolls a host back to what an earlier deployment recorded for it.
    DeployDialog(DesignSession *session, const QString &designFile, AgentConnector agents,
                 const collectors::RollbackTarget &rollback, QWidget *parent = nullptr);
    ~DeployDialog() override;

    bool isRefused() const { return m_refused; }
    bool isRunning() const;
    QStringList hostNames() const { return m_hosts->hostNames(); }
    QStringList checkedHosts() const { return m_hosts->checkedHosts(); }
    void setHostChecked(const QString &host, bool checked)
    {
        m_hosts->setHostChecked(host, checked);
    }
    QString statusOf(const QString &host) const { return m_hosts->statusOf(host); } // "confirmed"
    // The last progress message.
    QString messageOf(const QString &host) const { return m_hosts->messageOf(host); }
    QProgressBar *progressBarFor(const QString &host) const
    {
        return m_hosts->progressBarFor(host);
    }
    DeployHostTable *hostList() const { return m_hosts; }
    QTextBrowser *planView() const { return m_plan; }
    QProgressBar *overallProgress() const { return m_overall; }
    QListWidget *refusalList() const { return m_refusal; }
    QSpinBox *confirmTimeout() const { return m_timeout; }
    QPushButton *deployButton() const { return m_deploy; }
    QPushButton *planButton() const { return m_planAgain; }
    QPushButton *cancelButton() const { return m_cancel; }
    QString summary() const; // the last run's summary line

public Q_SLOTS:
    void planAgain(); // dry run on the checked hosts
    void deploy();    // the reviewed plans, on the checked hosts
    void cancelRun();
    void reject() override; // while running: cancels, and closes once the hosts are settled

Q_SIGNALS:
    void plansShown(); // a dry run ended
    void deploymentFinished(bool confirmed, const QString &summary);
    void deploymentRecorded(qint64 id);

private:
    enum class Run { None, DryRun, Deploy };

    DeployDialog(DesignSession *session, const QString &designFile, AgentConnector agents,
                 std::optional<collectors::RollbackTarget> rollback, QWidget *parent);
    void build();
    void buildRefusal(const QStringList &findings);
    QWidget *buildHostList();
    QLayout *buildProgressRow(); // overall progress and the confirmation timeout
    void addButtons(QLayout *layout);
    void loadHosts(const QStringList &checked);
    void start(Run run);
    core::Result<collectors::Deployment::Spec> spec(Run run) const;
    void onPlanned(const QString &host, const core::protocol::PlanReport &plan);
    void onFinished(bool confirmed, const QString &summary);
    QString resultText(Run run, const QString &summary) const;
    void showPlanOf(QTreeWidgetItem *item);
    void updateButtons();
    void updateOverall();
    void setSummary(const QString &text, bool good);

    QPointer<DesignSession> m_session;
    QString m_file;
    AgentConnector m_agents;
    std::optional<collectors::RollbackTarget> m_rollback;
    std::optional<core::ProjectStore> m_store;
    collectors::Deployment *m_deployment = nullptr;
    Run m_run = Run::None;
    QStringList m_runHosts;
    bool m_refused = false;
    bool m_closeWhenDone = false;
    QString m_summary;

    QLabel *m_status = nullptr;
    QListWidget *m_refusal = nullptr;
    DeployHostTable *m_hosts = nullptr;
    QTextBrowser *m_plan = nullptr;
    QProgressBar *m_overall = nullptr;
    QSpinBox *m_timeout = nullptr;
    QPushButton *m_planAgain = nullptr;
    QPushButton *m_deploy = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace converge::views
