// The main window's captures: the Capture menu, whose Open Capture File opens a pcap or pcapng
// in a capture window of its own (views/capture), as Wireshark opens one per file.
#include "mainwindow.h"

#include "collectors/console/fleet.h"
#include "core/model/newelements.h"
#include "core/realize/desiredstate.h"
#include "views/capture/captureoptionsdialog.h"
#include "views/capture/capturewindow.h"
#include "views/capture/livecapture.h"
#include "views/deploy/deployactions.h"
#include "views/diagram/designview.h"
#include "views/session/designsession.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTreeView>

namespace converge::views {

void MainWindow::createCaptureMenu()
{
    QMenu *menu = menuBar()->addMenu(tr("&Capture"));
    QAction *open = menu->addAction(tr("&Open Capture File\u2026"));
    open->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    open->setStatusTip(tr("Read a pcap or pcapng file: packet list, protocol tree and bytes"));
    connect(open, &QAction::triggered, this, [this] { chooseCaptureFile(); });
    QAction *live = menu->addAction(tr("&Capture This vNIC\u2026"));
    live->setObjectName(QStringLiteral("captureSelectionAction"));
    live->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    live->setStatusTip(tr("Capture the selected vNIC or mirror session live through its "
                          "host's agent"));
    connect(live, &QAction::triggered, this, [this] { captureSelection(); });
    m_designActions << live;
    for (QWidget *w : {static_cast<QWidget *>(m_view), static_cast<QWidget *>(treeView())}) {
        if (!w)
            continue;
        w->addAction(live);
        w->setContextMenuPolicy(Qt::ActionsContextMenu);
    }
}

void MainWindow::chooseCaptureFile()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Capture File"), {},
                                     tr("Capture files (*.pcapng *.pcap *.cap);;All files (*)"));
    if (!path.isEmpty())
        openCaptureFile(path);
}

capture::CaptureWindow *MainWindow::openCaptureFile(const QString &path, bool follow)
{
    QString error;
    // A top-level window of its own, closed with the main window.
    capture::CaptureWindow *window = capture::CaptureWindow::openFile(path, follow, this, &error);
    if (window)
        return window;
    m_lastError = error;
    auto *box = new QMessageBox(QMessageBox::Critical, tr("Cannot Open Capture"),
                                tr("Could not open %1.").arg(QFileInfo(path).fileName()),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("captureErrorBox"));
    box->setInformativeText(error);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, never blocks the caller
    statusBar()->showMessage(tr("Could not open %1").arg(QFileInfo(path).fileName()), 8000);
    return nullptr;
}

namespace {

// The selected vNIC (a VM with one vNIC stands for it) or mirror session.
const core::Element *capturable(const core::Design &design, const core::Element *e)
{
    if (e && e->kind == core::ElementKind::VirtualMachine) {
        const auto vnics = design.children(e->id, core::ElementKind::VirtualNic);
        e = vnics.size() == 1 ? vnics.front() : nullptr;
    }
    if (e &&
        (e->kind == core::ElementKind::VirtualNic || e->kind == core::ElementKind::MirrorSession))
        return e;
    return nullptr;
}

} // namespace

capture::LiveCapture *MainWindow::captureSelection(bool skipOptions)
{
    const auto refuse = [this](const QString &why) -> capture::LiveCapture * {
        m_lastError = why;
        statusBar()->showMessage(why, 8000);
        return nullptr;
    };
    const core::Design *d = design();
    const QStringList selected = m_session ? m_session->selection() : QStringList{};
    const core::Element *element =
        d && !selected.isEmpty() ? capturable(*d, d->find(selected.first())) : nullptr;
    const core::Element *host = element ? core::hostOf(*d, *element) : nullptr;
    if (!element || !host)
        return refuse(tr("Select a vNIC or a mirror session to capture"));
    const QString file = m_deploy->designFile();
    auto store = collectors::openFleetStore(file, *d, collectors::StoreMode::Existing);
    if (file.isEmpty() || !store)
        return refuse(tr("%1 has no enrolled agent: save the design and enroll it (Deploy > "
                         "Fleet)")
                          .arg(host->name()));
    const auto hosts = collectors::fleetHosts(*d, &*store);
    const auto fleetHost = std::ranges::find(hosts, host->id, &collectors::FleetHost::id);
    if (fleetHost == hosts.end() || fleetHost->status != collectors::FleetHost::Status::Ready)
        return refuse(
            tr("%1 has no enrolled agent to capture through (Deploy > Fleet)").arg(host->name()));
    auto desired = core::realize::desiredState(*d, host->id);
    if (!desired)
        return refuse(desired.error().message);
    const core::protocol::AgentEndpoint agent = fleetHost->endpoint();
    const collectors::DeployTarget target{host->name(), agent.address, agent.fingerprint, *desired};
    QStringList vms;
    for (const core::Element *vm : d->children(host->id, core::ElementKind::VirtualMachine))
        vms << vm->name();
    capture::CaptureOptionsDialog options(core::describe(*element), vms, this);
    if (!skipOptions && options.exec() != QDialog::Accepted)
        return nullptr;
    collectors::CaptureChoice choice = options.choice();
    (element->kind == core::ElementKind::MirrorSession ? choice.mirror : choice.vnic) = element->id;
    auto resolved = collectors::resolveCapture(*d, target, choice);
    if (!resolved)
        return refuse(resolved.error().message);
    QString error;
    auto *live = capture::LiveCapture::start(m_deploy->agentConnector(), resolved->agent,
                                             resolved->request, resolved->title, this, &error);
    return live ? live : refuse(error);
}

} // namespace converge::views
