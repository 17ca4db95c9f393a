#pragma once

#include "core/model/design.h"
#include "core/protocol/agentsession.h"

#include <QList>
#include <QMainWindow>

#include <memory>

class QDialog;
class QLabel;
class QMenu;
class QMimeData;
class QStackedWidget;
class QTreeView;

namespace converge::core::metering {
class MetricsSource;
}

namespace converge::views {

namespace capture {
class CaptureWindow;
class LiveCapture;
} // namespace capture
namespace metering {
class AlertsModel;
class MeteringDock;
} // namespace metering
class Autosave;
class DeployActions;
class DesignerActions;
class DesignScene;
class DesignSession;
class DesignTreeModel;
class DesignView;
class DriftPanel;
class EditActions;
class Inspector;
class PaletteWidget;
class StartPage;
class ValidationPanel;

// The main window: a start page (samples, recent designs) until a design is open, then the
// element tree and the palette on the left, the diagram (an editor) in the centre, the
// inspector on the right and the validation panel below. Opens designs from File > Open,
// File > Open Recent, File > Samples, the start page, drag and drop and the command line.
// A design that fails to load is reported and the current one stays. Every edit is one undo
// step; unsaved changes are autosaved and offered back after a crash. The docks and menus
// around the diagram are DesignerActions' and DeployActions'.
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
    void newDesign(); // an empty, untitled design
    // A copy of a bundled sample as a new, untitled design.
    bool newFromTemplate(const QString &resourcePath);
    // Writes the design to `path` (atomic); false, with the error shown, when it cannot.
    bool saveTo(const QString &path);
    bool save(); // to its file, or asks for one
    bool isModified() const;
    // Offers the autosaves a crash left behind (non-blocking question).
    void offerRecovery(const QString &autosaveDirectory = {});

    core::Design *design() const;
    DesignSession *session() const { return m_session; }
    Autosave *autosave() const { return m_autosave; }
    QString currentFile() const { return m_isSample ? m_samplePath : m_path; }
    QString lastError() const { return m_lastError; }
    QStringList recentFiles() const;
    bool isStartPageShown() const;

    DesignerActions *designerActions() const { return m_designer; }
    DeployActions *deployActions() const { return m_deploy; }
    DesignScene *scene() const { return m_scene; }
    DesignView *view() const { return m_view; }
    // The designer's and the deployment's parts, for tests.
    EditActions *editActions() const;
    Inspector *inspector() const;
    PaletteWidget *palette() const;
    DesignTreeModel *treeModel() const;
    QTreeView *treeView() const;
    ValidationPanel *validationPanel() const;
    DriftPanel *driftPanel() const;

    // The Deploy menu's (DeployActions). The design must be saved to a file: its fleet and
    // deployment history live in the project store next to it. The dialogs open window-modal
    // and return at once; nullptr when there is no design file.
    // How the Deploy menu reaches agents (app wires the TLS channel; tests a fake).
    void setAgentConnector(std::shared_ptr<core::protocol::AgentConnector> agents);
    QDialog *openDeployDialog(const QStringList &hosts = {});
    QDialog *openFleetDialog();
    QDialog *openHistoryDialog();
    void checkDrift();

    // Metering (docs/metering.md). LOCAL meters this machine as LOCALHOST (app samples it
    // in-process); PROJECT (or null) holds what the open design's agents sent. Both must
    // outlive the window or be replaced first. The Metering menu and dock come with the first.
    void setMetering(core::metering::MetricsSource *local, const QString &localHost);
    void setProjectMetering(core::metering::MetricsSource *project);
    metering::MeteringDock *meteringDock() const { return m_meteringDock; }
    // The alerts the app feeds (its console metering's events); in a dock beside Metering.
    metering::AlertsModel *alertsModel() const { return m_alertsModel; }
    // The Resource Metering report of the open design over the project's store (this
    // machine's without one); window-modal, returns at once; null without a design.
    QDialog *openMeteringReport();
    // Opens the charts of the selected host, VM, vNIC or NIC; false (said in the status bar)
    // when the selection is none of these.
    bool showMeteringForSelection();

    // Captures (docs/capture.md "Capture window"): PATH in a window of its own, following it
    // when FOLLOW; nullptr, with the error shown (a window-modal box), when it cannot be read.
    capture::CaptureWindow *openCaptureFile(const QString &path, bool follow = false);
    // Capture This vNIC (Ctrl+Shift+C, also on the diagram's and the tree's context menus): the
    // selected vNIC or mirror session, live through its host's agent, after the capture options
    // (which SKIPOPTIONS leaves at their defaults: tests). Null, with the reason in the status
    // bar, when the selection or its host cannot be captured.
    capture::LiveCapture *captureSelection(bool skipOptions = false);

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
    void connectSession(const QString &path, bool sample);
    void setFile(const QString &path, bool sample);
    void createDiagram();
    void createStatusBar();
    void restoreWindowState();
    void createMenus();
    QMenu *createFileMenu();
    void addSampleActions(QMenu *menu, bool (MainWindow::*opener)(const QString &));
    void createViewMenu();
    void createHelpMenu();
    void createMeteringMenu();
    void createCaptureMenu();
    void chooseCaptureFile();
    void saveAs();
    void exportPicture();
    void printDiagram();
    bool confirmDiscard(); // unsaved changes: save, discard or cancel; true to go on
    void validateAfterFirstPaint();
    void selectionChanged(const QStringList &ids);
    void revealWhenDrawn(const QString &id);
    void reportError(const QString &path, const QString &message);
    void addRecentFile(const QString &path);
    void refreshRecentFiles();
    void fillRecentMenu();
    void openRecent(const QString &path);
    void updateTitle();
    void updateCounts();
    void chooseFile();
    void showAbout();

    DesignSession *m_session = nullptr;
    Autosave *m_autosave = nullptr;
    QString m_path;       // empty: untitled
    QString m_samplePath; // the sample shown, which Save does not overwrite
    bool m_isSample = false;
    QString m_lastError;

    QStackedWidget *m_pages = nullptr;
    StartPage *m_startPage = nullptr;
    DesignScene *m_scene = nullptr;
    DesignView *m_view = nullptr;
    DesignerActions *m_designer = nullptr;
    DeployActions *m_deploy = nullptr;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_counts = nullptr;
    QLabel *m_zoom = nullptr;
    QList<QAction *> m_designActions; // enabled only while a design is open
    QString m_autosaveDirectory;      // empty: Autosave's default
    QString m_pendingReveal;          // selected before the diagram drew it
    metering::MeteringDock *m_meteringDock = nullptr;
    metering::AlertsModel *m_alertsModel = nullptr;
    core::metering::MetricsSource *m_localMetering = nullptr;
    core::metering::MetricsSource *m_projectMetering = nullptr;
    QString m_localHost;
};

} // namespace converge::views
