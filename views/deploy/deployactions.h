#pragma once

#include "core/protocol/agentsession.h"

#include <QList>
#include <QObject>
#include <QStringList>

#include <memory>

class QAction;
class QDialog;
class QMainWindow;
class QMenu;

namespace converge::views {

class DesignSession;
class DriftPanel;

// The main window's Deploy menu: Deploy…, Fleet…, History…, Check Drift (views/deploy), the
// Drift dock, and File > Export Bundle…. The design must be saved to a file: its fleet and
// deployment history live in the project store next to it.
class DeployActions : public QObject
{
    Q_OBJECT

public:
    // Adds the Drift dock to `window`, which is also the parent of the dialogs.
    explicit DeployActions(QMainWindow *window);

    // The Deploy menu on the window's menu bar, and Export Bundle… in `file`, before Print….
    void addMenus(QMenu *file);
    // The design shown (nullptr: none) and its file (empty: untitled, or a sample).
    void setSession(DesignSession *session);
    void setDesignFile(const QString &path) { m_path = path; }
    // How the dialogs and the drift check reach agents (app wires the TLS channel; tests a fake).
    void setAgentConnector(std::shared_ptr<core::protocol::AgentConnector> agents);
    std::shared_ptr<core::protocol::AgentConnector> agentConnector() const { return m_agents; }
    QString designFile() const { return m_path; }
    // The menus' actions, which need an open design.
    QList<QAction *> designActions() const { return m_designActions; }
    DriftPanel *driftPanel() const { return m_drift; }

    // The dialogs open window-modal and return at once; nullptr when there is no design file.
    QDialog *openDeployDialog(const QStringList &hosts = {});
    QDialog *openFleetDialog();
    QDialog *openHistoryDialog();
    void checkDrift();
    void exportBundle();

private:
    void createDriftDock();
    QString deployFile(); // the design's file, or empty after saying why there is none

    QMainWindow *m_window;
    DesignSession *m_session = nullptr;
    QString m_path;
    DriftPanel *m_drift = nullptr;
    std::shared_ptr<core::protocol::AgentConnector> m_agents;
    QList<QAction *> m_designActions;
};

} // namespace converge::views
