// MainWindow's designer parts: the palette and inspector docks, the Edit and Insert menus,
// new / save / export / print, and crash recovery.
#include "mainwindow.h"

#include "core/io/designdocument.h"
#include "core/model/newelements.h"
#include "views/deploy/deployactions.h"
#include "views/designer/addhostdialog.h"
#include "views/designer/editactions.h"
#include "views/designer/palettewidget.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/diagram/diagramexport.h"
#include "views/diagram/overviewmap.h"
#include "views/inspector/inspector.h"
#include "views/session/autosave.h"
#include "views/session/designsession.h"

#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPrintDialog>
#include <QPrinter>
#include <QSettings>
#include <QStatusBar>
#include <QTreeView>
#include <QUndoStack>

namespace converge::views {

namespace {

const QString lastDirKey = QStringLiteral("lastDirectory");

QString designFilter()
{
    return QObject::tr("Converge designs (*%1)")
        .arg(QLatin1String(core::designdocument::fileSuffix));
}

} // namespace

void MainWindow::createDesignerDocks()
{
    m_edit = new EditActions(m_scene, this);
    connect(m_edit, &EditActions::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_scene, &DesignScene::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });

    m_palette = new PaletteWidget;
    connect(m_palette, &PaletteWidget::addRequested, m_edit, &EditActions::addElement);
    auto *paletteDock = new QDockWidget(tr("Palette"), this);
    paletteDock->setObjectName(QStringLiteral("paletteDock"));
    paletteDock->setWidget(m_palette);
    addDockWidget(Qt::LeftDockWidgetArea, paletteDock);

    // Under the palette: the whole diagram with the part in sight; click or drag to go there.
    auto *overviewDock = new QDockWidget(tr("Overview"), this);
    overviewDock->setObjectName(QStringLiteral("overviewDock"));
    overviewDock->setWidget(new OverviewMap(m_view));
    addDockWidget(Qt::LeftDockWidgetArea, overviewDock);

    m_inspector = new Inspector;
    connect(m_inspector, &Inspector::findingActivated, this,
            [this](const QString &, const QStringList &ids) { showFindingElements(ids); });
    auto *inspectorDock = new QDockWidget(tr("Inspector"), this);
    inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    inspectorDock->setWidget(m_inspector);
    addDockWidget(Qt::RightDockWidgetArea, inspectorDock);
    resizeDocks({paletteDock, inspectorDock}, {220, 290}, Qt::Horizontal);
    if (auto *elements = findChild<QDockWidget *>(QStringLiteral("elementsDock")))
        resizeDocks({elements, paletteDock}, {300, 150}, Qt::Vertical);
    resizeDocks({overviewDock}, {200}, Qt::Vertical);
    if (auto *validation = findChild<QDockWidget *>(QStringLiteral("validationDock")))
        resizeDocks({validation}, {150}, Qt::Vertical);
}

void MainWindow::addDesignerMenus(QMenu *file, QMenu *edit)
{
    // File: New and New from Template first, Save, Save As, Export and Print after Open.
    QAction *first = file->actions().value(0);
    QAction *newAction = new QAction(tr("&New"), this);
    newAction->setShortcut(QKeySequence::New);
    connect(newAction, &QAction::triggered, this, &MainWindow::newDesign);
    file->insertAction(first, newAction);
    QMenu *templates = new QMenu(tr("New from &Template"), file);
    for (const Sample &sample : samples()) {
        QAction *action = templates->addAction(sample.name);
        action->setStatusTip(sample.summary());
        connect(action, &QAction::triggered, this,
                [this, path = sample.resourcePath] { newFromTemplate(path); });
    }
    file->insertMenu(first, templates);
    file->insertSeparator(first);

    QAction *close = file->actions().value(file->actions().indexOf(m_designActions.value(0)));
    const auto before = [&](const QString &text, const QList<QKeySequence> &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcuts(keys);
        connect(action, &QAction::triggered, this, slot);
        file->insertAction(close, action);
        m_designActions << action;
        return action;
    };
    before(tr("&Save"), {QKeySequence::Save}, &MainWindow::save);
    before(tr("Save &As\u2026"), {QKeySequence::SaveAs}, &MainWindow::saveAs);
    file->insertSeparator(close);
    before(tr("&Export Picture\u2026"), {QKeySequence(tr("Ctrl+E"))}, &MainWindow::exportPicture)
        ->setStatusTip(tr("The diagram, or the selection, as PNG, SVG or PDF"));
    before(tr("&Print\u2026"), {QKeySequence::Print}, &MainWindow::printDiagram);
    file->insertSeparator(close);

    edit->addActions({m_edit->undo, m_edit->redo});
    edit->addSeparator();
    edit->addActions({m_edit->cut, m_edit->copy, m_edit->paste, m_edit->duplicate, m_edit->remove});
    edit->addSeparator();
    edit->addActions({m_edit->selectAll, m_edit->arrange});
    // Delete acts where the selection is drawn and listed, not inside text fields.
    m_view->addActions({m_edit->remove, m_edit->duplicate});
    m_tree->addActions({m_edit->remove, m_edit->duplicate});

    QMenu *insert = menuBar()->addMenu(tr("&Insert"));
    QAction *host =
        insert->addAction(tr("&Host from Wizard\u2026"), this, &MainWindow::addHostWizard);
    host->setShortcut(QKeySequence(tr("Ctrl+Shift+H")));
    m_designActions << host;
    insert->addSeparator();
    for (int i = 0; i < m_palette->count(); ++i) {
        QListWidgetItem *entry = m_palette->item(i);
        QAction *action = insert->addAction(entry->icon(), entry->text());
        action->setStatusTip(entry->toolTip());
        connect(action, &QAction::triggered, this,
                [this, entry] { Q_EMIT m_palette->itemClicked(entry); });
        m_designActions << action;
    }
    m_designActions << m_edit->all();
}

bool MainWindow::isModified() const
{
    return m_session && (!m_session->undoStack()->isClean() || m_inspector->hasPendingInput() ||
                         (m_path.isEmpty() && !m_isSample && m_session->design().size() > 0));
}

void MainWindow::commitPendingInput()
{
    // A value being typed in the inspector is committed when its field loses focus: make it so
    // before saving or closing, so what the admin sees is what is saved.
    QWidget *focused = QApplication::focusWidget();
    if (focused && m_inspector && m_inspector->isAncestorOf(focused))
        focused->clearFocus();
}

bool MainWindow::confirmDiscard()
{
    commitPendingInput();
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
    commitPendingInput();
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
    m_path = path;
    m_isSample = false;
    m_samplePath.clear();
    m_deploy->setDesignFile(path);
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

void MainWindow::addHostWizard()
{
    if (!m_session)
        return;
    AddHostDialog dialog(m_session->design(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    auto edit = dialog.edit();
    if (!m_session->apply(edit))
        return;
    m_session->setSelection({edit->ops.front().element.id});
    statusBar()->showMessage(edit->description, 8000);
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
