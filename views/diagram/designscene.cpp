#include "designscene.h"

#include "views/diagram/diagramitems.h"
#include "views/diagram/hostlayout.h"
#include "views/elementsummary.h"
#include "views/session/designsession.h"

#include <QGraphicsSceneHelpEvent>
#include <QGraphicsSceneMouseEvent>
#include <QJsonArray>
#include <QTimer>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace converge::views {

using core::Design;
using core::Element;
using core::ElementKind;
namespace key = core::key;
namespace value = core::value;

namespace {

// Geometry, in scene units (pixels at 100 %).
constexpr qreal pad = BlockItem::pad, portWidth = 72;

QString portText(const Element &port)
{
    if (port.value(key::mode).toString() == value::trunk)
        return QStringLiteral("trunk");
    if (port.props.contains(key::accessVlan))
        return QStringLiteral("VLAN %1").arg(port.value(key::accessVlan).toInt());
    return port.value(key::mode).toString();
}

// A physical switch: name and model on top, its ports along the bottom edge.
std::unique_ptr<BlockItem> buildPhysicalSwitch(const Design &design, const Element &sw,
                                               const DiagramStyle *style)
{
    auto item = std::make_unique<BlockItem>(DesignScene::PhysicalSwitchItemType, sw.id, style);
    const auto ports = design.children(sw.id, ElementKind::SwitchPort);
    const qreal width = std::max<qreal>(200, qreal(ports.size()) * portWidth) + 2 * pad;
    const qreal captionHeight = style->boldFm.height() + style->smallFm.height();
    QStringList about{sw.value(key::model).toString(), sw.value(key::managementAddress).toString()};
    about.removeAll(QString());
    item->addCell({QRectF(pad, pad, width - 2 * pad, captionHeight), CellStyle::Caption, sw.id,
                   sw.name(), about.join(QStringLiteral(" \u00b7 "))});
    const qreal bottom = pad + captionHeight + 6 + style->chipHeight / 2;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        const QRectF rect(pad + qreal(i) * portWidth + 3, bottom - style->chipHeight / 2,
                          portWidth - 6, style->chipHeight);
        item->addCell({rect, CellStyle::Port, ports[i]->id, ports[i]->name(), portText(*ports[i])});
    }
    item->setBox(QRectF(0, 0, width, bottom));
    return item;
}

constexpr qreal hostGap = 48, rowGap = 70, switchGap = 30, cableSpace = 130;

// Hosts in a grid: one row for small designs; for big ones, as many columns as make the grid
// about 16:10 on screen, whatever the boxes' shape.
int gridColumns(const std::vector<QGraphicsItem *> &hosts)
{
    const int n = int(hosts.size());
    if (n <= 4)
        return std::max(n, 1);
    qreal width = 0, height = 0;
    for (const QGraphicsItem *host : hosts) {
        width += host->boundingRect().width() + hostGap;
        height += host->boundingRect().height() + rowGap;
    }
    return std::clamp(int(std::ceil(std::sqrt(n * 1.6 * height / width))), 1, n);
}

class HostGrid
{
public:
    explicit HostGrid(const std::vector<QGraphicsItem *> &hosts)
        : m_count(int(hosts.size()))
        , m_columns(gridColumns(hosts))
        , m_x(m_columns + 1, 0)
        , m_heights((m_count + m_columns - 1) / m_columns, 0)
    {
        std::vector<qreal> widths(m_columns, 0);
        for (int i = 0; i < m_count; ++i) {
            const QRectF r = hosts[i]->boundingRect();
            widths[i % m_columns] = std::max(widths[i % m_columns], r.width());
            m_heights[i / m_columns] = std::max(m_heights[i / m_columns], r.height());
        }
        for (int c = 0; c < m_columns; ++c)
            m_x[c + 1] = m_x[c] + widths[c] + hostGap;
    }

    qreal width() const { return std::max<qreal>(m_x[m_columns] - hostGap, 0); }

    void place(const std::vector<QGraphicsItem *> &hosts, qreal top) const
    {
        qreal y = top;
        for (int i = 0; i < m_count; ++i) {
            if (i > 0 && i % m_columns == 0)
                y += m_heights[i / m_columns - 1] + rowGap;
            hosts[i]->setPos(m_x[i % m_columns], y);
        }
    }

private:
    int m_count;
    int m_columns;
    std::vector<qreal> m_x;
    std::vector<qreal> m_heights;
};

qreal rowWidth(const std::vector<QGraphicsItem *> &items)
{
    qreal width = -switchGap;
    for (const QGraphicsItem *item : items)
        width += item->boundingRect().width() + switchGap;
    return width;
}

// Switches in rows of at most `wrap`, bottoms aligned so cables start level; a single row is
// centred over `centreWidth` (0: rows start at the left). Returns the height taken.
qreal placeSwitches(const std::vector<QGraphicsItem *> &switches, qreal centreWidth, qreal wrap)
{
    qreal y = 0;
    const auto at = [&switches](std::size_t i) {
        return switches.begin() + static_cast<std::ptrdiff_t>(i);
    };
    for (std::size_t i = 0; i < switches.size();) {
        std::size_t end = i + 1;
        while (end < switches.size() && rowWidth({at(i), at(end + 1)}) <= wrap)
            ++end;
        const std::vector<QGraphicsItem *> row(at(i), at(end));
        qreal height = 0;
        for (const QGraphicsItem *item : row)
            height = std::max(height, item->boundingRect().height());
        qreal x = centreWidth > 0 ? (centreWidth - rowWidth(row)) / 2 : 0;
        for (QGraphicsItem *item : row) {
            item->setPos(x, y + height - item->boundingRect().height());
            x += item->boundingRect().width() + switchGap;
        }
        y += height + rowGap;
        i = end;
    }
    return std::max<qreal>(y - rowGap, 0);
}

} // namespace

DesignScene::DesignScene(QObject *parent)
    : QGraphicsScene(parent)
{
}

DesignScene::~DesignScene()
{
    if (m_design)
        m_design->removeListener(m_listener);
    clear(); // items use m_style
}

void DesignScene::setDesign(Design *design)
{
    if (m_design)
        m_design->removeListener(m_listener);
    m_design = design;
    if (m_design)
        m_listener = m_design->addListener([this](const std::vector<core::Change> &changes) {
            noteChanges(changes);
            scheduleRebuild();
        });
    m_selected.clear();
    m_severities.clear();
    rebuild();
}

void DesignScene::scheduleRebuild()
{
    // An edit can touch many elements; update once, after it, from the event loop.
    if (m_rebuildPending)
        return;
    m_rebuildPending = true;
    QTimer::singleShot(0, this, [this] {
        if (m_rebuildPending)
            applyChanges();
    });
}

void DesignScene::rebuild()
{
    m_rebuildPending = false;
    m_pending = {};
    m_syncingSelection = true; // boxes leaving Qt's selection are not a choice of the admin's
    clear();
    m_syncingSelection = false;
    m_anchors.clear();
    if (m_gesture) { // its items are gone; what it drew as a target goes too
        m_gesture.reset();
        if (m_session)
            m_selected = m_session->selection();
    }
    m_style = std::make_unique<DiagramStyle>(font());
    m_style->design = m_design;
    m_style->severities = &m_severities;
    if (m_design)
        buildItems();
    finishUpdate();
}

void DesignScene::finishUpdate()
{
    setSceneRect(itemsBoundingRect().adjusted(-24, -24, 24, 24));
    updateBadges();
    setSelectedElements(std::exchange(m_selected, QStringList()));
    Q_EMIT rebuilt();
}

std::unique_ptr<BlockItem> DesignScene::buildBlock(const Element &e) const
{
    auto item = e.kind == ElementKind::Host ? buildHostItem(*m_design, e, m_style.get())
                                            : buildPhysicalSwitch(*m_design, e, m_style.get());
    item->setFlag(QGraphicsItem::ItemIsSelectable, m_session != nullptr); // rubber band
    return item;
}

void DesignScene::buildItems()
{
    m_anchors.reserve(qsizetype(m_design->size()));
    std::vector<std::unique_ptr<BlockItem>> built;
    std::vector<BlockItem *> blocks;
    for (const Element *e : m_design->children(QString())) {
        if (e->kind != ElementKind::Host && e->kind != ElementKind::PhysicalSwitch)
            continue;
        built.push_back(buildBlock(*e));
        registerAnchors(built.back().get());
        blocks.push_back(built.back().get());
    }
    placeBlocks(blocks); // before adding, so the index is built once
    for (auto &item : built)
        addItem(item.release());
    addLinks();
}

void DesignScene::placeBlocks(const std::vector<BlockItem *> &blocks)
{
    std::vector<QGraphicsItem *> hosts, switches;
    for (BlockItem *b : blocks)
        (b->type() == HostItemType ? hosts : switches).push_back(b);
    layOut(hosts, switches);
    m_automatic.clear();
    for (BlockItem *b : blocks) {
        m_automatic.insert(b->id(), b->pos());
        placeAtSavedPosition(b);
    }
}

void DesignScene::placeAtSavedPosition(BlockItem *block)
{
    // A saved position wins over the automatic layout.
    const Element *e = m_design->find(block->id());
    const QJsonArray xy = e ? e->value(key::position).toArray() : QJsonArray();
    block->setPos(xy.size() == 2 ? QPointF(xy[0].toDouble(), xy[1].toDouble())
                                 : m_automatic.value(block->id(), block->pos()));
}

void DesignScene::registerAnchors(QGraphicsItem *item)
{
    BlockItem *block = asBlock(item);
    m_anchors.insert(block->id(), {item, -1});
    const auto &cells = block->cells();
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (!cells[i].id.isEmpty() && cells[i].id != block->id())
            m_anchors.insert(cells[i].id, {item, int(i)});
    }
}

void DesignScene::layOut(const std::vector<QGraphicsItem *> &hosts,
                         std::vector<QGraphicsItem *> switches)
{
    const HostGrid hostGrid(hosts);
    hostGrid.place(hosts, 0); // x first: ordering the switches looks at where the NICs are
    const qreal wrap = std::max<qreal>(hostGrid.width(), 1200);
    const bool oneRow = rowWidth(switches) <= wrap;
    if (oneRow)
        sortByCables(switches, hostGrid.width());
    const qreal switchesHeight = placeSwitches(switches, oneRow ? hostGrid.width() : 0, wrap);
    hostGrid.place(hosts, switches.empty() ? 0 : switchesHeight + cableSpace);
}

void DesignScene::sortByCables(std::vector<QGraphicsItem *> &switches, qreal fallbackX) const
{
    // Each switch goes where the NICs it is cabled to are, on average, to limit crossings.
    std::map<const QGraphicsItem *, std::pair<qreal, int>> pull;
    for (const Element *link : m_design->children(QString(), ElementKind::Link)) {
        const QString a = link->value(key::a).toString();
        const QString b = link->value(key::b).toString();
        for (const auto &[port, nic] : {std::pair(a, b), std::pair(b, a)}) {
            const QGraphicsItem *sw = m_anchors.value(port).item;
            QPointF direction;
            const auto at = attachPoint(nic, &direction);
            if (sw && sw->type() == PhysicalSwitchItemType && at &&
                m_anchors.value(nic).item->type() == HostItemType) {
                pull[sw].first += at->x();
                pull[sw].second += 1;
            }
        }
    }
    std::ranges::stable_sort(switches, {}, [&](const QGraphicsItem *item) {
        auto it = pull.find(item);
        return it == pull.end() ? fallbackX : it->second.first / it->second.second;
    });
}

std::optional<QPointF> DesignScene::attachPoint(const QString &id, QPointF *direction) const
{
    const Anchor anchor = m_anchors.value(id);
    BlockItem *block = asBlock(anchor.item);
    if (!block || anchor.cell < 0)
        return std::nullopt;
    const Cell &cell = block->cells()[anchor.cell];
    if (cell.style == CellStyle::Nic) {
        *direction = QPointF(0, -1);
        return block->mapToScene(QPointF(cell.rect.center().x(), cell.rect.top()));
    }
    if (cell.style == CellStyle::Port) {
        *direction = QPointF(0, 1);
        return block->mapToScene(QPointF(cell.rect.center().x(), cell.rect.bottom()));
    }
    return std::nullopt;
}

void DesignScene::addLinks()
{
    m_linkEnds.clear();
    for (const Element *link : m_design->children(QString(), ElementKind::Link))
        addLink(*link);
}

void DesignScene::addLink(const Element &link)
{
    // The boxes at its ends, which order their NICs by where cables go.
    QStringList &ends = m_linkEnds[link.id];
    ends.clear();
    for (QLatin1StringView end : {key::a, key::b}) {
        if (BlockItem *block = asBlock(m_anchors.value(link.value(end).toString()).item))
            ends << block->id();
    }
    QPointF da, db;
    const auto a = attachPoint(link.value(key::a).toString(), &da);
    const auto b = attachPoint(link.value(key::b).toString(), &db);
    if (!a || !b)
        return;
    const qreal reach = std::max<qreal>(40, std::abs(b->y() - a->y()) / 2);
    QPainterPath path(*a);
    path.cubicTo(*a + da * reach, *b + db * reach, *b);
    auto *item = new LinkItem(link.id, path);
    addItem(item);
    m_anchors.insert(link.id, {item, -1});
}

QGraphicsItem *DesignScene::itemFor(const QString &id) const
{
    return m_anchors.value(id).item;
}

QRectF DesignScene::elementRect(const QString &id) const
{
    const Anchor anchor = m_anchors.value(id);
    if (BlockItem *block = asBlock(anchor.item); block && anchor.cell >= 0)
        return block->mapRectToScene(block->cells()[anchor.cell].rect);
    return anchor.item ? anchor.item->sceneBoundingRect() : QRectF();
}

QString DesignScene::elementAt(const QPointF &scenePos) const
{
    for (QGraphicsItem *item : items(scenePos)) {
        if (BlockItem *block = asBlock(item)) {
            const int cell = block->cellAt(block->mapFromScene(scenePos));
            return cell >= 0 ? block->cells()[cell].id : block->id();
        }
        if (LinkItem *link = asLink(item))
            return link->id();
    }
    return {};
}

void DesignScene::setSelectedElements(const QStringList &ids)
{
    // Qt's own selection (the rubber band's) follows ours, so that it never selects anything
    // by itself later (when a box it holds is built again, say).
    QSet<QGraphicsItem *> boxes;
    for (const QString &id : ids) {
        const Anchor anchor = m_anchors.value(id);
        if (anchor.cell < 0 && asBlock(anchor.item))
            boxes.insert(anchor.item);
    }
    const QList<QGraphicsItem *> qtSelected = selectedItems();
    if (QSet<QGraphicsItem *>(qtSelected.begin(), qtSelected.end()) != boxes) {
        m_syncingSelection = true;
        clearSelection();
        for (QGraphicsItem *box : std::as_const(boxes))
            box->setSelected(true);
        m_syncingSelection = false;
    }
    for (const QString &id : std::as_const(m_selected)) {
        const Anchor anchor = m_anchors.value(id);
        if (BlockItem *block = asBlock(anchor.item))
            block->setHighlights({});
        else if (LinkItem *link = asLink(anchor.item))
            link->setHighlighted(false);
    }
    m_selected = ids;
    QHash<BlockItem *, std::vector<int>> cells;
    for (const QString &id : ids) {
        const Anchor anchor = m_anchors.value(id);
        if (BlockItem *block = asBlock(anchor.item))
            cells[block].push_back(anchor.cell < 0 ? BlockItem::wholeBox : anchor.cell);
        else if (LinkItem *link = asLink(anchor.item))
            link->setHighlighted(true);
    }
    for (auto it = cells.begin(); it != cells.end(); ++it)
        it.key()->setHighlights(it.value());
}

QStringList DesignScene::labels() const
{
    QStringList out;
    for (QGraphicsItem *item : items(Qt::AscendingOrder)) {
        if (BlockItem *block = asBlock(item)) {
            for (const Cell &cell : block->cells())
                out << cell.text
                    << block->detailOf(cell).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        }
    }
    out.removeAll(QString());
    return out;
}

void DesignScene::helpEvent(QGraphicsSceneHelpEvent *event)
{
    const Element *e = m_design ? m_design->find(elementAt(event->scenePos())) : nullptr;
    if (!e) {
        QToolTip::hideText();
        event->ignore();
        return;
    }
    QToolTip::showText(event->screenPos(),
                       QStringLiteral("<b>%1 %2</b><br>%3")
                           .arg(kindLabel(e->kind), e->name().toHtmlEscaped(),
                                elementDetails(*m_design, *e).toHtmlEscaped()),
                       event->widget());
    event->accept();
}

} // namespace converge::views
