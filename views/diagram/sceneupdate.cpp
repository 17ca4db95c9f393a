// DesignScene's incremental update: an edit rebuilds only the boxes it touched, so editing a
// 1,000-host design stays interactive. Everything else (added or removed boxes) rebuilds all.
#include "designscene.h"

#include "views/diagram/diagramitems.h"

namespace converge::views {

using core::Change;
using core::Element;
using core::ElementKind;

namespace {

// Where a box's cables attach: its NICs and ports, in order, with their places.
std::vector<std::pair<QString, QRectF>> attachments(const BlockItem &block)
{
    std::vector<std::pair<QString, QRectF>> out;
    for (const Cell &cell : block.cells()) {
        if (cell.style == CellStyle::Nic || cell.style == CellStyle::Port)
            out.emplace_back(cell.id, cell.rect);
    }
    return out;
}

} // namespace

QString DesignScene::blockOf(const Change &change) const
{
    // Drawn before the change: the box that drew it. New: the box of its nearest drawn owner.
    if (BlockItem *block = asBlock(m_anchors.value(change.id).item))
        return block->id();
    const Element *at =
        m_design->find(change.type == Change::Type::Removed ? change.parent : change.id);
    for (; at; at = m_design->find(at->parent)) {
        if (at->kind == ElementKind::Host || at->kind == ElementKind::PhysicalSwitch)
            return at->id;
    }
    return {};
}

void DesignScene::noteChanges(const std::vector<Change> &changes)
{
    for (const Change &c : changes) {
        if (c.id.isEmpty())
            continue; // the design's own name and notes are not drawn
        const bool box = c.kind == ElementKind::Host || c.kind == ElementKind::PhysicalSwitch;
        if (box && c.type != Change::Type::PropertyChanged) {
            m_pending.everything = true; // the grid changes
        } else if (box && c.key == core::key::position) {
            m_pending.moved.insert(c.id);
        } else if (c.kind == ElementKind::Link) {
            // Hosts order their NICs by where the cables go: the boxes at both ends (before
            // and after the change) are built again.
            m_pending.links = true;
            for (const QString &block : m_linkEnds.value(c.id))
                m_pending.blocks.insert(block);
            if (const Element *link = m_design->find(c.id)) {
                for (QLatin1StringView end : {core::key::a, core::key::b}) {
                    const Change at{Change::Type::PropertyChanged,
                                    link->value(end).toString(),
                                    ElementKind::Link,
                                    {},
                                    {}};
                    if (const QString block = blockOf(at); !block.isEmpty())
                        m_pending.blocks.insert(block);
                }
            }
        } else if (const QString block = blockOf(c); !block.isEmpty()) {
            m_pending.blocks.insert(block);
        }
        // Anything else (VLANs, subnets, VM networks...) is not drawn: rows that mention it
        // make their text when painted.
    }
}

void DesignScene::applyChanges()
{
    m_rebuildPending = false;
    const Pending pending = std::exchange(m_pending, {});
    if (!m_design || pending.everything)
        return rebuild();
    bool resized = false;
    for (const QString &id : pending.blocks) {
        BlockItem *old = asBlock(m_anchors.value(id).item);
        const Element *e = m_design->find(id);
        if (!old || !e || old->id() != id)
            return rebuild();
        std::unique_ptr<BlockItem> fresh = buildBlock(*e);
        // A new size, or NICs or ports in new places (switches sit over the NICs they serve):
        // the automatic layout must run again.
        resized = resized || fresh->boundingRect().size() != old->boundingRect().size() ||
                  attachments(*fresh) != attachments(*old);
        fresh->setPos(old->pos());
        for (auto it = m_anchors.begin(); it != m_anchors.end();) {
            it = it->item == old ? m_anchors.erase(it) : std::next(it);
        }
        if (m_gesture) { // a box being dragged is the new one now
            for (auto &[item, from] : m_gesture->moving) {
                if (item == old)
                    item = fresh.get();
            }
        }
        m_syncingSelection = true; // leaving Qt's selection is not a choice of the admin's
        removeItem(old);
        m_syncingSelection = false;
        delete old;
        registerAnchors(fresh.get());
        addItem(fresh.release());
    }
    if (resized || pending.links) {
        // A box grew or shrank, or cables changed (switches sit over the NICs they serve):
        // the automatic layout moves; the boxes themselves stay built.
        std::vector<BlockItem *> blocks;
        for (const Element *e : m_design->children(QString())) {
            if (BlockItem *b = asBlock(m_anchors.value(e->id).item); b && b->id() == e->id)
                blocks.push_back(b);
        }
        placeBlocks(blocks);
    } else {
        for (const QString &id : pending.moved) {
            if (BlockItem *b = asBlock(m_anchors.value(id).item); b && b->id() == id)
                placeAtSavedPosition(b);
        }
    }
    if (resized || pending.links) {
        replaceLinks();
    } else if (!pending.blocks.isEmpty() || !pending.moved.isEmpty()) {
        const QSet<QString> boxes = pending.blocks + pending.moved;
        replaceLinks(&boxes); // only the cables of boxes that were built again or moved
    }
    finishUpdate();
}

void DesignScene::replaceLinks(const QSet<QString> *boxes)
{
    if (!boxes) {
        for (QGraphicsItem *item : items()) {
            if (LinkItem *link = asLink(item)) {
                m_anchors.remove(link->id());
                removeItem(link);
                delete link;
            }
        }
        return addLinks();
    }
    QStringList affected;
    for (auto it = m_linkEnds.cbegin(); it != m_linkEnds.cend(); ++it) {
        if (std::ranges::any_of(*it, [&](const QString &end) { return boxes->contains(end); }))
            affected << it.key();
    }
    for (const QString &id : std::as_const(affected)) {
        if (LinkItem *link = asLink(m_anchors.value(id).item)) {
            m_anchors.remove(id);
            removeItem(link);
            delete link;
        }
        if (const Element *link = m_design->find(id))
            addLink(*link);
    }
}

} // namespace converge::views
