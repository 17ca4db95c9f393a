#pragma once

#include "core/deploy/deploytypes.h"
#include "core/protocol/agentsession.h"

#include <QDialog>
#include <QPointer>

#include <memory>
#include <vector>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeWidget;
class QTreeWidgetItem;

namespace converge::views {

class DesignSession;

// Deploy > History…: the deployments recorded in the design's project store, newest first
// (when, who, design revision, summary), each with a row per host (result, message); a host
// row shows the plan that was deployed. "Roll Back Host" deploys that host's recorded desired
// state again through a DeployDialog (same plan review and confirmation), recorded as a new
// deployment.
class HistoryDialog : public QDialog
{
    Q_OBJECT

public:
    HistoryDialog(DesignSession *session, const QString &designFile,
                  std::shared_ptr<core::protocol::AgentConnector> agents,
                  QWidget *parent = nullptr);

    QTreeWidget *deploymentList() const { return m_list; }
    QTextBrowser *planView() const { return m_plan; }
    QPushButton *rollbackButton() const { return m_rollback; }
    const std::vector<core::deploy::DeploymentRecord> &deployments() const { return m_deployments; }

public Q_SLOTS:
    void reload();
    void rollBackSelected(); // opens the DeployDialog for the selected host row

Q_SIGNALS:
    void rollbackOpened(QDialog *deployDialog);

private:
    const core::deploy::DeploymentHost *selectedHost(qint64 *deployment = nullptr) const;
    void showSelection();

    QPointer<DesignSession> m_session;
    QString m_file;
    std::shared_ptr<core::protocol::AgentConnector> m_agents;
    std::vector<core::deploy::DeploymentRecord> m_deployments;
    QTreeWidget *m_list;
    QTextBrowser *m_plan;
    QLabel *m_status;
    QPushButton *m_rollback;
};

} // namespace converge::views
