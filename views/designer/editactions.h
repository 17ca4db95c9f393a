#pragma once

#include "core/model/elementkind.h"

#include <QObject>
#include <QPointer>

class QAction;
class QWidget;

namespace converge::views {

class DesignScene;
class DesignSession;

// The Edit menu's actions over a session: undo/redo, cut/copy/paste, duplicate, delete, select
// all, arrange, and adding elements from the palette. Every change is one undo step through the
// session; a refused one says why through message().
class EditActions : public QObject
{
    Q_OBJECT

public:
    EditActions(DesignScene *scene, QWidget *parent);

    void setSession(DesignSession *session);

    QAction *undo, *redo, *cut, *copy, *paste, *duplicate, *remove, *selectAll, *arrange;
    QList<QAction *> all() const;

public Q_SLOTS:
    // Adds a new element of `kind` where the selection says (a NIC on the selected host...)
    // and selects it. False, with a message, when the selection gives it no place.
    bool addElement(core::ElementKind kind);
    bool copySelection();
    bool pasteClipboard();
    bool duplicateSelection();
    bool removeSelection();
    bool arrangeAll(); // the automatic layout, saved as positions

Q_SIGNALS:
    void message(const QString &text); // for the status bar

private:
    void updateEnabled();

    DesignScene *m_scene;
    QPointer<DesignSession> m_session;
};

} // namespace converge::views
