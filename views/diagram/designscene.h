#pragma once

#include "core/model/design.h"

#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QHash>
#include <QSet>

#include <memory>
#include <optional>

class QGraphicsPathItem;

namespace converge::views {

class BlockItem;
class DesignSession;
struct DiagramStyle;

// The diagram of a design: physical switches in a row above the hosts, each host a box with
// its NICs along the top (cabled up to the switch ports), its teams and virtual switches under
// the NICs they use, then its management-OS vNICs and VMs with their vNICs. Hosts and switches
// sit where their `position` says, else in a deterministic grid. One item per host and per
// physical switch paints its own rows, so a design with thousands of hosts stays cheap to build
// and to draw.
//
// With a session (setSession) the diagram is also an editor: click selects (Ctrl toggles),
// dragging a box moves it (snapped, saved as its position), dragging from a NIC, team, switch,
// port or vNIC to another element connects them (commands::connect), and elements with
// findings carry a severity badge.
class DesignScene : public QGraphicsScene
{
    Q_OBJECT

public:
    enum ItemType {
        HostItemType = QGraphicsItem::UserType + 1,
        PhysicalSwitchItemType,
        LinkItemType,
    };

    explicit DesignScene(QObject *parent = nullptr);
    ~DesignScene() override;

    // Shows `design` (nullptr: nothing) and follows its changes. The design must outlive the
    // scene or be replaced (setDesign(nullptr)) before it goes.
    void setDesign(core::Design *design);
    core::Design *design() const { return m_design; }
    // Shows the session's design and edits it through the session's undo stack; follows and
    // sets the session's selection and shows its findings as badges. nullptr: nothing.
    void setSession(DesignSession *session);
    DesignSession *session() const { return m_session; }

    // The item that draws an element (its own box or the box holding its row); nullptr when
    // the diagram does not show it (VLANs, subnets...).
    QGraphicsItem *itemFor(const QString &id) const;
    QRectF elementRect(const QString &id) const; // scene coordinates; null when not shown
    QString elementAt(const QPointF &scenePos) const;
    // Marks elements as selected on the drawing (ids it does not show are kept, not drawn).
    void setSelectedElements(const QStringList &ids);
    QStringList selectedElements() const { return m_selected; }
    void setHighlighted(const QString &id)
    {
        setSelectedElements(id.isEmpty() ? QStringList() : QStringList{id});
    }
    QString highlighted() const { return m_selected.value(0); }
    QStringList labels() const; // every text the diagram draws, in item order
    // Worst finding severity (core::Severity as int) badged on an element; -1: none.
    int badgeOf(const QString &id) const { return m_severities.value(id, -1); }

    static constexpr qreal grid = 10;                            // positions snap to it
    bool isInteracting() const { return m_gesture.has_value(); } // a press on it, until release
    // Adds a new element of `kind` dropped at `scenePos`: inside the element there that may
    // own it, or, for hosts and physical switches, at that position. False, with a message,
    // when nothing there may own it.
    bool dropNew(core::ElementKind kind, const QPointF &scenePos);
    // Where the automatic layout puts every host and physical switch (id -> top-left), as
    // Arrange writes them.
    QHash<QString, QPointF> automaticPositions() const { return m_automatic; }

Q_SIGNALS:
    void elementClicked(const QString &id);
    void message(const QString &text); // for the status bar: what a drop did or why not
    // The user selected on the drawing (click, Ctrl+click, rubber band).
    void selectionRequested(const QStringList &ids);
    void rebuilt();

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override; // Escape cancels a move or a connection
    void dragEnterEvent(QGraphicsSceneDragDropEvent *event) override;
    void dragMoveEvent(QGraphicsSceneDragDropEvent *event) override;
    void dropEvent(QGraphicsSceneDragDropEvent *event) override;
    void helpEvent(QGraphicsSceneHelpEvent *event) override;

private:
    struct Anchor
    {
        QGraphicsItem *item = nullptr;
        int cell = -1; // row inside the item; -1: the item itself
    };

    // A press on an element, until release: a click, a move of boxes or a connection.
    struct Gesture
    {
        enum class Mode { Undecided, Move, Connect } mode = Mode::Undecided;
        QString id;
        QPointF start;
        Qt::KeyboardModifiers modifiers;
        std::vector<std::pair<QGraphicsItem *, QPointF>> moving; // box, where it was
        QGraphicsPathItem *wire = nullptr;                       // rubber wire while connecting
    };

    // What changes since the last update ask for (sceneupdate.cpp).
    struct Pending
    {
        bool everything = false;
        QSet<QString> blocks; // hosts and physical switches to build again
        QSet<QString> moved;  // boxes whose position changed
        bool links = false;
    };

    void scheduleRebuild();
    void rebuild(); // everything, from scratch
    void noteChanges(const std::vector<core::Change> &changes);
    void applyChanges(); // what m_pending asks for, rebuilding as little as it can
    void finishUpdate();
    std::unique_ptr<BlockItem> buildBlock(const core::Element &e) const;
    void placeBlocks(const std::vector<BlockItem *> &blocks);
    void placeAtSavedPosition(BlockItem *block);
    QString blockOf(const core::Change &change) const;
    // Draws the cables again: all of them, or those with an end on one of `boxes`.
    void replaceLinks(const QSet<QString> *boxes = nullptr);
    void updateBadges();
    void onQtSelectionChanged();
    void select(const QStringList &ids); // what a click selects
    void startGesture();
    void endGesture(const QPointF &at);
    bool connectable(const QString &id) const;
    void buildItems();
    void layOut(const std::vector<QGraphicsItem *> &hosts, std::vector<QGraphicsItem *> switches);
    void sortByCables(std::vector<QGraphicsItem *> &switches, qreal fallbackX) const;
    void addLinks();
    void addLink(const core::Element &link);
    void registerAnchors(QGraphicsItem *item);
    std::optional<QPointF> attachPoint(const QString &id, QPointF *direction) const;

    core::Design *m_design = nullptr;
    int m_listener = 0;
    bool m_rebuildPending = false;
    std::unique_ptr<DiagramStyle> m_style;
    QHash<QString, Anchor> m_anchors;
    QStringList m_selected;
    DesignSession *m_session = nullptr;
    QHash<QString, int> m_severities;    // element id -> worst severity, for badges
    QHash<QString, QPointF> m_automatic; // where the automatic layout put each box
    std::optional<Gesture> m_gesture;
    Pending m_pending;
    QHash<QString, QStringList> m_linkEnds; // cable id -> the boxes at its ends
    bool m_syncingSelection = false;
};

} // namespace converge::views
