#pragma once

#include "design.h"

#include <QStringList>

namespace converge::core {

// The edit commands: each builds one Edit (one undo step) against the current design and
// checks it first, so an Edit that comes back can be applied. The GUI's undo stack, the CLI
// and the tests all edit through these.
namespace commands {

// Adds an element under `parent` (empty: top level). An empty `id` gets a new UUID.
Result<Edit> addElement(const Design &design, ElementKind kind, const QString &parent,
                        const QJsonObject &props, const QString &id = {});

// Removes elements with everything they own; links to them go too, and other elements'
// references to them are cleared (all undone together).
Result<Edit> removeElements(const Design &design, const QStringList &ids);

// Sets (or with QJsonValue::Undefined clears) one property. Refused when the value does not
// fit the property's type or names a missing element.
Result<Edit> setProperty(const Design &design, const QString &id, const QString &key,
                         const QJsonValue &value);

// Sets the design's own name, description or source.
Result<Edit> setDesignInfo(const Design &design, const QString &key, const QJsonValue &value);

// Several edits as one undo step.
Edit combine(const QString &description, const std::vector<Edit> &edits);

} // namespace commands

// Builds one undo step from dependent commands: each edit is applied as it is added, so later
// commands can refer to what earlier ones created (add a host, then its NICs). finish() hands
// back the combined edit, already applied; a batch dropped unfinished undoes its edits.
class EditBatch
{
public:
    EditBatch(Design &design, QString description);
    ~EditBatch();
    EditBatch(const EditBatch &) = delete;
    EditBatch &operator=(const EditBatch &) = delete;

    const Design &design() const { return m_design; }
    Result<void> add(const Result<Edit> &edit);
    Edit finish();

private:
    Design &m_design;
    Edit m_edit;
    bool m_finished = false;
};

// Undo/redo over a design for callers without a QUndoStack (CLI, tests, store replay).
class EditHistory
{
public:
    explicit EditHistory(Design &design)
        : m_design(design)
    {
    }

    Result<void> push(const Edit &edit);      // applies it
    Result<void> record(const Edit &applied); // one already applied (an EditBatch's)
    Result<void> undo();
    Result<void> redo();
    bool canUndo() const { return m_index > 0; }
    bool canRedo() const { return m_index < m_edits.size(); }
    QString undoText() const { return canUndo() ? m_edits[m_index - 1].description : QString(); }
    QString redoText() const { return canRedo() ? m_edits[m_index].description : QString(); }

private:
    Design &m_design;
    std::vector<Edit> m_edits;
    std::size_t m_index = 0;
};

} // namespace converge::core
