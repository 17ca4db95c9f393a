#include "deployactions.h"

#include "collectors/console/bundleexport.h"
#include "collectors/console/deploymentgate.h"
#include "views/deploy/deploydialog.h"
#include "views/deploy/driftpanel.h"
#include "views/deploy/fleetdialog.h"
#include "views/deploy/historydialog.h"
#include "views/session/designsession.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace converge::views {

DeployActions::DeployActions(QMainWindow *window)
    : QObject(window)
    , m_window(window)
{
    createDriftDock();
}

void DeployActions::setSession(DesignSession *session)
{
    m_session = session;
    m_drift->setSession(session);
}

void DeployActions::setAgentConnector(std::shared_ptr<core::protocol::AgentConnector> agents)
{
    m_agents = std::move(agents);
    m_drift->setAgentConnector(m_agents);
}

void DeployActions::createDriftDock()
{
    m_drift = new DriftPanel;
    auto *dock = new QDockWidget(tr("Drift"), m_window);
    dock->setObjectName(QStringLiteral("driftDock"));
    dock->setWidget(m_drift);
    m_window->addDockWidget(Qt::BottomDockWidgetArea, dock);
    if (auto *validation = m_window->findChild<QDockWidget *>(QStringLiteral("validationDock")))
        m_window->tabifyDockWidget(validation, dock);
    dock->hide(); // until the first check
    connect(m_drift, &DriftPanel::reapplyRequested, this,
            [this](const QString &host) { openDeployDialog({host}); });
}

void DeployActions::addMenus(QMenu *file)
{
    QMenu *menu = m_window->menuBar()->addMenu(tr("&Deploy"));
    const auto add = [&](const QString &text, const QKeySequence &key, auto slot) {
        QAction *action = menu->addAction(text);
        action->setShortcut(key);
        connect(action, &QAction::triggered, this, slot);
        m_designActions << action;
        return action;
    };
    add(tr("&Deploy\u2026"), QKeySequence(tr("Ctrl+Shift+D")), [this] {
        openDeployDialog();
    })->setStatusTip(tr("Plan and deploy the design to its hosts' agents"));
    add(tr("&Fleet\u2026"), {}, &DeployActions::openFleetDialog)
        ->setStatusTip(tr("The agents enrolled for the design's hosts"));
    add(tr("&History\u2026"), {}, &DeployActions::openHistoryDialog)
        ->setStatusTip(tr("Deployments made from this design; roll a host back"));
    menu->addSeparator();
    add(tr("Check D&rift"), {}, &DeployActions::checkDrift)
        ->setStatusTip(tr("Compare each host's running state with the design"));

    QAction *print = nullptr;
    for (QAction *a : file->actions()) {
        if (a->shortcut() == QKeySequence(QKeySequence::Print))
            print = a;
    }
    auto *bundle = new QAction(tr("Export &Bundle\u2026"), m_window);
    bundle->setStatusTip(tr("A signed archive of per-host plans and scripts, for hosts the "
                            "console cannot reach"));
    connect(bundle, &QAction::triggered, this, &DeployActions::exportBundle);
    file->insertAction(print, bundle);
    m_designActions << bundle;
}

QString DeployActions::deployFile()
{
    if (!m_session)
        return {};
    if (m_path.isEmpty()) {
        QMessageBox::information(m_window, tr("Save the Design First"),
                                 tr("Deployments are recorded next to the design file, with the "
                                    "agents enrolled for its hosts. Save the design, then "
                                    "deploy."));
        return {};
    }
    return m_path;
}

QDialog *DeployActions::openDeployDialog(const QStringList &hosts)
{
    const QString file = deployFile();
    if (file.isEmpty())
        return nullptr;
    auto *dialog = new DeployDialog(m_session, file, m_agents, hosts, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DeployDialog::deploymentFinished, this, [this](bool, const QString &summary) {
        m_window->statusBar()->showMessage(summary, 15000);
    });
    dialog->open();
    return dialog;
}

QDialog *DeployActions::openFleetDialog()
{
    const QString file = deployFile();
    if (file.isEmpty())
        return nullptr;
    auto *dialog = new FleetDialog(m_session, file, m_agents, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

QDialog *DeployActions::openHistoryDialog()
{
    const QString file = deployFile();
    if (file.isEmpty())
        return nullptr;
    auto *dialog = new HistoryDialog(m_session, file, m_agents, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

void DeployActions::checkDrift()
{
    const QString file = deployFile();
    if (file.isEmpty())
        return;
    m_drift->setDesignFile(file);
    if (auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("driftDock"))) {
        dock->show();
        dock->raise();
    }
    m_drift->check();
}

void DeployActions::exportBundle()
{
    if (!m_session)
        return;
    if (const QStringList errors = collectors::blockingFindings(m_session->findings());
        !errors.isEmpty()) {
        QMessageBox box(QMessageBox::Warning, tr("Cannot Export a Bundle"),
                        tr("The design has %n error finding(s): fix or accept them first.", nullptr,
                           int(errors.size())),
                        QMessageBox::Ok, m_window);
        box.setDetailedText(errors.join(u'\n'));
        box.exec();
        return;
    }
    const QString name = m_path.isEmpty() ? tr("design") : QFileInfo(m_path).completeBaseName();
    const QString path =
        QFileDialog::getSaveFileName(m_window, tr("Export Bundle"),
                                     QFileInfo(m_path).dir().filePath(name + QLatin1String(".tar")),
                                     tr("Deployment bundle (*.tar)"));
    if (path.isEmpty())
        return;
    auto bundle = collectors::signedBundle(m_session->design());
    auto saved = bundle ? collectors::saveBundle(path, bundle->archive, true)
                        : core::Result<void>(std::unexpected(bundle.error()));
    if (!saved) {
        QMessageBox::critical(m_window, tr("Cannot Export a Bundle"), saved.error().message);
        return;
    }
    m_window->statusBar()->showMessage(
        tr("Exported the signed bundle %1 (signer %2)")
            .arg(QFileInfo(path).fileName(), bundle->signerFingerprint.left(23)),
        15000);
}

} // namespace converge::views
