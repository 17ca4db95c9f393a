// MainWindow's files: the samples, recent designs, new / open / save, export and print, drag
// and drop, and crash recovery.
#include "mainwindow.h"

#include "core/io/designdocument.h"
#include "views/designer/designeractions.h"
#include "views/diagram/designscene.h"
#include "views/diagram/diagramexport.h"
#include "views/inspector/inspector.h"
#include "views/session/autosave.h"
#include "views/session/designsession.h"
#include "views/startpage.h"

#include <QApplication>
#include <QDir>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPrintDialog>
#include <QPrinter>
#include <QSettings>
#include <QStatusBar>
#include <QUndoStack>

namespace converge::views {

namespace {

const QString recentFilesKey = QStringLiteral("recentFiles");
const QString lastDirKey = QStringLiteral("lastDirectory");

QString suffix()
{
    return QLatin1String(core::designdocument::fileSuffix);
}

QString designFilter()
{
    return QObject::tr("Converge designs (*%1)").arg(suffix());
}

} // namespace

// The start page and the Samples menu show a sample's first sentence; the whole text is in
// the tooltip.
QString MainWindow::Sample::summary() const
{
    const qsizetype end = description.indexOf(QLatin1String(". "));
    QString sentence = end < 0 ? description : description.left(end + 1);
    if (sentence.size() > 180)
        sentence = sentence.left(177).trimmed() + QStringLiteral("\u2026");
    return sentence;
}

QList<MainWindow::Sample> MainWindow::samples()
{
    static const QStringList order{QStringLiteral("smb-basic"), QStringLiteral("smb-converged"),
                                   QStringLiteral("smb-iscsi-highperf"),
                                   QStringLiteral("multitenant-overlay"),
                                   QStringLiteral("broken-lab")};
    QList<Sample> out;
    const QDir dir(QStringLiteral(":/samples"));
    for (const QString &file : dir.entryList({QLatin1Char('*') + suffix()}, QDir::Files)) {
        QFile in(dir.filePath(file));
        const QJsonObject info = in.open(QIODevice::ReadOnly)
                                     ? QJsonDocument::fromJson(in.readAll()).object()
                                     : QJsonObject();
        const QString key = file.chopped(suffix().size());
        out.append({dir.filePath(file), key, info.value(QStringLiteral("name")).toString(key),
                    info.value(QStringLiteral("description")).toString()});
    }
    auto rank = [&](const Sample &s) {
        const qsizetype i = order.indexOf(s.key);
        return i < 0 ? order.size() : i;
    };
    std::ranges::stable_sort(out, {}, rank);
    return out;
}

QString MainWindow::designFileIn(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls()) {
        if (url.isLocalFile() && url.toLocalFile().endsWith(suffix(), Qt::CaseInsensitive))
            return url.toLocalFile();
    }
    return {};
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (designFileIn(event->mimeData()).isEmpty())
        event->ignore();
    else
        event->acceptProposedAction();
}

void MainWindow::dragMoveEvent(QDragMoveEvent *event)
{
    if (designFileIn(event->mimeData()).isEmpty())
        event->ignore();
    else
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = designFileIn(event->mimeData());
    if (path.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    openFile(path);
}

QStringList MainWindow::recentFiles() const
{
    return QSettings().value(recentFilesKey).toStringList();
}

void MainWindow::addRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > maxRecentFiles)
        files.removeLast();
    QSettings settings;
    settings.setValue(recentFilesKey, files);
    settings.setValue(lastDirKey, QFileInfo(absolute).absolutePath());
    refreshRecentFiles();
}

void MainWindow::openRecent(const QString &path)
{
    if (openFile(path) || QFileInfo::exists(path))
        return;
    QStringList files = recentFiles(); // a file that is gone leaves the list
    files.removeAll(path);
    QSettings().setValue(recentFilesKey, files);
    refreshRecentFiles();
}

void MainWindow::fillRecentMenu()
{
    // Filled when shown, so no action is deleted while it is being triggered.
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (qsizetype i = 0; i < files.size(); ++i) {
        QAction *action = m_recentMenu->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(files[i]).fileName()));
        action->setStatusTip(QDir::toNativeSeparators(files[i]));
        connect(action, &QAction::triggered, this, [this, path = files[i]] { openRecent(path); });
    }
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("No recent designs"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    connect(m_recentMenu->addAction(tr("&Clear Menu")), &QAction::triggered, this, [this] {
        QSettings().remove(recentFilesKey);
        refreshRecentFiles();
    });
}

void MainWindow::refreshRecentFiles()
{
    m_startPage->setRecentFiles(recentFiles());
}

void MainWindow::chooseFile()
{
    const QString dir = QSettings().value(lastDirKey, QDir::homePath()).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Design"), dir,
        tr("Converge designs (*%1);;JSON files (*.json);;All files (*)").arg(suffix()));
    if (!path.isEmpty())
        openFile(path);
}

bool MainWindow::isModified() const
{
    return m_session &&
           (!m_session->undoStack()->isClean() || m_designer->inspector()->hasPendingInput() ||
            (m_path.isEmpty() && !m_isSample && m_session->design().size() > 0));
}

bool MainWindow::confirmDiscard()
{
    m_designer->commitPendingInput();
    if (!isModified())
        return true;
    QMessageBox box(QMessageBox::Warning, tr("Unsaved Changes"),
                    tr("Save the changes to %1?")
                        .arg(m_path.isEmpty() ? tr("this design") : QFileInfo(m_path).fileName()),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("unsavedChangesBox"));
    box.setInformativeText(tr("If you don't save, the changes since the last save are lost."));
    box.setDefaultButton(QMessageBox::Save);
    switch (box.exec()) {
    case QMessageBox::Save:
        return save();
    case QMessageBox::Discard:
        return true;
    default:
        return false;
    }
}

void MainWindow::newDesign()
{
    if (!confirmDiscard())
        return;
    auto design = std::make_unique<core::Design>();
    design->setInfo({{QStringLiteral("name"), tr("New design")}});
    setDesign(std::move(design), {}, false);
    statusBar()->showMessage(tr("New design: add hosts from the palette or Insert > Host from "
                                "Wizard"),
                             8000);
}

bool MainWindow::newFromTemplate(const QString &resourcePath)
{
    if (!confirmDiscard())
        return false;
    auto loaded = core::designdocument::loadFile(resourcePath);
    if (!loaded) {
        reportError(resourcePath, loaded.error().message);
        return false;
    }
    setDesign(std::make_unique<core::Design>(std::move(*loaded)), {}, false);
    return true;
}

bool MainWindow::saveTo(const QString &path)
{
    if (!m_session)
        return false;
    m_designer->commitPendingInput();
    auto saved = core::designdocument::saveFile(m_session->design(), path);
    if (!saved) {
        m_lastError = saved.error().message;
        auto *box = new QMessageBox(QMessageBox::Critical, tr("Cannot Save Design"),
                                    tr("Could not save to %1.").arg(QDir::toNativeSeparators(path)),
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("saveErrorBox"));
        box->setInformativeText(saved.error().message +
                                tr("\n\nThe design is still open, with its changes."));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open(); // window-modal, never blocks the caller
        statusBar()->showMessage(tr("Could not save %1").arg(QFileInfo(path).fileName()), 10000);
        return false;
    }
    setFile(path, false);
    m_session->undoStack()->setClean();
    m_autosave->setOriginalPath(path);
    m_autosave->markClean();
    addRecentFile(path);
    updateTitle();
    statusBar()->showMessage(tr("Saved %1").arg(QFileInfo(path).fileName()), 8000);
    return true;
}

bool MainWindow::save()
{
    if (m_path.isEmpty()) {
        saveAs();
        return !m_path.isEmpty() && !isModified();
    }
    return saveTo(m_path);
}

void MainWindow::saveAs()
{
    if (!m_session)
        return;
    const QString dir = QSettings().value(lastDirKey, QDir::homePath()).toString();
    const QString name = m_session->design().info().value(QStringLiteral("name")).toString();
    QString path = QFileDialog::getSaveFileName(
        this, tr("Save Design"),
        QDir(dir).filePath((name.isEmpty() ? tr("design") : name) +
                           QLatin1String(core::designdocument::fileSuffix)),
        designFilter());
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(core::designdocument::fileSuffix)))
        path += QLatin1String(core::designdocument::fileSuffix);
    saveTo(path);
}

void MainWindow::exportPicture()
{
    if (!m_session)
        return;
    const QRectF selection = diagramexport::elementsRect(*m_scene, m_session->selection());
    const QString dir = QSettings().value(lastDirKey, QDir::homePath()).toString();
    const QString path = QFileDialog::getSaveFileName(
        this, selection.isEmpty() ? tr("Export Diagram") : tr("Export Selection"),
        QDir(dir).filePath(tr("diagram.png")),
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    statusBar()->showMessage(tr("Exporting %1\u2026").arg(QFileInfo(path).fileName()));
    QApplication::setOverrideCursor(Qt::WaitCursor); // seconds for a thousand hosts
    auto done = diagramexport::exportFile(*m_scene, selection, path);
    QApplication::restoreOverrideCursor();
    if (!done) {
        QMessageBox::critical(this, tr("Cannot Export"), done.error().message);
        return;
    }
    statusBar()->showMessage(tr("Exported %1").arg(QFileInfo(path).fileName()), 8000);
}

void MainWindow::printDiagram()
{
    if (!m_session)
        return;
    QPrinter printer(QPrinter::HighResolution);
    QRectF shown = diagramexport::elementsRect(*m_scene, m_session->selection());
    if (shown.isEmpty())
        shown = m_scene->itemsBoundingRect();
    // The page turned the way the drawing is (the dialog can still change it).
    printer.setPageOrientation(shown.width() > shown.height() ? QPageLayout::Landscape
                                                              : QPageLayout::Portrait);
    QPrintDialog dialog(&printer, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    diagramexport::print(*m_scene, diagramexport::elementsRect(*m_scene, m_session->selection()),
                         printer);
    QApplication::restoreOverrideCursor();
}

void MainWindow::offerRecovery(const QString &autosaveDirectory)
{
    m_autosaveDirectory = autosaveDirectory;
    const auto left = Autosave::recoverable(autosaveDirectory);
    if (left.isEmpty())
        return;
    const Autosave::Recoverable &last = left.front();
    auto *box =
        new QMessageBox(QMessageBox::Question, tr("Restore Unsaved Work?"),
                        tr("Converge did not close normally. Restore the unsaved changes "
                           "to %1 from %2?")
                            .arg(last.name.isEmpty() ? tr("a design") : last.name,
                                 QLocale().toString(last.savedAt, QLocale::ShortFormat)),
                        QMessageBox::Yes | QMessageBox::Discard | QMessageBox::Ignore, this);
    box->setObjectName(QStringLiteral("recoveryBox"));
    box->setInformativeText(
        tr("Discard deletes the autosave; Ignore keeps it for the next start."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, last](int answer) {
        if (answer == QMessageBox::Discard) {
            Autosave::discard(last);
            return;
        }
        if (answer != QMessageBox::Yes)
            return;
        auto design = Autosave::restore(last);
        if (!design) {
            reportError(last.storePath, design.error().message);
            return;
        }
        const bool file = QFileInfo(last.originalPath).isAbsolute();
        setDesign(std::move(*design), file ? last.originalPath : QString(), false);
        // The restored work is autosaved anew before the autosave it came from goes, so a
        // second crash before the next edit loses nothing.
        m_autosave->writeAllNow();
        if (m_autosave->waitForIdle() && QFileInfo::exists(m_autosave->storePath()))
            Autosave::discard(last);
        m_session->undoStack()->resetClean(); // restored work is not saved yet
        updateTitle();
        statusBar()->showMessage(tr("Restored unsaved work; save it to keep it"), 10000);
    });
    box->open();
}

} // namespace converge::views
