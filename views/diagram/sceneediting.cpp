// DesignScene as an editor: selection, moving boxes, connecting elements by dragging, badges.
#include "designscene.h"

#include "core/model/commands.h"
#include "core/model/connect.h"
#include "core/model/palette.h"
#include "views/diagram/diagramitems.h"
#include "views/session/designsession.h"

#include <QApplication>
#include <QGraphicsPathItem>
#include <QGraphicsSceneDragDropEvent>
#include <QGraphicsSceneMouseEvent>
#include <QJsonArray>
#include <QKeyEvent>
#include <QMimeData>

#include <cmath>

namespace converge::views {

using core::ElementKind;

namespace {

QPointF snapped(QPointF p)
{
    return {std::round(p.x() / DesignScene::grid) * DesignScene::grid,
            std::round(p.y() / DesignScene::grid) * DesignScene::grid};
}

} // namespace

void DesignScene::setSession(DesignSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    disconnect(this, &QGraphicsScene::selectionChanged, this, nullptr);
    m_session = session;
    setDesign(session ? &session->design() : nullptr);
    if (!session)
        return;
    connect(session, &DesignSession::selectionChanged, this, &DesignScene::setSelectedElements);
    connect(session, &DesignSession::designChanged, this, [this] {
        updateBadges();
        update();
    });
    connect(this, &DesignScene::selectionRequested, session, &DesignSession::setSelection);
    connect(this, &QGraphicsScene::selectionChanged, this, &DesignScene::onQtSelectionChanged);
    updateBadges();
    setSelectedElements(session->selection());
}

void DesignScene::updateBadges()
{
    m_severities.clear();
    if (m_session) {
        for (const core::Finding &f : m_session->findings()) {
            if (f.isSuppressed())
                continue;
            for (const QString &id : f.elements) {
                auto it = m_severities.find(id);
                if (it == m_severities.end() || *it > int(f.severity))
                    m_severities.insert(id, int(f.severity));
            }
        }
    }
    // Each box also knows the worst finding inside it, for its badge when zoomed out.
    QHash<BlockItem *, int> worst;
    for (auto it = m_severities.cbegin(); it != m_severities.cend(); ++it) {
        if (BlockItem *block = asBlock(m_anchors.value(it.key()).item)) {
            auto w = worst.find(block);
            if (w == worst.end() || *w > *it)
                worst.insert(block, *it);
        }
    }
    for (QGraphicsItem *item : items()) {
        if (BlockItem *block = asBlock(item))
            block->setWorstSeverity(worst.value(block, -1));
    }
}

void DesignScene::select(const QStringList &ids)
{
    m_syncingSelection = true;
    clearSelection(); // Qt's rubber-band selection, not ours
    m_syncingSelection = false;
    if (m_session)
        Q_EMIT selectionRequested(ids);
    else
        setSelectedElements(ids);
}

void DesignScene::onQtSelectionChanged()
{
    // Qt's selection only ever comes from the view's rubber band: boxes it caught.
    if (m_syncingSelection)
        return;
    QStringList ids;
    for (QGraphicsItem *item : selectedItems()) {
        if (BlockItem *block = asBlock(item))
            ids << block->id();
    }
    Q_EMIT selectionRequested(ids);
}

bool DesignScene::connectable(const QString &id) const
{
    const core::Element *e = m_design ? m_design->find(id) : nullptr;
    if (!e)
        return false;
    switch (e->kind) {
    case ElementKind::PhysicalNic:
    case ElementKind::Team:
    case ElementKind::VirtualSwitch:
    case ElementKind::VirtualNic:
    case ElementKind::SwitchPort:
        return true;
    default:
        return false;
    }
}

void DesignScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    const QString id = elementAt(event->scenePos());
    if (event->button() != Qt::LeftButton || id.isEmpty()) {
        // Empty space: a click there selects nothing (Ctrl keeps the selection for adding to
        // it); the view then starts a rubber band (or pans).
        if (event->button() == Qt::LeftButton && m_session &&
            !(event->modifiers() & Qt::ControlModifier) && !m_selected.isEmpty())
            select({});
        event->ignore();
        return;
    }
    Q_EMIT elementClicked(id);
    m_gesture = Gesture{};
    m_gesture->id = id;
    m_gesture->start = event->scenePos();
    m_gesture->modifiers = event->modifiers();
    // A press selects at once (dragging then moves or connects what was pressed); Ctrl+click
    // toggles on release, and a press on a member of a bigger selection keeps it for a move.
    if (!(event->modifiers() & Qt::ControlModifier) && !m_selected.contains(id))
        select({id});
    event->accept();
}

void DesignScene::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (!m_gesture || !m_session)
        return;
    Gesture &g = *m_gesture;
    if (g.mode == Gesture::Mode::Undecided) {
        const QPointF moved = event->screenPos() - event->buttonDownScreenPos(Qt::LeftButton);
        if (moved.manhattanLength() < QApplication::startDragDistance())
            return;
        startGesture();
    }
    if (g.mode == Gesture::Mode::Move) {
        const QPointF delta = event->scenePos() - g.start;
        for (auto &[item, from] : g.moving)
            item->setPos(snapped(from + delta));
    } else if (g.mode == Gesture::Mode::Connect && g.wire) {
        QPainterPath path(elementRect(g.id).center());
        path.lineTo(event->scenePos());
        g.wire->setPath(path);
        const QString target = elementAt(event->scenePos());
        QStringList shown = m_selected;
        if (!target.isEmpty() && target != g.id && connectable(target))
            shown << target;        // the element it would connect to
        setSelectedElements(shown); // drawn only; the session's selection is restored at the end
    }
    event->accept();
}

void DesignScene::startGesture()
{
    if (!m_gesture)
        return;
    Gesture &g = *m_gesture;
    const Anchor anchor = m_anchors.value(g.id);
    BlockItem *block = asBlock(anchor.item);
    if (!block) {
        g.mode = Gesture::Mode::Move; // a cable: nothing to move; acts as a click
        return;
    }
    if (anchor.cell >= 0 && connectable(g.id)) {
        g.mode = Gesture::Mode::Connect;
        g.wire = new QGraphicsPathItem;
        QPen pen(QColor(0x1f, 0x6f, 0xd1), 2, Qt::DashLine);
        pen.setCosmetic(true);
        g.wire->setPen(pen);
        g.wire->setZValue(10);
        addItem(g.wire);
        return;
    }
    // The box itself (its caption or background): move it, with the other selected boxes.
    g.mode = Gesture::Mode::Move;
    QStringList boxes{block->id()};
    if (m_selected.contains(block->id()))
        boxes = m_selected;
    for (const QString &id : std::as_const(boxes)) {
        if (BlockItem *b = asBlock(m_anchors.value(id).item); b && b->id() == id)
            g.moving.emplace_back(b, b->pos());
    }
}

void DesignScene::keyPressEvent(QKeyEvent *event)
{
    if (event->key() != Qt::Key_Escape || !m_gesture) {
        QGraphicsScene::keyPressEvent(event);
        return;
    }
    Gesture g = std::move(*m_gesture);
    m_gesture.reset();
    for (auto &[item, from] : g.moving)
        item->setPos(from);
    delete g.wire;
    if (m_session)
        setSelectedElements(m_session->selection());
    event->accept();
}

void DesignScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (!m_gesture) {
        event->ignore();
        return;
    }
    endGesture(event->scenePos());
    event->accept();
}

void DesignScene::endGesture(const QPointF &at)
{
    if (!m_gesture)
        return;
    Gesture g = std::move(*m_gesture);
    m_gesture.reset();
    if (g.wire) {
        removeItem(g.wire);
        delete g.wire;
    }
    if (!m_session || g.mode == Gesture::Mode::Undecided) {
        // A click: Ctrl toggles the element in the selection; a plain click on a member of a
        // bigger selection narrows it to that element.
        QStringList ids{g.id};
        if (g.modifiers & Qt::ControlModifier) {
            ids = m_selected;
            if (!ids.removeOne(g.id))
                ids << g.id;
        }
        if (ids != m_selected)
            select(ids);
        return;
    }
    if (g.mode == Gesture::Mode::Connect) {
        setSelectedElements(m_session->selection());
        const QString target = elementAt(at);
        if (!target.isEmpty() && target != g.id)
            m_session->apply(core::commands::connect(m_session->design(), g.id, target));
        return;
    }
    std::vector<core::Edit> edits;
    for (const auto &[item, from] : g.moving) {
        if (item->pos() == from)
            continue;
        const QString id = asBlock(item)->id();
        auto edit = core::commands::setProperty(m_session->design(), id, core::key::position,
                                                QJsonArray{item->pos().x(), item->pos().y()});
        if (!edit) {
            Q_EMIT m_session->editFailed(edit.error().message);
            scheduleRebuild(); // back to where the design says
            return;
        }
        edits.push_back(*edit);
    }
    if (edits.empty())
        return;
    const core::Element *first = m_session->design().find(asBlock(g.moving.front().first)->id());
    const QString what = edits.size() == 1 ? tr("Move %1").arg(first ? first->name() : QString())
                                           : tr("Move %1 elements").arg(edits.size());
    m_session->apply(core::commands::combine(what, edits));
}

namespace {

constexpr auto kindMime = "application/x-converge-kind"; // PaletteWidget::mimeType

std::optional<ElementKind> droppedKind(const QMimeData *mime)
{
    if (!mime || !mime->hasFormat(QLatin1String(kindMime)))
        return std::nullopt;
    bool ok = false;
    const int kind = mime->data(QLatin1String(kindMime)).toInt(&ok);
    if (!ok || kind < 0 || kind >= int(core::allElementKinds.size()))
        return std::nullopt;
    return ElementKind(kind);
}

} // namespace

void DesignScene::dragEnterEvent(QGraphicsSceneDragDropEvent *event)
{
    // Only the palette's kinds; design files dropped here go on to the main window.
    event->setAccepted(m_session && droppedKind(event->mimeData()));
}

void DesignScene::dragMoveEvent(QGraphicsSceneDragDropEvent *event)
{
    event->setAccepted(m_session && droppedKind(event->mimeData()));
}

void DesignScene::dropEvent(QGraphicsSceneDragDropEvent *event)
{
    const auto kind = droppedKind(event->mimeData());
    if (!m_session || !kind) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    dropNew(*kind, event->scenePos());
}

bool DesignScene::dropNew(ElementKind kind, const QPointF &scenePos)
{
    if (!m_session)
        return false;
    const core::Design &design = m_session->design();
    const QString under = elementAt(scenePos);
    auto owner =
        core::palette::ownerFor(design, kind, under.isEmpty() ? QStringList() : QStringList{under});
    if (!owner) {
        Q_EMIT message(owner.error().message.replace(QLatin1String("Select"), tr("Drop it on")));
        return false;
    }
    auto edit = core::palette::addDefault(design, kind, *owner);
    if (edit && (kind == ElementKind::Host || kind == ElementKind::PhysicalSwitch)) {
        const QPointF at = snapped(scenePos);
        edit->ops.front().element.props.insert(core::key::position, QJsonArray{at.x(), at.y()});
    }
    if (!m_session->apply(edit))
        return false;
    m_session->setSelection({edit->ops.front().element.id});
    Q_EMIT message(edit->description);
    return true;
}

} // namespace converge::views
