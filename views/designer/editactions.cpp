#include "editactions.h"

#include "core/model/clipboard.h"
#include "core/model/commands.h"
#include "core/model/palette.h"
#include "views/diagram/designscene.h"
#include "views/session/designsession.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QJsonArray>
#include <QMimeData>
#include <QUndoStack>
#include <QWidget>

namespace converge::views {

namespace {

QAction *makeAction(QWidget *parent, const QString &text, const QList<QKeySequence> &keys)
{
    auto *action = new QAction(text, parent);
    action->setShortcuts(keys);
    action->setShortcutContext(Qt::WindowShortcut);
    parent->addAction(action);
    return action;
}

// The ids of the elements the edit adds (its Add ops), in order.
QStringList addedIds(const core::Edit &edit)
{
    QStringList ids;
    for (const core::Op &op : edit.ops) {
        if (op.type == core::Op::Type::Add && op.element.kind != core::ElementKind::Link)
            ids << op.element.id;
    }
    return ids;
}

} // namespace

EditActions::EditActions(DesignScene *scene, QWidget *parent)
    : QObject(parent)
    , m_scene(scene)
{
    undo = makeAction(parent, tr("&Undo"), {QKeySequence::Undo});
    // The platform's Redo keys plus Ctrl+Shift+Z, once: a key bound twice is ambiguous and then
    // does nothing.
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    if (!redoKeys.contains(QKeySequence(tr("Ctrl+Shift+Z"))))
        redoKeys << QKeySequence(tr("Ctrl+Shift+Z"));
    redo = makeAction(parent, tr("&Redo"), redoKeys);
    cut = makeAction(parent, tr("Cu&t"), {QKeySequence::Cut});
    copy = makeAction(parent, tr("&Copy"), {QKeySequence::Copy});
    paste = makeAction(parent, tr("&Paste"), {QKeySequence::Paste});
    duplicate = makeAction(parent, tr("D&uplicate"), {QKeySequence(tr("Ctrl+D"))});
    remove = makeAction(parent, tr("&Delete"), {QKeySequence::Delete});
    selectAll = makeAction(parent, tr("Select &All"), {QKeySequence::SelectAll});
    arrange = makeAction(parent, tr("&Arrange Automatically"), {QKeySequence(tr("Ctrl+Shift+L"))});
    duplicate->setStatusTip(tr("Add a copy of the selection (a host with everything on it)"));
    arrange->setStatusTip(tr("Lay the diagram out again and save the positions"));
    // Delete and Duplicate act where the selection is drawn and listed (the caller adds them
    // to the diagram and the tree), never in the inspector's fields or the other docks.
    for (QAction *a : {remove, duplicate}) {
        parent->removeAction(a);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    }
    remove->setAutoRepeat(false); // a held key must not delete one element after another
    connect(undo, &QAction::triggered, this, [this] { m_session->undoStack()->undo(); });
    connect(redo, &QAction::triggered, this, [this] { m_session->undoStack()->redo(); });
    connect(cut, &QAction::triggered, this, [this] {
        if (copySelection())
            removeSelection();
    });
    connect(copy, &QAction::triggered, this, &EditActions::copySelection);
    connect(paste, &QAction::triggered, this, &EditActions::pasteClipboard);
    connect(duplicate, &QAction::triggered, this, &EditActions::duplicateSelection);
    connect(remove, &QAction::triggered, this, &EditActions::removeSelection);
    connect(arrange, &QAction::triggered, this, &EditActions::arrangeAll);
    connect(selectAll, &QAction::triggered, this, [this] {
        QStringList ids;
        for (const core::Element *e : m_session->design().children(QString())) {
            if (m_scene->itemFor(e->id))
                ids << e->id;
        }
        m_session->setSelection(ids);
    });
    setSession(nullptr);
}

QList<QAction *> EditActions::all() const
{
    return {undo, redo, cut, copy, paste, duplicate, remove, selectAll, arrange};
}

void EditActions::setSession(DesignSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        QUndoStack *stack = session->undoStack();
        connect(stack, &QUndoStack::indexChanged, this, &EditActions::updateEnabled);
        connect(session, &DesignSession::selectionChanged, this, &EditActions::updateEnabled);
    }
    updateEnabled();
}

void EditActions::updateEnabled()
{
    const bool open = m_session;
    const QUndoStack *stack = open ? m_session->undoStack() : nullptr;
    const bool selected = open && !m_session->selection().isEmpty();
    undo->setEnabled(stack && stack->canUndo());
    redo->setEnabled(stack && stack->canRedo());
    undo->setText(stack && stack->canUndo() ? tr("&Undo %1").arg(stack->undoText()) : tr("&Undo"));
    redo->setText(stack && stack->canRedo() ? tr("&Redo %1").arg(stack->redoText()) : tr("&Redo"));
    for (QAction *a : {cut, copy, duplicate, remove})
        a->setEnabled(selected);
    for (QAction *a : {paste, selectAll, arrange})
        a->setEnabled(open);
}

bool EditActions::addElement(core::ElementKind kind)
{
    if (!m_session)
        return false;
    const core::Design &design = m_session->design();
    auto owner = core::palette::ownerFor(design, kind, m_session->selection());
    if (!owner) {
        Q_EMIT message(owner.error().message);
        return false;
    }
    auto edit = core::palette::addDefault(design, kind, *owner);
    if (!m_session->apply(edit))
        return false;
    m_session->setSelection(addedIds(*edit));
    Q_EMIT message(edit->description);
    return true;
}

bool EditActions::copySelection()
{
    if (!m_session || m_session->selection().isEmpty())
        return false;
    auto *mime = new QMimeData;
    mime->setData(QLatin1String(core::clipboard::mimeType),
                  core::clipboard::copy(m_session->design(), m_session->selection()));
    QApplication::clipboard()->setMimeData(mime);
    return true;
}

bool EditActions::pasteClipboard()
{
    if (!m_session)
        return false;
    const QMimeData *mime = QApplication::clipboard()->mimeData();
    const QString type = QLatin1String(core::clipboard::mimeType);
    if (!mime || !mime->hasFormat(type)) {
        Q_EMIT message(tr("Nothing to paste: copy elements of a design first."));
        return false;
    }
    auto edit = core::clipboard::paste(m_session->design(), mime->data(type),
                                       m_session->selection().value(0));
    if (!m_session->apply(edit))
        return false;
    m_session->setSelection(addedIds(*edit));
    Q_EMIT message(edit->description);
    return true;
}

bool EditActions::duplicateSelection()
{
    if (!m_session || m_session->selection().isEmpty())
        return false;
    auto edit = core::clipboard::duplicate(m_session->design(), m_session->selection());
    if (!m_session->apply(edit))
        return false;
    m_session->setSelection(addedIds(*edit));
    Q_EMIT message(edit->description);
    return true;
}

bool EditActions::removeSelection()
{
    if (!m_session || m_session->selection().isEmpty())
        return false;
    auto edit = core::commands::removeElements(m_session->design(), m_session->selection());
    if (!m_session->apply(edit))
        return false;
    Q_EMIT message(edit->description);
    return true;
}

bool EditActions::arrangeAll()
{
    if (!m_session)
        return false;
    std::vector<core::Edit> edits;
    const auto positions = m_scene->automaticPositions();
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
        auto edit = core::commands::setProperty(m_session->design(), it.key(), core::key::position,
                                                QJsonArray{it->x(), it->y()});
        if (!edit) {
            Q_EMIT message(edit.error().message);
            return false;
        }
        if (!edit->isEmpty())
            edits.push_back(*edit);
    }
    if (edits.empty())
        return true;
    // Stable order: the same design arranges to the same edit.
    std::ranges::sort(edits, {}, [](const core::Edit &e) { return e.ops.front().id; });
    return m_session->apply(core::commands::combine(tr("Arrange automatically"), edits));
}

} // namespace converge::views
