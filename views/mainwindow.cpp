#include "mainwindow.h"

#include "core/io/designdocument.h"
#include "core/model/schema.h"
#include "views/deploy/deployactions.h"
#include "views/designer/designeractions.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/session/autosave.h"
#include "views/session/designsession.h"
#include "views/startpage.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#include <array>

namespace converge::views {

using core::ElementKind;

namespace {

const QString geometryKey = QStringLiteral("window/geometry");
const QString dockStateKey = QStringLiteral("window/docks");

// Status bar counts, in the order an administrator reads a design; the words are the kind
// table's (KindTexts::shortNoun, shortPlural).
constexpr ElementKind countedKinds[] = {
    ElementKind::Host,           ElementKind::PhysicalNic,    ElementKind::Team,
    ElementKind::VirtualSwitch,  ElementKind::VirtualMachine, ElementKind::VirtualNic,
    ElementKind::PhysicalSwitch, ElementKind::Link,           ElementKind::Vlan,
    ElementKind::Subnet,         ElementKind::VmNetwork,      ElementKind::StorageTarget,
};

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
    createDiagram();
    m_pages->addWidget(m_view);
    setCentralWidget(m_pages);
    m_designer = new DesignerActions(this, m_scene, m_view);
    m_deploy = new DeployActions(this);
    createMenus();
    createStatusBar();
    refreshRecentFiles();
    setDesign(nullptr, {}, false);
    restoreWindowState();
}

MainWindow::~MainWindow()
{
    // The views listen to the design: let go of it before it is destroyed.
    setDesign(nullptr, {}, false);
}

void MainWindow::createDiagram()
{
    m_scene = new DesignScene(this);
    m_view = new DesignView;
    m_view->setScene(m_scene);
    connect(m_scene, &DesignScene::rebuilt, this, [this] {
        if (!m_pendingReveal.isEmpty())
            m_view->reveal(m_scene->elementRect(std::exchange(m_pendingReveal, QString())));
    });
    connect(m_scene, &DesignScene::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_view, &DesignView::zoomChanged, this,
            [this](qreal zoom) { m_zoom->setText(tr("%1 %").arg(qRound(zoom * 100))); });
}

void MainWindow::createStatusBar()
{
    m_counts = new QLabel(this);
    m_zoom = new QLabel(this);
    statusBar()->addPermanentWidget(m_counts);
    statusBar()->addPermanentWidget(m_zoom);
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray())) {
        const QSize screen = this->screen() ? this->screen()->availableSize() : QSize(1280, 800);
        resize(std::min(1440, screen.width() * 9 / 10), std::min(900, screen.height() * 9 / 10));
    }
    restoreState(settings.value(dockStateKey).toByteArray());
}

void MainWindow::validateAfterFirstPaint()
{
    new AfterPaint(m_view->viewport(), [session = QPointer<DesignSession>(m_session)] {
        if (session)
            session->validateNow();
    });
}

core::Design *MainWindow::design() const
{
    return m_session ? &m_session->design() : nullptr;
}

EditActions *MainWindow::editActions() const
{
    return m_designer->editActions();
}

Inspector *MainWindow::inspector() const
{
    return m_designer->inspector();
}

PaletteWidget *MainWindow::palette() const
{
    return m_designer->palette();
}

DesignTreeModel *MainWindow::treeModel() const
{
    return m_designer->treeModel();
}

QTreeView *MainWindow::treeView() const
{
    return m_designer->treeView();
}

ValidationPanel *MainWindow::validationPanel() const
{
    return m_designer->validationPanel();
}

DriftPanel *MainWindow::driftPanel() const
{
    return m_deploy->driftPanel();
}

void MainWindow::setAgentConnector(std::shared_ptr<core::protocol::AgentConnector> agents)
{
    m_deploy->setAgentConnector(std::move(agents));
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
    m_designer->commitPendingInput(); // into the design it was typed for
    m_pendingReveal.clear();
    // Views first, so they never see the old design after it is gone; the autosave of a design
    // closed on purpose goes with it.
    DesignSession *session = design ? new DesignSession(std::move(design), this) : nullptr;
    m_designer->setSession(session);
    m_scene->setSession(session);
    m_view->setEditable(session != nullptr);
    m_deploy->setSession(session);
    delete std::exchange(m_autosave, nullptr);
    delete std::exchange(m_session, session);
    if (m_session)
        connectSession(path, sample);
    setFile(path, sample);
    m_pages->setCurrentIndex(m_session ? 1 : 0);
    for (QAction *action : std::as_const(m_designActions))
        action->setEnabled(bool(m_session));
    m_view->showOverview();
    updateTitle();
    updateCounts();
}

void MainWindow::connectSession(const QString &path, bool sample)
{
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

void MainWindow::setFile(const QString &path, bool sample)
{
    m_path = sample ? QString() : path; // a sample is saved elsewhere
    m_samplePath = sample ? path : QString();
    m_isSample = sample;
    m_deploy->setDesignFile(m_path);
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

// The menu bar: File, Edit, Insert, View, Deploy, Capture, Help.
void MainWindow::createMenus()
{
    QMenu *file = createFileMenu();
    m_designer->addMenus();
    createViewMenu();
    m_deploy->addMenus(file);
    createCaptureMenu();
    createHelpMenu();
    m_designActions << m_designer->designActions() << m_deploy->designActions();
}

QMenu *MainWindow::createFileMenu()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    const auto add = [&](const QString &text, const QList<QKeySequence> &keys, auto slot) {
        QAction *action = file->addAction(text);
        action->setShortcuts(keys);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    add(tr("&New"), {QKeySequence::New}, &MainWindow::newDesign);
    addSampleActions(file->addMenu(tr("New from &Template")), &MainWindow::newFromTemplate);
    file->addSeparator();
    add(tr("&Open\u2026"), {QKeySequence::Open}, &MainWindow::chooseFile);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    addSampleActions(file->addMenu(tr("&Samples")), &MainWindow::openSample);
    file->addSeparator();
    m_designActions << add(tr("&Save"), {QKeySequence::Save}, &MainWindow::save)
                    << add(tr("Save &As\u2026"), {QKeySequence::SaveAs}, &MainWindow::saveAs);
    file->addSeparator();
    QAction *picture =
        add(tr("&Export Picture\u2026"), {QKeySequence(tr("Ctrl+E"))}, &MainWindow::exportPicture);
    picture->setStatusTip(tr("The diagram, or the selection, as PNG, SVG or PDF"));
    m_designActions << picture
                    << add(tr("&Print\u2026"), {QKeySequence::Print}, &MainWindow::printDiagram);
    file->addSeparator();
    m_designActions << add(tr("&Close"), {QKeySequence::Close}, &MainWindow::closeDesign);
    file->addSeparator();
    add(tr("&Quit"), {QKeySequence::Quit}, &QWidget::close);
    return file;
}

// One action per bundled sample, which `opener` opens (or copies).
void MainWindow::addSampleActions(QMenu *menu, bool (MainWindow::*opener)(const QString &))
{
    for (const Sample &sample : samples()) {
        QAction *action = menu->addAction(sample.name);
        action->setStatusTip(sample.summary());
        connect(action, &QAction::triggered, this,
                [this, opener, path = sample.resourcePath] { (this->*opener)(path); });
    }
}

void MainWindow::createViewMenu()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));
    const auto add = [&](const QString &text, const QList<QKeySequence> &keys,
                         void (DesignView::*zoom)()) {
        QAction *action = view->addAction(text);
        action->setShortcuts(keys);
        connect(action, &QAction::triggered, this, [this, zoom] { (m_view->*zoom)(); });
        m_designActions << action;
    };
    add(tr("&Fit to Window"), {QKeySequence(tr("Ctrl+0"))}, &DesignView::fitToWindow);
    add(tr("Zoom &In"), {QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))}, &DesignView::zoomIn);
    add(tr("Zoom &Out"), {QKeySequence::ZoomOut}, &DesignView::zoomOut);
    add(tr("&Actual Size"), {QKeySequence(tr("Ctrl+1"))}, &DesignView::resetZoom);
    view->addSeparator();
    m_designer->addDockToggles(view);
    if (auto *drift = findChild<QDockWidget *>(QStringLiteral("driftDock")))
        view->addAction(drift->toggleViewAction());
}

void MainWindow::createHelpMenu()
{
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    connect(help->addAction(tr("&About Converge")), &QAction::triggered, this,
            &MainWindow::showAbout);
    connect(help->addAction(tr("About &Qt")), &QAction::triggered, this,
            [] { QApplication::aboutQt(); });
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
    for (ElementKind kind : countedKinds) {
        const int n = counts[std::size_t(kind)];
        const core::KindTexts &texts = core::kindTexts(kind);
        if (n > 0)
            parts << QStringLiteral("%1 %2").arg(n).arg(n == 1 ? texts.shortNoun
                                                               : texts.shortPlural);
    }
    m_counts->setText(parts.join(QStringLiteral(" \u00b7 ")));
}

void MainWindow::selectionChanged(const QStringList &ids)
{
    // The tree follows by itself (DesignerActions); the diagram scrolls to what was selected
    // elsewhere, but a click on the drawing must not scroll it away.
    if (!m_scene->isInteracting())
        revealWhenDrawn(ids.value(0));
}

void MainWindow::revealWhenDrawn(const QString &id)
{
    // Something just added (pasted, duplicated) is drawn at the scene's next update.
    const QRectF rect = m_scene->elementRect(id);
    m_pendingReveal = rect.isNull() ? id : QString();
    m_view->reveal(rect);
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
