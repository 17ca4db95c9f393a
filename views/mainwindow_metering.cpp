// The main window's metering: the Metering menu, "Show Metering" on the diagram's and the tree's
// context menus, and the dock of charts (views/metering).
#include "mainwindow.h"

#include "core/metering/entities.h"
#include "core/metering/report.h"
#include "views/diagram/designview.h"
#include "views/metering/alertsview.h"
#include "views/metering/meteringdock.h"
#include "views/metering/reportdialog.h"
#include "views/session/designsession.h"

#include <QDockWidget>
#include <QMenuBar>
#include <QStatusBar>
#include <QTreeView>

namespace converge::views {

void MainWindow::setMetering(core::metering::MetricsSource *local, const QString &localHost)
{
    if (m_meteringDock && m_localMetering)
        m_meteringDock->closePanelsOf(m_localMetering);
    m_localMetering = local;
    m_localHost = localHost;
    if (!m_meteringDock) {
        m_meteringDock = new metering::MeteringDock(local, this);
        addDockWidget(Qt::BottomDockWidgetArea, m_meteringDock);
        // Beside Validation, in front at first: live charts are what a newcomer sees moving.
        if (auto *validation = findChild<QDockWidget *>(QStringLiteral("validationDock")))
            tabifyDockWidget(validation, m_meteringDock);
        resizeDocks({m_meteringDock}, {320}, Qt::Vertical);
        m_alertsModel = new metering::AlertsModel(this);
        auto *alerts = new QDockWidget(tr("Alerts"), this);
        alerts->setObjectName(QStringLiteral("alertsDock"));
        alerts->setWidget(new metering::AlertsView(m_alertsModel));
        addDockWidget(Qt::BottomDockWidgetArea, alerts);
        tabifyDockWidget(m_meteringDock, alerts);
        m_meteringDock->raise();
        createMeteringMenu();
    }
    m_meteringDock->openMeteringFor(local, localHost, {}, tr("This machine (%1)").arg(localHost));
}

void MainWindow::setProjectMetering(core::metering::MetricsSource *project)
{
    if (m_meteringDock && m_projectMetering && m_projectMetering != project)
        m_meteringDock->closePanelsOf(m_projectMetering);
    m_projectMetering = project;
}

// Before Help: Show Metering (Ctrl+M, also on the diagram's and the tree's context menus),
// This Machine, and the dock's toggle.
void MainWindow::createMeteringMenu()
{
    auto *menu = new QMenu(tr("&Metering"), this);
    const QList<QAction *> bar = menuBar()->actions();
    menuBar()->insertMenu(bar.isEmpty() ? nullptr : bar.last(), menu);
    QAction *show = menu->addAction(tr("Show &Metering"));
    show->setShortcut(QKeySequence(tr("Ctrl+M")));
    show->setStatusTip(tr("Charts of the selected host, VM, vNIC, NIC or resource pool"));
    connect(show, &QAction::triggered, this, [this] { showMeteringForSelection(); });
    QAction *local = menu->addAction(tr("&This Machine"));
    connect(local, &QAction::triggered, this, [this] {
        m_meteringDock->openMeteringFor(m_localMetering, m_localHost, {},
                                        tr("This machine (%1)").arg(m_localHost));
    });
    QAction *report = menu->addAction(tr("Resource Metering &Report\u2026"));
    report->setShortcut(QKeySequence(tr("Ctrl+Shift+M")));
    report->setStatusTip(tr("Per VM and resource pool over a period, as Hyper-V meters them"));
    connect(report, &QAction::triggered, this, [this] { openMeteringReport(); });
    m_designActions << report;
    menu->addSeparator();
    menu->addAction(m_meteringDock->toggleViewAction());
    if (auto *alerts = findChild<QDockWidget *>(QStringLiteral("alertsDock")))
        menu->addAction(alerts->toggleViewAction());
    for (QWidget *w : {static_cast<QWidget *>(m_view), static_cast<QWidget *>(treeView())}) {
        if (!w)
            continue;
        w->addAction(show);
        w->setContextMenuPolicy(Qt::ActionsContextMenu);
    }
}

QDialog *MainWindow::openMeteringReport()
{
    auto *totals = dynamic_cast<core::metering::TotalsSource *>(
        m_projectMetering ? m_projectMetering : m_localMetering);
    if (!design() || !totals)
        return nullptr;
    auto *dialog = new metering::ReportDialog(*design(), totals, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->show();
    return dialog;
}

bool MainWindow::showMeteringForSelection()
{
    const core::Design *d = design();
    const QStringList selected = m_session ? m_session->selection() : QStringList{};
    const core::Element *element = d && !selected.isEmpty() ? d->find(selected.first()) : nullptr;
    const auto target = element ? core::metering::meteredEntity(*d, *element) : std::nullopt;
    if (!target || !m_meteringDock) {
        statusBar()->showMessage(tr("Select a host, VM, vNIC or NIC to see its metering"), 5000);
        return false;
    }
    core::metering::MetricsSource *source = m_projectMetering ? m_projectMetering : m_localMetering;
    m_meteringDock->openMeteringFor(source, target->host, target->entity, target->title,
                                    target->members);
    return true;
}

} // namespace converge::views
