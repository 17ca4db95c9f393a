#include "mainwindow.h"

#include "core/io/designdocument.h"
#include "views/deploy/deployactions.h"
#include "views/designer/editactions.h"
#include "views/designer/palettewidget.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/inspector/inspector.h"
#include "views/session/autosave.h"
#include "views/session/designsession.h"
#include "views/startpage.h"
#include "views/tree/designtreemodel.h"
#include "views/validation/validationpanel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QTreeView>
#include <QUndoStack>

#include <array>

namespace converge::views {

using core::ElementKind;

namespace {

const QString recentFilesKey = QStringLiteral("recentFiles");
const QString lastDirKey = QStringLiteral("lastDirectory");
const QString geometryKey = QStringLiteral("window/geometry");
const QString dockStateKey = QStringLiteral("window/docks");

QString suffix()
{
    return QLatin1String(core::designdocument::fileSuffix);
}

// Status bar counts, in the order an administrator reads a design.
struct CountLabel
{
    ElementKind kind;
    const char *one;
    const char *many;
};
constexpr CountLabel countLabels[] = {
    {ElementKind::Host, "host", "hosts"},
    {ElementKind::PhysicalNic, "NIC", "NICs"},
    {ElementKind::Team, "team", "teams"},
    {ElementKind::VirtualSwitch, "vSwitch", "vSwitches"},
    {ElementKind::VirtualMachine, "VM", "VMs"},
    {ElementKind::VirtualNic, "vNIC", "vNICs"},
    {ElementKind::PhysicalSwitch, "physical switch", "physical switches"},
    {ElementKind::Link, "link", "links"},
    {ElementKind::Vlan, "VLAN", "VLANs"},
    {ElementKind::Subnet, "subnet", "subnets"},
    {ElementKind::VmNetwork, "VM network", "VM networks"},
    {ElementKind::StorageTarget, "storage target", "storage targets"},
};

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setAcceptDrops(true);
    m_pages = new QStackedWidget(this);
    m_startPage = new StartPage(samples());
    connect(m_startPage, &StartPage::openClicked, this, &MainWindow::chooseFile);
    connect(m_startPage, &StartPage::sampleChosen, this, &MainWindow::openSample);
    connect(m_startPage, &StartPage::recentChosen, this, &MainWindow::openRecent);
    m_pages->addWidget(m_startPage);
    m_pages->addWidget(createDesignPage());
    setCentralWidget(m_pages);
    createValidationDock();
    createDesignerDocks();
    m_deploy = new DeployActions(this);
    createMenus();
    m_counts = new QLabel(this);
    m_zoom = new QLabel(this);
    statusBar()->addPermanentWidget(m_counts);
    statusBar()->addPermanentWidget(m_zoom);
    refreshRecentFiles();
    setDesign(nullptr, {}, false);

    QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray())) {
        const QSize screen = this->screen() ? this->screen()->availableSize() : QSize(1280, 800);
        resize(std::min(1440, screen.width() * 9 / 10), std::min(900, screen.height() * 9 / 10));
    }
    restoreState(settings.value(dockStateKey).toByteArray());
}

MainWindow::~MainWindow()
{
    // The views listen to the design: let go of it before it is destroyed.
    setDesign(nullptr, {}, false);
}

namespace {

// Calls `then` from the event loop once `widget` has painted (once).
class AfterPaint : public QObject
{
public:
    AfterPaint(QWidget *widget, std::function<void()> then)
        : QObject(widget)
        , m_then(std::move(then))
    {
        widget->installEventFilter(this);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint) {
            watched->removeEventFilter(this);
            QTimer::singleShot(0, this, [this] {
                m_then();
                deleteLater();
            });
        }
        return false;
    }

private:
    std::function<void()> m_then;
};

} // namespace

void MainWindow::validateAfterFirstPaint()
{
    new AfterPaint(m_view->viewport(), [session = QPointer<DesignSession>(m_session)] {
        if (session)
            session->validateNow();
    });
}

DriftPanel *MainWindow::driftPanel() const
{
    return m_deploy->driftPanel();
}

QDialog *MainWindow::openDeployDialog(const QStringList &hosts)
{
    return m_deploy->openDeployDialog(hosts);
}

QDialog *MainWindow::openFleetDialog()
{
    return m_deploy->openFleetDialog();
}

QDialog *MainWindow::openHistoryDialog()
{
    return m_deploy->openHistoryDialog();
}

void MainWindow::checkDrift()
{
    m_deploy->checkDrift();
}

core::Design *MainWindow::design() const
{
    return m_session ? &m_session->design() : nullptr;
}

bool MainWindow::openFile(const QString &path)
{
    return open(path, false);
}

bool MainWindow::openSample(const QString &resourcePath)
{
    return open(resourcePath, true);
}

void MainWindow::closeDesign()
{
    if (confirmDiscard())
        setDesign(nullptr, {}, false);
}

bool MainWindow::isStartPageShown() const
{
    return m_pages->currentIndex() == 0;
}

bool MainWindow::open(const QString &path, bool sample)
{
    if (!confirmDiscard())
        return false;
    QElapsedTimer timer;
    timer.start();
    auto loaded = core::designdocument::loadFile(path);
    if (!loaded) {
        reportError(path, loaded.error().message);
        return false;
    }
    setDesign(std::make_unique<core::Design>(std::move(*loaded)), path, sample);
    if (!sample)
        addRecentFile(path);
    statusBar()->showMessage(
        tr("Opened %1 in %2 ms").arg(QFileInfo(path).fileName()).arg(timer.elapsed()), 8000);
    Q_EMIT designOpened(path);
    return true;
}

void MainWindow::setDesign(std::unique_ptr<core::Design> design, const QString &path, bool sample)
{
    commitPendingInput(); // into the design it was typed for
    m_pendingReveal.clear();
    // Views first, so they never see the old design after it is gone; the autosave of a design
    // closed on purpose goes with it.
    DesignSession *session = design ? new DesignSession(std::move(design), this) : nullptr;
    m_treeModel->setDesign(session ? &session->design() : nullptr);
    m_scene->setSession(session);
    m_view->setEditable(session != nullptr);
    m_validation->setSession(session);
    m_inspector->setSession(session);
    m_edit->setSession(session);
    m_deploy->setSession(session);
    delete std::exchange(m_autosave, nullptr);
    delete std::exchange(m_session, session);
    if (m_session) {
        // Title and counts follow each edit at once (both are cheap).
        m_session->design().addListener([this](const auto &) {
            updateTitle();
            updateCounts();
        });
        connect(m_session->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
        connect(m_session, &DesignSession::selectionChanged, this, &MainWindow::selectionChanged);
        connect(m_session, &DesignSession::editFailed, this, [this](const QString &message) {
            statusBar()->showMessage(tr("Not changed: %1").arg(message), 10000);
        });
        if (!m_session->isValidated()) // a big design: drawn first, validated after that
            validateAfterFirstPaint();
        m_autosave =
            new Autosave(m_session, sample ? QFileInfo(path).completeBaseName() : path, m_session);
        if (!m_autosaveDirectory.isEmpty())
            m_autosave->setDirectory(m_autosaveDirectory);
        connect(m_autosave, &Autosave::failed, this, [this](const QString &message) {
            statusBar()->showMessage(tr("Autosave failed, retrying: %1").arg(message), 15000);
        });
    }
    m_path = sample ? QString() : path; // a sample is saved elsewhere
    m_samplePath = sample ? path : QString();
    m_isSample = sample;
    m_deploy->setDesignFile(m_path);
    m_pages->setCurrentIndex(m_session ? 1 : 0);
    for (QAction *action : std::as_const(m_designActions))
        action->setEnabled(bool(m_session));
    if (m_session)
        m_tree->expandToDepth(m_session->design().size() < 400 ? 1 : 0);
    m_view->showOverview();
    updateTitle();
    updateCounts();
}

void MainWindow::reportError(const QString &path, const QString &message)
{
    m_lastError = message;
    auto *box = new QMessageBox(QMessageBox::Critical, tr("Cannot Open Design"),
                                tr("Could not open %1.").arg(QFileInfo(path).fileName()),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("openErrorBox"));
    box->setInformativeText(message + QStringLiteral("\n\n") +
                            tr("Nothing was loaded from this file."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, never blocks the caller
    statusBar()->showMessage(tr("Could not open %1").arg(QFileInfo(path).fileName()), 8000);
    Q_EMIT openFailed(path, message);
}

void MainWindow::createMenus()
{
    auto add = [this](QMenu *menu, const QString &text, const QList<QKeySequence> &keys,
                      auto slot) {
        QAction *action = menu->addAction(text);
        action->setShortcuts(keys);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    add(file, tr("&Open\u2026"), {QKeySequence::Open}, &MainWindow::chooseFile);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    QMenu *samplesMenu = file->addMenu(tr("&Samples"));
    for (const Sample &sample : samples()) {
        QAction *action = add(samplesMenu, sample.name, {},
                              [this, path = sample.resourcePath] { openSample(path); });
        action->setStatusTip(sample.summary());
    }
    file->addSeparator();
    m_designActions << add(file, tr("&Close"), {QKeySequence::Close}, &MainWindow::closeDesign);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    addDesignerMenus(file, edit);
    file->addSeparator();
    add(file, tr("&Quit"), {QKeySequence::Quit}, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    m_designActions << add(view, tr("&Fit to Window"), {QKeySequence(tr("Ctrl+0"))}, [this] {
        m_view->fitToWindow();
    }) << add(view, tr("Zoom &In"), {QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))}, [this] {
        m_view->zoomIn();
    }) << add(view, tr("Zoom &Out"), {QKeySequence::ZoomOut}, [this] {
        m_view->zoomOut();
    }) << add(view, tr("&Actual Size"), {QKeySequence(tr("Ctrl+1"))}, [this] {
        m_view->resetZoom();
    });
    view->addSeparator();
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("validationDock"))) {
        QAction *toggle = dock->toggleViewAction();
        toggle->setShortcut(QKeySequence(Qt::Key_F8));
        view->addAction(toggle);
    }
    for (const char *name :
         {"elementsDock", "paletteDock", "inspectorDock", "overviewDock", "driftDock"}) {
        if (auto *dock = findChild<QDockWidget *>(QLatin1String(name)))
            view->addAction(dock->toggleViewAction());
    }

    m_deploy->addMenus(file);
    m_designActions << m_deploy->designActions();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("&About Converge"), {}, &MainWindow::showAbout);
    add(help, tr("About &Qt"), {}, [] { QApplication::aboutQt(); });
}

QWidget *MainWindow::createDesignPage()
{
    m_treeModel = new DesignTreeModel(this);
    m_tree = new QTreeView;
    // Connected before the view is: removing rows (a delete, an undo) moves the current row by
    // itself: that is no choice of the admin's and selects nothing.
    connect(m_treeModel, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this] { m_treeChanging = true; });
    connect(m_treeModel, &QAbstractItemModel::rowsRemoved, this,
            [this] { m_treeChanging = false; });
    connect(m_treeModel, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_treeChanging = true; });
    connect(m_treeModel, &QAbstractItemModel::modelReset, this, [this] { m_treeChanging = false; });
    m_tree->setModel(m_treeModel);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->header()->resizeSection(DesignTreeModel::NameColumn, 140);
    m_tree->header()->resizeSection(DesignTreeModel::KindColumn, 100);
    // Group rows ("Hosts (2)") span the columns.
    auto spanGroups = [this] {
        for (int row = 0; row < m_treeModel->rowCount(); ++row)
            m_tree->setFirstColumnSpanned(row, {}, true);
    };
    connect(m_treeModel, &QAbstractItemModel::modelReset, this, spanGroups);
    connect(m_treeModel, &QAbstractItemModel::rowsInserted, this, spanGroups);
    m_scene = new DesignScene(this);
    m_view = new DesignView;
    m_view->setScene(m_scene);
    // The tree is a dock (with the palette under it), so the diagram gets the centre.
    auto *treeDock = new QDockWidget(tr("Elements"), this);
    treeDock->setObjectName(QStringLiteral("elementsDock"));
    treeDock->setWidget(m_tree);
    addDockWidget(Qt::LeftDockWidgetArea, treeDock);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::showSelectedInDiagram);
    // A click selects its row alone, also a row that is already current.
    connect(m_tree, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        const QString id = m_treeModel->idForIndex(index);
        if (m_session && !id.isEmpty())
            m_session->setSelection({id});
    });
    connect(m_scene, &DesignScene::rebuilt, this, [this] {
        if (!m_pendingReveal.isEmpty())
            m_view->reveal(m_scene->elementRect(std::exchange(m_pendingReveal, QString())));
    });
    connect(m_view, &DesignView::zoomChanged, this,
            [this](qreal zoom) { m_zoom->setText(tr("%1 %").arg(qRound(zoom * 100))); });
    return m_view;
}

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

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!confirmDiscard()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(dockStateKey, saveState());
    settings.setValue(geometryKey, saveGeometry());
    event->accept();
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

void MainWindow::updateTitle()
{
    if (!m_session) {
        setWindowModified(false);
        setWindowTitle(tr("Converge"));
        return;
    }
    const QString name = m_session->design().info().value(QStringLiteral("name")).toString();
    QString file = m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName();
    if (m_isSample)
        file = tr("%1 (sample)").arg(QFileInfo(m_samplePath).fileName());
    setWindowModified(isModified());
    setWindowTitle(name.isEmpty() ? tr("%1[*] \u2014 Converge").arg(file)
                                  : tr("%1 \u2014 %2[*] \u2014 Converge").arg(name, file));
}

void MainWindow::updateCounts()
{
    if (!m_session) {
        m_counts->clear();
        return;
    }
    std::array<int, core::allElementKinds.size()> counts{};
    for (core::ElementKind kind : core::allElementKinds)
        counts[std::size_t(kind)] = int(m_session->design().count(kind));
    QStringList parts;
    for (const CountLabel &label : countLabels) {
        const int n = counts[std::size_t(label.kind)];
        if (n > 0)
            parts << QStringLiteral("%1 %2").arg(n).arg(
                QLatin1String(n == 1 ? label.one : label.many));
    }
    m_counts->setText(parts.join(QStringLiteral(" \u00b7 ")));
}

void MainWindow::showSelectedInDiagram()
{
    const QString id = m_treeModel->idForIndex(m_tree->currentIndex());
    if (m_session && !m_syncingTree && !m_treeChanging && !id.isEmpty() &&
        m_session->selection() != QStringList{id})
        m_session->setSelection({id}); // selectionChanged() reveals it
}

void MainWindow::selectionChanged(const QStringList &ids)
{
    // The tree follows the drawing (and the validation panel, the inspector); the diagram
    // scrolls to what was selected elsewhere.
    const QString first = ids.value(0);
    if (!first.isEmpty() && m_treeModel->idForIndex(m_tree->currentIndex()) != first) {
        m_syncingTree = true;
        selectInTree(first);
        m_syncingTree = false;
    }
    if (!m_scene->isInteracting()) // a click on the drawing must not scroll it away
        revealWhenDrawn(first);
}

void MainWindow::revealWhenDrawn(const QString &id)
{
    // Something just added (pasted, duplicated) is drawn at the scene's next update.
    const QRectF rect = m_scene->elementRect(id);
    m_pendingReveal = rect.isNull() ? id : QString();
    m_view->reveal(rect);
}

void MainWindow::createValidationDock()
{
    m_validation = new ValidationPanel(this);
    auto *dock = new QDockWidget(tr("Validation"), this);
    dock->setObjectName(QStringLiteral("validationDock"));
    dock->setWidget(m_validation);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    connect(m_validation, &ValidationPanel::elementsSelected, this,
            &MainWindow::showFindingElements);
    connect(m_validation, &ValidationPanel::findingsChanged, this,
            [dock](int errors, int warnings, int infos) {
                dock->setWindowTitle(tr("Validation: %1 errors, %2 warnings, %3 info")
                                         .arg(errors)
                                         .arg(warnings)
                                         .arg(infos));
            });
    connect(m_validation, &ValidationPanel::quickFixApplied, this, [this](const QString &title) {
        statusBar()->showMessage(tr("Applied quick fix: %1").arg(title), 8000);
    });
}

void MainWindow::showFindingElements(const QStringList &ids)
{
    // The finding's elements become the selection: tree, diagram and inspector show them.
    if (m_session)
        m_session->setSelection(ids);
}

void MainWindow::selectInTree(const QString &id)
{
    const QModelIndex index = m_treeModel->indexForId(id);
    if (!index.isValid())
        return;
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
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

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Converge"),
        tr("<h3>Converge %1</h3><p>Draw, validate and deploy the networks of virtualization "
           "hosts: NICs, teams, virtual switches, VMs and their vNICs, physical switches and "
           "cables.</p><p>Built with Qt %2.</p>")
            .arg(QStringLiteral(CONVERGE_VERSION), QLatin1String(qVersion())));
}

} // namespace converge::views
