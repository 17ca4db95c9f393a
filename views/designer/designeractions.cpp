#include "designeractions.h"

#include "views/designer/addhostdialog.h"
#include "views/designer/editactions.h"
#include "views/designer/palettewidget.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/diagram/overviewmap.h"
#include "views/inspector/inspector.h"
#include "views/session/designsession.h"
#include "views/tree/designtreemodel.h"
#include "views/validation/validationpanel.h"

#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTreeView>

namespace converge::views {

DesignerActions::DesignerActions(QMainWindow *window, DesignScene *scene, DesignView *view)
    : QObject(window)
    , m_window(window)
    , m_scene(scene)
    , m_view(view)
{
    createTreeDock();
    createValidationDock();
    createEditingDocks();
    sizeDocks();
}

QDockWidget *DesignerActions::addDock(const QString &title, const char *name, QWidget *widget,
                                      Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, m_window);
    dock->setObjectName(QLatin1String(name));
    dock->setWidget(widget);
    m_window->addDockWidget(area, dock);
    return dock;
}

void DesignerActions::createTreeDock()
{
    m_treeModel = new DesignTreeModel(m_window);
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
    // The tree is a dock (with the palette under it), so the diagram gets the centre.
    m_elementsDock = addDock(tr("Elements"), "elementsDock", m_tree, Qt::LeftDockWidgetArea);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &DesignerActions::showSelectedInDiagram);
    // A click selects its row alone, also a row that is already current.
    connect(m_tree, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        const QString id = m_treeModel->idForIndex(index);
        if (m_session && !id.isEmpty())
            m_session->setSelection({id});
    });
}

void DesignerActions::createValidationDock()
{
    m_validation = new ValidationPanel(m_window);
    QDockWidget *dock = m_validationDock =
        addDock(tr("Validation"), "validationDock", m_validation, Qt::BottomDockWidgetArea);
    connect(m_validation, &ValidationPanel::elementsSelected, this,
            &DesignerActions::showFindingElements);
    connect(m_validation, &ValidationPanel::findingsChanged, this,
            [dock](int errors, int warnings, int infos) {
                dock->setWindowTitle(tr("Validation: %1 errors, %2 warnings, %3 info")
                                         .arg(errors)
                                         .arg(warnings)
                                         .arg(infos));
            });
    connect(m_validation, &ValidationPanel::quickFixApplied, this,
            [this](const QString &title) { showMessage(tr("Applied quick fix: %1").arg(title)); });
}

void DesignerActions::createEditingDocks()
{
    m_edit = new EditActions(m_scene, m_window);
    connect(m_edit, &EditActions::message, this,
            [this](const QString &text) { showMessage(text); });

    m_palette = new PaletteWidget;
    connect(m_palette, &PaletteWidget::addRequested, m_edit, &EditActions::addElement);
    m_paletteDock = addDock(tr("Palette"), "paletteDock", m_palette, Qt::LeftDockWidgetArea);
    // Under the palette: the whole diagram with the part in sight; click or drag to go there.
    m_overviewDock =
        addDock(tr("Overview"), "overviewDock", new OverviewMap(m_view), Qt::LeftDockWidgetArea);

    m_inspector = new Inspector;
    connect(m_inspector, &Inspector::findingActivated, this,
            [this](const QString &, const QStringList &ids) { showFindingElements(ids); });
    m_inspectorDock =
        addDock(tr("Inspector"), "inspectorDock", m_inspector, Qt::RightDockWidgetArea);
}

void DesignerActions::sizeDocks()
{
    m_window->resizeDocks({m_paletteDock, m_inspectorDock}, {220, 290}, Qt::Horizontal);
    m_window->resizeDocks({m_elementsDock, m_paletteDock}, {300, 150}, Qt::Vertical);
    m_window->resizeDocks({m_overviewDock}, {200}, Qt::Vertical);
    m_window->resizeDocks({m_validationDock}, {150}, Qt::Vertical);
}

void DesignerActions::addMenus()
{
    QMenu *edit = m_window->menuBar()->addMenu(tr("&Edit"));
    edit->addActions({m_edit->undo, m_edit->redo});
    edit->addSeparator();
    edit->addActions({m_edit->cut, m_edit->copy, m_edit->paste, m_edit->duplicate, m_edit->remove});
    edit->addSeparator();
    edit->addActions({m_edit->selectAll, m_edit->arrange});
    // Delete acts where the selection is drawn and listed, not inside text fields.
    m_view->addActions({m_edit->remove, m_edit->duplicate});
    m_tree->addActions({m_edit->remove, m_edit->duplicate});

    QMenu *insert = m_window->menuBar()->addMenu(tr("&Insert"));
    QAction *host =
        insert->addAction(tr("&Host from Wizard\u2026"), this, &DesignerActions::addHostWizard);
    host->setShortcut(QKeySequence(tr("Ctrl+Shift+H")));
    m_insertActions << host;
    insert->addSeparator();
    for (int i = 0; i < m_palette->count(); ++i) {
        QListWidgetItem *entry = m_palette->item(i);
        QAction *action = insert->addAction(entry->icon(), entry->text());
        action->setStatusTip(entry->toolTip());
        connect(action, &QAction::triggered, this,
                [this, entry] { Q_EMIT m_palette->itemClicked(entry); });
        m_insertActions << action;
    }
}

void DesignerActions::addDockToggles(QMenu *view)
{
    QAction *validation = m_validationDock->toggleViewAction();
    validation->setShortcut(QKeySequence(Qt::Key_F8));
    view->addAction(validation);
    for (QDockWidget *dock : {m_elementsDock, m_paletteDock, m_inspectorDock, m_overviewDock})
        view->addAction(dock->toggleViewAction());
}

QList<QAction *> DesignerActions::designActions() const
{
    return m_insertActions + m_edit->all();
}

void DesignerActions::setSession(DesignSession *session)
{
    m_treeModel->setDesign(session ? &session->design() : nullptr);
    m_validation->setSession(session);
    m_inspector->setSession(session);
    m_edit->setSession(session);
    m_session = session;
    if (!session)
        return;
    // Before the window's own handler, which scrolls the diagram.
    connect(session, &DesignSession::selectionChanged, this, &DesignerActions::followSelection);
    m_tree->expandToDepth(session->design().size() < 400 ? 1 : 0);
}

void DesignerActions::commitPendingInput()
{
    // A value being typed in the inspector is committed when its field loses focus: make it so
    // before saving or closing, so what the admin sees is what is saved.
    QWidget *focused = QApplication::focusWidget();
    if (focused && m_inspector->isAncestorOf(focused))
        focused->clearFocus();
}

void DesignerActions::addHostWizard()
{
    if (!m_session)
        return;
    AddHostDialog dialog(m_session->design(), m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    auto edit = dialog.edit();
    if (!m_session->apply(edit))
        return;
    m_session->setSelection({edit->ops.front().element.id});
    showMessage(edit->description);
}

void DesignerActions::showMessage(const QString &text, int timeout)
{
    m_window->statusBar()->showMessage(text, timeout);
}

void DesignerActions::showSelectedInDiagram()
{
    const QString id = m_treeModel->idForIndex(m_tree->currentIndex());
    if (m_session && !m_syncingTree && !m_treeChanging && !id.isEmpty() &&
        m_session->selection() != QStringList{id})
        m_session->setSelection({id}); // the window's selection handler reveals it
}

void DesignerActions::followSelection(const QStringList &ids)
{
    // The tree follows the drawing (and the validation panel, the inspector).
    const QString first = ids.value(0);
    if (first.isEmpty() || m_treeModel->idForIndex(m_tree->currentIndex()) == first)
        return;
    m_syncingTree = true;
    selectInTree(first);
    m_syncingTree = false;
}

void DesignerActions::selectInTree(const QString &id)
{
    const QModelIndex index = m_treeModel->indexForId(id);
    if (!index.isValid())
        return;
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
}

void DesignerActions::showFindingElements(const QStringList &ids)
{
    // The finding's elements become the selection: tree, diagram and inspector show them.
    if (m_session)
        m_session->setSelection(ids);
}

} // namespace converge::views
