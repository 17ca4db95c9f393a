#pragma once

#include "fleetaccess.h"

#include "collectors/console/deployer.h"

#include <QDialog>
#include <QHash>
#include <QPointer>

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
// bar per host and overall, and records the result in the project store. The Deployer confirms
// only after reaching every agent again, else everything rolls back; the summary says which.
class DeployDialog : public QDialog
{
    Q_OBJECT

public:
    // Deploys the open design to its hosts (only `hosts` checked when given).
    DeployDialog(DesignSession *session, const QString &designFile, const QStringList &hosts = {},
                 QWidget *parent = nullptr);
    // Rolls `host` back to what deployment `deploymentId` recorded for it.
    struct Rollback
    {
        qint64 deploymentId = 0;
        QString host;
        core::realize::HostState desired;
    };
    DeployDialog(DesignSession *session, const QString &designFile, const Rollback &rollback,
                 QWidget *parent = nullptr);
    ~DeployDialog() override;

    bool isRefused() const { return m_refused; }
    bool isRunning() const;
    QStringList hostNames() const;
    QStringList checkedHosts() const;
    void setHostChecked(const QString &host, bool checked);
    QString statusOf(const QString &host) const;  // "confirmed"
    QString messageOf(const QString &host) const; // the last progress message
    QProgressBar *progressBarFor(const QString &host) const;
    QTreeWidget *hostList() const { return m_hosts; }
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
    struct Row
    {
        FleetHost host;
        QTreeWidgetItem *item = nullptr;
        QProgressBar *bar = nullptr;
        QJsonObject plan;
        QString reviewedDigest; // of the plan shown in the last dry run
        int percent = 0;
    };
    enum class Run { None, DryRun, Deploy };

    void build();
    void buildRefusal(const QStringList &findings);
    QWidget *buildHostList();
    QLayout *buildProgressRow(); // overall progress and the confirmation timeout
    void loadHosts(const QStringList &checked);
    void start(Run run);
    std::vector<collectors::DeployTarget> targets(QString *why) const;
    void onProgress(const QString &host, core::deploy::HostPhase phase, int percent,
                    const QString &message);
    void onPlanned(const QString &host, const QJsonObject &plan);
    void onFinished(bool confirmed, const QString &summary);
    void record(bool confirmed, const QString &summary);
    void showPlanOf(QTreeWidgetItem *item);
    void updateButtons();
    void updateOverall();
    void setSummary(const QString &text, bool good);
    Row *rowFor(const QString &host);
    const Row *rowFor(const QString &host) const;

    QPointer<DesignSession> m_session;
    QString m_file;
    std::optional<Rollback> m_rollback;
    std::optional<core::ProjectStore> m_store;
    std::vector<Row> m_rows;
    collectors::Deployer *m_deployer = nullptr;
    Run m_run = Run::None;
    QStringList m_runHosts;
    bool m_refused = false;
    bool m_closeWhenDone = false;
    QString m_summary;
    QString m_planChanged; // a host whose plan changed between review and deployment

    QLabel *m_status = nullptr;
    QListWidget *m_refusal = nullptr;
    QTreeWidget *m_hosts = nullptr;
    QTextBrowser *m_plan = nullptr;
    QProgressBar *m_overall = nullptr;
    QSpinBox *m_timeout = nullptr;
    QPushButton *m_planAgain = nullptr;
    QPushButton *m_deploy = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_close = nullptr;
};

} // namespace converge::views
