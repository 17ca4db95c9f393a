#pragma once

#include "core/model/design.h"

#include <QList>
#include <QMainWindow>

#include <memory>

class QLabel;
class QMenu;
class QMimeData;
class QSplitter;
class QStackedWidget;
class QTreeView;

namespace converge::views {

class DesignScene;
class DesignTreeModel;
class DesignView;
class StartPage;
class ValidationPanel;

// The main window: a start page (samples, recent designs) until a design is open, then the
// element tree on the left and the diagram in the centre. Opens designs from File > Open,
// File > Open Recent, File > Samples, the start page, drag and drop and the command line.
// A design that fails to load is reported and the current one stays.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    struct Sample
    {
        QString resourcePath; // ":/samples/smb-basic.converge.json"
        QString key;          // "smb-basic"
        QString name;
        QString description;

        QString summary() const; // the description's first sentence, for buttons and menus
    };
    static constexpr int maxRecentFiles = 8;

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Both return false, show the error and keep the current design when loading fails.
    bool openFile(const QString &path);
    bool openSample(const QString &resourcePath);
    void closeDesign();

    core::Design *design() const { return m_design.get(); }
    QString currentFile() const { return m_path; }
    QString lastError() const { return m_lastError; }
    QStringList recentFiles() const;
    bool isStartPageShown() const;

    DesignTreeModel *treeModel() const { return m_treeModel; }
    QTreeView *treeView() const { return m_tree; }
    DesignScene *scene() const { return m_scene; }
    DesignView *view() const { return m_view; }
    ValidationPanel *validationPanel() const { return m_validation; }

    // The bundled samples, in the order the start page shows them.
    static QList<Sample> samples();
    // The first local *.converge.json file among dropped URLs; empty when there is none.
    static QString designFileIn(const QMimeData *mime);

Q_SIGNALS:
    void designOpened(const QString &path);
    void openFailed(const QString &path, const QString &message);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    bool open(const QString &path, bool sample);
    void setDesign(std::unique_ptr<core::Design> design, const QString &path, bool sample);
    void reportError(const QString &path, const QString &message);
    void createMenus();
    QWidget *createDesignPage();
    void addRecentFile(const QString &path);
    void refreshRecentFiles();
    void fillRecentMenu();
    void openRecent(const QString &path);
    void updateTitle();
    void updateCounts();
    void showSelectedInDiagram();
    void showFindingElements(const QStringList &ids);
    void createValidationDock();
    void selectInTree(const QString &id);
    void chooseFile();
    void showAbout();

    std::unique_ptr<core::Design> m_design;
    int m_listener = 0;
    QString m_path;
    bool m_isSample = false;
    QString m_lastError;

    QStackedWidget *m_pages = nullptr;
    StartPage *m_startPage = nullptr;
    QSplitter *m_splitter = nullptr;
    QTreeView *m_tree = nullptr;
    DesignTreeModel *m_treeModel = nullptr;
    DesignScene *m_scene = nullptr;
    DesignView *m_view = nullptr;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_counts = nullptr;
    ValidationPanel *m_validation = nullptr;
    QLabel *m_zoom = nullptr;
    QList<QAction *> m_designActions; // enabled only while a design is open
};

} // namespace converge::views
