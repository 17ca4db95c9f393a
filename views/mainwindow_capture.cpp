// The main window's captures: the Capture menu, whose Open Capture File opens a pcap or pcapng
// in a capture window of its own (views/capture), as Wireshark opens one per file.
#include "mainwindow.h"

#include "views/capture/capturewindow.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace converge::views {

void MainWindow::createCaptureMenu()
{
    QMenu *menu = menuBar()->addMenu(tr("&Capture"));
    QAction *open = menu->addAction(tr("&Open Capture File\u2026"));
    open->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    open->setStatusTip(tr("Read a pcap or pcapng file: packet list, protocol tree and bytes"));
    connect(open, &QAction::triggered, this, [this] { chooseCaptureFile(); });
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

} // namespace converge::views
