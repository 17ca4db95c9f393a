#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

class QAction;
class QDockWidget;
class QMainWindow;
class QMenu;
class QTreeView;

namespace converge::views {

class DesignScene;
class DesignSession;
class DesignTreeModel;
class DesignView;
class EditActions;
class Inspector;
class PaletteWidget;
class ValidationPanel;

// The designer around the main window's diagram: the Elements, Palette, Overview, Inspector
// and Validation docks, the Edit and Insert menus and the docks' View toggles. The tree, the
// diagram and the panels select through the session; messages go to the window's status bar.
class DesignerActions : public QObject
{
    Q_OBJECT

public:
    // Adds the docks to `window` around `view`, the central diagram showing `scene`.
    DesignerActions(QMainWindow *window, DesignScene *scene, DesignView *view);

    // The Edit and Insert menus, at the end of the window's menu bar.
    void addMenus();
    // Show/hide toggles for the docks: Validation (F8), Elements, Palette, Inspector, Overview.
    void addDockToggles(QMenu *view);
    // The design shown, nullptr for none; the tree, panels and actions follow it.
    void setSession(DesignSession *session);
    // The menus' actions that need an open design.
    QList<QAction *> designActions() const;
    // What is being typed in the inspector, committed (before saving or closing).
    void commitPendingInput();

    EditActions *editActions() const { return m_edit; }
    Inspector *inspector() const { return m_inspector; }
    PaletteWidget *palette() const { return m_palette; }
    DesignTreeModel *treeModel() const { return m_treeModel; }
    QTreeView *treeView() const { return m_tree; }
    ValidationPanel *validationPanel() const { return m_validation; }

private:
    QDockWidget *addDock(const QString &title, const char *name, QWidget *widget,
                         Qt::DockWidgetArea area);
    void createTreeDock();
    void createValidationDock();
    void createEditingDocks();
    void sizeDocks();
    void addHostWizard();
    void showMessage(const QString &text, int timeout = 8000);
    void showSelectedInDiagram();
    void followSelection(const QStringList &ids);
    void selectInTree(const QString &id);
    void showFindingElements(const QStringList &ids);

    QMainWindow *m_window;
    DesignScene *m_scene;
    DesignView *m_view;
    QPointer<DesignSession> m_session;
    DesignTreeModel *m_treeModel = nullptr;
    QTreeView *m_tree = nullptr;
    ValidationPanel *m_validation = nullptr;
    EditActions *m_edit = nullptr;
    PaletteWidget *m_palette = nullptr;
    Inspector *m_inspector = nullptr;
    QDockWidget *m_elementsDock = nullptr;
    QDockWidget *m_validationDock = nullptr;
    QDockWidget *m_paletteDock = nullptr;
    QDockWidget *m_overviewDock = nullptr;
    QDockWidget *m_inspectorDock = nullptr;
    QList<QAction *> m_insertActions;
    bool m_syncingTree = false;  // the tree follows the session's selection
    bool m_treeChanging = false; // rows removed or reset: the tree's current row moves by itself
};

} // namespace converge::views
