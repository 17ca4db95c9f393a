#pragma once

#include "core/model/design.h"
#include "core/validation/validationengine.h"

#include <QObject>
#include <QStringList>

#include <map>
#include <memory>

class QUndoStack;

namespace converge::views {

// One open design and what every view of it shares: the undo stack every edit goes through,
// the selection (tree, canvas, inspector and validation panel select each other through it)
// and the live validation. Views hold a pointer to the session; MainWindow owns it.
class DesignSession : public QObject
{
    Q_OBJECT

public:
    explicit DesignSession(std::unique_ptr<core::Design> design, QObject *parent = nullptr);
    ~DesignSession() override;

    core::Design &design() { return *m_design; }
    const core::Design &design() const { return *m_design; }
    QUndoStack *undoStack() const { return m_undo; }

    // Applies a command's edit as one undo step. A command that failed, or an edit the design
    // refuses, changes nothing and is reported through editFailed; an empty edit is a no-op.
    bool apply(const core::Result<core::Edit> &edit);
    // Records an edit that is already applied (an EditBatch's) as one undo step.
    void record(const core::Edit &applied);

    QStringList selection() const { return m_selection; }
    // Selects elements (ids the design does not hold are dropped); announces a real change only.
    void setSelection(const QStringList &ids);

    // Live findings: the engine re-checks what each change can affect. The first validation
    // runs from the event loop after the session is made; until then there are none.
    bool isValidated() const { return m_validated; }
    static constexpr std::size_t deferValidationFrom = 5000; // elements
    static constexpr int validationFallbackMs = 1500;        // when nobody calls validateNow()
    void validateNow(); // the first validation, if it has not run yet
    const core::ValidationEngine &validation() const { return m_engine; }
    // The engine's findings plus the external ones (below), sorted.
    std::vector<core::Finding> findings() const;
    // Findings naming `id`, most severe first.
    std::vector<core::Finding> findingsFor(const QString &id) const;
    // Findings from outside the rule catalog (drift: rule id "DRIFT"), shown by every view of
    // the session like the engine's; each `source` replaces its own set (empty: clears it).
    void setExternalFindings(const QString &source, std::vector<core::Finding> findings);
    std::vector<core::Finding> externalFindings(const QString &source) const;

Q_SIGNALS:
    void selectionChanged(const QStringList &ids);
    void editFailed(const QString &message);
    // After any change to the design or to the external findings, once per event-loop turn
    // (many edits, one signal).
    void designChanged();

private:
    void scheduleChanged();

    std::unique_ptr<core::Design> m_design;
    core::ValidationEngine m_engine;
    QUndoStack *m_undo;
    QStringList m_selection;
    std::map<QString, std::vector<core::Finding>> m_external; // by source
    int m_listener = 0;
    bool m_changedPending = false;
    bool m_selectionDirty = false; // a selected element was removed
    bool m_validated = false;
};

} // namespace converge::views
