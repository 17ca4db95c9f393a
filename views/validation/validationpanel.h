#pragma once

#include "findingsmodel.h"

#include "core/validation/validationengine.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeView;

namespace converge::views {

class DesignSession;

// The validation panel: the design's findings by severity with counts, kept live as the design
// changes (the engine re-checks only what a change can affect). Selecting a finding announces
// its elements; a finding with a quick fix offers it as one edit.
class ValidationPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ValidationPanel(QWidget *parent = nullptr);
    ~ValidationPanel() override;

    // Validates `design` (nullptr: nothing) and follows its changes. The design must outlive
    // the panel or be replaced first.
    void setDesign(core::Design *design);
    // Shows the session's live findings instead of validating on its own; quick fixes and
    // acceptances become undo steps of the session. nullptr: nothing.
    void setSession(DesignSession *session);
    FindingsModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QString summary() const; // "2 errors, 1 warning, 0 info"

public Q_SLOTS:
    bool applyQuickFix(); // of the selected finding
    // Accepts the selected finding with a justification, stored in the design as a Suppression.
    bool acceptSelected(const QString &justification);
    void refresh();

Q_SIGNALS:
    void elementsSelected(const QStringList &ids);
    void findingsChanged(int errors, int warnings, int infos);
    void quickFixApplied(const QString &title);

private:
    void selectionChanged();
    void askToAccept();
    void scheduleRefresh();
    const core::Finding *selectedFinding() const;

    bool applyEdit(const core::Result<core::Edit> &edit);
    void followSelection(const QStringList &ids);
    void finishRefresh(); // summary and counts

    core::Design *m_design = nullptr;
    DesignSession *m_session = nullptr;
    bool m_following = false; // showing the session's selection, not making one
    core::ValidationEngine m_engine;
    int m_listener = 0;
    bool m_refreshPending = false;
    FindingsModel *m_model;
    QTreeView *m_view;
    QLabel *m_summary;
    QPushButton *m_fixButton;
    QPushButton *m_acceptButton;
    QTextBrowser *m_details;
};

} // namespace converge::views
