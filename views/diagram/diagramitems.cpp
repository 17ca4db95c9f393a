#include "diagramitems.h"

#include "views/diagram/designscene.h"
#include "views/elementsummary.h"
#include "views/icons.h"

#include <QApplication>
#include <QJsonArray>
#include <QPaintEngine>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <QSvgRenderer>

#include <algorithm>
#include <cmath>

namespace converge::views {

using core::Element;
namespace key = core::key;
namespace value = core::value;

namespace {

QFont derived(QFont font, qreal scale, bool bold)
{
    font.setPointSizeF(font.pointSizeF() * scale);
    font.setBold(bold);
    return font;
}

namespace colors {
const QColor text(0x1c, 0x26, 0x30), detail(0x55, 0x61, 0x6e), legend(0x7a, 0x86, 0x91);
const QColor hostFill(Qt::white), hostBorder(0x8c, 0x99, 0xa6);
const QColor switchFill(0xee, 0xf2, 0xf6), switchBorder(0x70, 0x7e, 0x8c);
const QColor nicFill(0xe4, 0xee, 0xfa), nicBorder(0x6d, 0x8f, 0xb8);
const QColor teamFill(0xfc, 0xef, 0xd9), teamBorder(0xc3, 0x94, 0x45);
const QColor vswitchFill(0xe2, 0xf3, 0xe5), vswitchBorder(0x5e, 0x9c, 0x6b);
const QColor portFill(Qt::white), portBorder(0x85, 0x93, 0xa1);
const QColor wire(0x7b, 0x87, 0x93), link(0x51, 0x65, 0x7a), separator(0xd8, 0xde, 0xe4);
const QColor highlight(0x1f, 0x6f, 0xd1);
} // namespace colors

QPen cosmeticPen(const QColor &color, qreal width)
{
    QPen p(color, width);
    p.setCosmetic(true);
    return p;
}

// A finding badge: red disc with a cross, amber disc with "!", blue disc with "i".
void paintSeverity(QPainter *painter, const QRectF &r, int severity)
{
    static const QColor fills[] = {QColor(0xd3, 0x2f, 0x2f), QColor(0xf0, 0xa2, 0x02),
                                   QColor(0x1e, 0x7b, 0xc8)};
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(cosmeticPen(Qt::white, 1.2));
    painter->setBrush(fills[std::clamp(severity, 0, 2)]);
    painter->drawEllipse(r);
    QPen mark(Qt::white, r.width() * 0.14, Qt::SolidLine, Qt::RoundCap);
    painter->setPen(mark);
    const QPointF c = r.center();
    const qreal k = r.width() * 0.2;
    if (severity == 0) {
        painter->drawLine(c + QPointF(-k, -k), c + QPointF(k, k));
        painter->drawLine(c + QPointF(-k, k), c + QPointF(k, -k));
    } else {
        const qreal sign = severity == 1 ? 1 : -1; // "!" has its dot below, "i" above
        painter->drawLine(c + QPointF(0, -k * 1.3 * sign), c + QPointF(0, k * 0.5 * sign));
        painter->drawPoint(c + QPointF(0, k * 1.35 * sign));
    }
    painter->restore();
}

// The kind's icon, `size` points square, at `at` (top left): a cached pixmap on screen, the
// SVG itself in vector output (PDF, SVG, printing), so exports stay sharp and image-free.
void drawIcon(QPainter *painter, core::ElementKind kind, QPointF at, int size)
{
    const QPaintEngine *engine = painter->paintEngine();
    if (engine && engine->type() != QPaintEngine::Raster &&
        engine->type() != QPaintEngine::OpenGL2) {
        static QHash<int, QSvgRenderer *> renderers; // GUI thread only, like all painting
        QSvgRenderer *&renderer = renderers[int(kind)];
        if (!renderer)
            renderer = new QSvgRenderer(icons::path(kind), qApp);
        renderer->render(painter, QRectF(at, QSizeF(size, size)));
        return;
    }
    const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    const qreal scale = std::max<qreal>(1, painter->worldTransform().m11());
    painter->drawPixmap(QRectF(at, QSizeF(size, size)),
                        icons::pixmap(kind, size, std::min<qreal>(dpr * scale, 4)), QRectF());
}

// A stable, readable colour per VLAN id, so the same VLAN looks the same everywhere.
QColor vlanColor(int vlan)
{
    return QColor::fromHsv(int((vlan * 137) % 360), 110, 215);
}

void drawElided(QPainter *painter, const QRectF &rect, const QString &text, const QFontMetricsF &fm,
                Qt::Alignment align)
{
    painter->drawText(rect, int(align | Qt::AlignVCenter),
                      fm.elidedText(text, Qt::ElideRight, rect.width()));
}

} // namespace

DiagramStyle::DiagramStyle(const QFont &base)
    : font(base)
    , bold(derived(base, 1, true))
    , small(derived(base, 0.88, false))
    , smallBold(derived(base, 0.88, true))
    , fm(font)
    , boldFm(bold)
    , smallFm(small)
    , line(std::ceil(fm.height()) + 4)
    , chipHeight(std::ceil(boldFm.height() + smallFm.height()) + 8)
{
}

BlockItem::BlockItem(int type, QString id, const DiagramStyle *style)
    : m_type(type)
    , m_id(std::move(id))
    , m_style(style)
{
    setFlag(ItemUsesExtendedStyleOption);
}

int BlockItem::addCell(Cell cell)
{
    m_cells.push_back(std::move(cell));
    return int(m_cells.size()) - 1;
}

void BlockItem::addWire(QPointF from, QPointF to)
{
    m_wires.moveTo(from);
    m_wires.lineTo(to);
}

void BlockItem::addDot(QPointF at)
{
    m_wires.addEllipse(at, 1.8, 1.8);
}

void BlockItem::setBox(const QRectF &box)
{
    prepareGeometryChange();
    m_box = box;
    m_bounds = box;
    for (const Cell &cell : m_cells)
        m_bounds |= cell.rect;
    m_bounds.adjust(-3, -3, 3, 3);
}

QString BlockItem::detailOf(const Cell &cell) const
{
    if (cell.style != CellStyle::Row || !cell.detail.isEmpty() || !m_style->design)
        return cell.detail;
    const Element *e = m_style->design->find(cell.id);
    return e ? elementDetails(*m_style->design, *e) : QString();
}

int BlockItem::cellAt(QPointF pos) const
{
    for (std::size_t i = m_cells.size(); i-- > 0;) {
        if (!m_cells[i].id.isEmpty() && m_cells[i].rect.contains(pos))
            return int(i);
    }
    return -1;
}

int BlockItem::cellOf(const QString &id) const
{
    if (id == m_id)
        return wholeBox;
    for (std::size_t i = 0; i < m_cells.size(); ++i) {
        if (m_cells[i].id == id)
            return int(i);
    }
    return -2;
}

void BlockItem::setHighlights(std::vector<int> cells)
{
    if (cells == m_highlights)
        return;
    m_highlights = std::move(cells);
    update();
}

void BlockItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const bool host = m_type == DesignScene::HostItemType;
    painter->setPen(cosmeticPen(host ? colors::hostBorder : colors::switchBorder, 1.2));
    painter->setBrush(host ? colors::hostFill : colors::switchFill);
    painter->drawRoundedRect(m_box, 8, 8);
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    if (lod >= 0.1 && lod < 0.45 && !m_cells.empty()) {
        // Zoomed out: only the name, as big as reads well and fits.
        const QRectF room = m_box.adjusted(pad, pad, -pad, -pad);
        QFont title = m_style->bold;
        title.setPixelSize(std::max(1, int(std::min(13 / lod, room.height() * 0.8))));
        painter->setFont(title);
        painter->setPen(colors::text);
        painter->drawText(
            room, Qt::AlignLeft | Qt::AlignTop,
            QFontMetricsF(title).elidedText(m_cells.front().text, Qt::ElideRight, room.width()));
    } else if (lod >= 0.45) {
        painter->setPen(cosmeticPen(colors::wire, 1.3));
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(m_wires);
        for (const Cell &cell : m_cells) {
            if (cell.rect.intersects(option->exposedRect)) {
                paintCell(painter, cell);
                if (!cell.id.isEmpty())
                    paintBadge(painter, cell.rect, cell.id);
            }
        }
    }
    if (lod < 0.45 && m_worst >= 0) {
        // Zoomed out: one badge for the worst finding anywhere in the box, sized to be seen.
        const qreal size = std::min(18 / std::max(lod, 0.02), m_box.height() / 2);
        paintSeverity(painter,
                      QRectF(m_box.right() - size * 1.2, m_box.top() + size * 0.2, size, size),
                      m_worst);
    }
    painter->setPen(cosmeticPen(colors::highlight, 2.5));
    painter->setBrush(Qt::NoBrush);
    for (int cell : m_highlights) {
        const bool whole = cell < 0 || cell >= int(m_cells.size());
        painter->drawRoundedRect(whole ? m_box : m_cells[cell].rect.adjusted(-2, -1, 2, 1), 6, 6);
    }
}

void BlockItem::paintBadge(QPainter *painter, const QRectF &cell, const QString &id) const
{
    if (!m_style->severities)
        return;
    const auto it = m_style->severities->constFind(id);
    if (it == m_style->severities->constEnd())
        return;
    const qreal size = 13;
    paintSeverity(painter, QRectF(cell.right() - size + 4, cell.top() - 5, size, size), *it);
}

void BlockItem::paintCell(QPainter *painter, const Cell &cell) const
{
    const DiagramStyle &s = *m_style;
    switch (cell.style) {
    case CellStyle::Caption: {
        const int icon = int(s.boldFm.height());
        drawIcon(painter,
                 m_type == DesignScene::HostItemType ? core::ElementKind::Host
                                                     : core::ElementKind::PhysicalSwitch,
                 cell.rect.topLeft(), icon);
        painter->setFont(s.bold);
        painter->setPen(colors::text);
        QRectF r(cell.rect.topLeft() + QPointF(icon + 4, 0),
                 QSizeF(cell.rect.width() - icon - 4, s.boldFm.height()));
        drawElided(painter, r, cell.text, s.boldFm, Qt::AlignLeft);
        r.moveLeft(cell.rect.left());
        r.setWidth(cell.rect.width());
        painter->setFont(s.small);
        painter->setPen(colors::detail);
        for (const QString &line : cell.detail.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            r.translate(0, r.height());
            r.setHeight(s.smallFm.height());
            drawElided(painter, r, line, s.smallFm, Qt::AlignLeft);
        }
        return;
    }
    case CellStyle::Legend:
        painter->setFont(s.small);
        painter->setPen(colors::legend);
        drawElided(painter, cell.rect, cell.text, s.smallFm, Qt::AlignLeft);
        return;
    case CellStyle::Section:
        painter->setPen(cosmeticPen(colors::separator, 1));
        painter->drawLine(cell.rect.topLeft(), cell.rect.topRight());
        painter->setFont(s.smallBold);
        painter->setPen(colors::legend);
        drawElided(painter, cell.rect.adjusted(0, 2, 0, 0), cell.text, s.smallFm, Qt::AlignLeft);
        return;
    case CellStyle::Vm:
    case CellStyle::Row:
        paintRow(painter, cell);
        return;
    default:
        paintChip(painter, cell);
    }
}

void BlockItem::paintChip(QPainter *painter, const Cell &cell) const
{
    static const std::pair<QColor, QColor> looks[] = {{colors::nicFill, colors::nicBorder},
                                                      {colors::teamFill, colors::teamBorder},
                                                      {colors::vswitchFill, colors::vswitchBorder},
                                                      {colors::portFill, colors::portBorder}};
    const auto &[fill, border] = looks[int(cell.style) - int(CellStyle::Nic)];
    painter->setPen(cosmeticPen(border, 1));
    painter->setBrush(fill);
    painter->drawRoundedRect(cell.rect, 4, 4);
    const DiagramStyle &s = *m_style;
    const QRectF inner = cell.rect.adjusted(4, 3, -4, -3);
    QRectF top(inner.topLeft(), QSizeF(inner.width(), s.boldFm.height()));
    // The kind's icon in the corner, where the name leaves room for it.
    static constexpr core::ElementKind kinds[] = {
        core::ElementKind::PhysicalNic, core::ElementKind::Team, core::ElementKind::VirtualSwitch,
        core::ElementKind::SwitchPort};
    const int icon = int(s.smallFm.height());
    if (s.boldFm.horizontalAdvance(cell.text) + 2 * (icon + 4) <= inner.width())
        drawIcon(painter, kinds[int(cell.style) - int(CellStyle::Nic)], inner.topLeft(), icon);
    painter->setFont(s.bold);
    painter->setPen(colors::text);
    drawElided(painter, top, cell.text, s.boldFm, Qt::AlignHCenter);
    painter->setFont(s.small);
    painter->setPen(colors::detail);
    drawElided(painter, QRectF(top.bottomLeft(), QSizeF(inner.width(), s.smallFm.height())),
               cell.detail, s.smallFm, Qt::AlignHCenter);
}

void BlockItem::paintRow(QPainter *painter, const Cell &cell) const
{
    const DiagramStyle &s = *m_style;
    const bool vm = cell.style == CellStyle::Vm;
    const int icon = int(s.smallFm.height());
    drawIcon(painter, vm ? core::ElementKind::VirtualMachine : core::ElementKind::VirtualNic,
             QPointF(cell.rect.left(), cell.rect.center().y() - icon / 2.0), icon);
    const QRectF name(cell.rect.left() + icon + 3, cell.rect.top(), cell.split - 11 - icon,
                      cell.rect.height());
    painter->setFont(vm ? s.bold : s.font);
    painter->setPen(colors::text);
    drawElided(painter, name, cell.text, vm ? s.boldFm : s.fm, Qt::AlignLeft);
    QRectF detail = cell.rect.adjusted(cell.split, 0, 0, 0);
    if (!vm)
        paintVnicMarks(painter, detail, cell.id);
    painter->setFont(s.font);
    painter->setPen(colors::detail);
    drawElided(painter, detail, detailOf(cell), s.fm, Qt::AlignLeft);
}

// At the right end of a vNIC row: its VLAN as a coloured pill, then marks for port ACLs and
// port mirroring. Takes the room they use from `room`.
void BlockItem::paintVnicMarks(QPainter *painter, QRectF &room, const QString &id) const
{
    const Element *vnic = m_style->design ? m_style->design->find(id) : nullptr;
    if (!vnic)
        return;
    const DiagramStyle &s = *m_style;
    qreal right = room.right() - 14; // leave the badge its corner
    const auto mark = [&](const QString &text, const QColor &fill, const QColor &ink) {
        const qreal w = s.smallFm.horizontalAdvance(text) + 10;
        const QRectF pill(right - w, room.top() + 2, w, room.height() - 4);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(pill, pill.height() / 2, pill.height() / 2);
        painter->setFont(s.small);
        painter->setPen(ink);
        painter->drawText(pill, Qt::AlignCenter, text);
        right = pill.left() - 4;
    };
    const QString mode = vnic->value(key::vlanMode).toString();
    if (vnic->props.contains(key::accessVlan)) {
        const int vlan = vnic->value(key::accessVlan).toInt();
        mark(QStringLiteral("VLAN %1").arg(vlan), vlanColor(vlan), colors::text);
    } else if (mode == value::trunk) {
        mark(QStringLiteral("trunk"), colors::separator, colors::text);
    } else if (mode == value::pvlan) {
        mark(QStringLiteral("PVLAN %1").arg(vnic->value(key::pvlanSecondary).toInt()),
             vlanColor(vnic->value(key::pvlanPrimary).toInt()), colors::text);
    }
    if (!vnic->value(key::acls).toArray().isEmpty())
        mark(QStringLiteral("ACL"), QColor(0x44, 0x4f, 0x5a), Qt::white);
    const QString mirror = vnic->value(key::mirroringRole).toString();
    if (!mirror.isEmpty() && mirror != value::none)
        mark(mirror == value::source ? QStringLiteral("mirror \u2192")
                                     : QStringLiteral("\u2192 monitor"),
             QColor(0xf6, 0xd8, 0xb5), colors::text);
    room.setRight(right);
}

LinkItem::LinkItem(QString id, const QPainterPath &path)
    : QGraphicsPathItem(path)
    , m_id(std::move(id))
    , m_points(path.toSubpathPolygons().value(0))
{
    setHighlighted(false);
    setZValue(-1);
    setFlag(ItemUsesExtendedStyleOption); // for exposedRect
}

int LinkItem::type() const
{
    return DesignScene::LinkItemType;
}

QPainterPath LinkItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(6);
    return stroker.createStroke(path());
}

void LinkItem::setHighlighted(bool on)
{
    setPen(on ? cosmeticPen(colors::highlight, 3) : cosmeticPen(colors::link, 1.6));
}

void LinkItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    Q_UNUSED(widget);
    // Far out, thousands of cables are only a grey mesh over the boxes: leave them out.
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.1)
        return;
    painter->setPen(pen());
    painter->setBrush(Qt::NoBrush);
    const QRectF exposed = option->exposedRect.adjusted(-3, -3, 3, 3);
    QPolygonF run; // consecutive segments that touch the exposed area
    for (qsizetype i = 1; i < m_points.size(); ++i) {
        const QPointF a = m_points[i - 1], b = m_points[i];
        const QRectF segment = QRectF(a, b).normalized().adjusted(-0.5, -0.5, 0.5, 0.5);
        if (segment.intersects(exposed)) {
            if (run.isEmpty())
                run << a;
            run << b;
        } else if (!run.isEmpty()) {
            painter->drawPolyline(run);
            run.clear();
        }
    }
    if (!run.isEmpty())
        painter->drawPolyline(run);
}

BlockItem *asBlock(QGraphicsItem *item)
{
    const bool block = item && (item->type() == DesignScene::HostItemType ||
                                item->type() == DesignScene::PhysicalSwitchItemType);
    return block ? static_cast<BlockItem *>(item) : nullptr;
}

LinkItem *asLink(QGraphicsItem *item)
{
    return item && item->type() == DesignScene::LinkItemType ? static_cast<LinkItem *>(item)
                                                             : nullptr;
}

} // namespace converge::views
