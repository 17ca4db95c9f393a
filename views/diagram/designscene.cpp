#include "designscene.h"

#include "views/tree/designtreemodel.h"

#include <QFontMetricsF>
#include <QGraphicsPathItem>
#include <QGraphicsSceneHelpEvent>
#include <QGraphicsSceneMouseEvent>
#include <QJsonArray>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <QTimer>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <optional>

namespace converge::views {

using core::Design;
using core::Element;
using core::ElementKind;

// Fonts and metrics every item of one build shares; the scene owns it.
struct DiagramStyle
{
    explicit DiagramStyle(const QFont &base);

    QFont font, bold, small, smallBold;
    QFontMetricsF fm, boldFm, smallFm;
    qreal line;                     // a text row
    qreal chipHeight;               // a NIC, team, switch or port: name over a detail line
    const Design *design = nullptr; // for the details of vNIC rows, made when painted
};

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

// Geometry, in scene units (pixels at 100 %).
constexpr qreal pad = 10, captionWidth = 136, columnWidth = 84, laneGap = 16, portWidth = 72;
constexpr int minColumns = 4;
constexpr int noHighlight = -2;

enum class CellStyle { Caption, Legend, Section, Nic, Team, Switch, Port, Vm, Row };

// One thing drawn inside a box: a caption, a NIC or port chip, a team or switch bar, a row.
struct Cell
{
    QRectF rect;
    CellStyle style;
    QString id; // the element shown; empty for legends and section titles
    QString text;
    QString detail;  // vNIC rows: empty, made from the design when painted (most are never seen)
    qreal split = 0; // rows: where the detail column starts, from rect.left()
};

QPen cosmeticPen(const QColor &color, qreal width)
{
    QPen p(color, width);
    p.setCosmetic(true);
    return p;
}

void drawElided(QPainter *painter, const QRectF &rect, const QString &text, const QFontMetricsF &fm,
                Qt::Alignment align)
{
    painter->drawText(rect, int(align | Qt::AlignVCenter),
                      fm.elidedText(text, Qt::ElideRight, rect.width()));
}

// A host or a physical switch: a rounded box painting its own cells. Cheap to build (texts
// only; no child items) and cheap to paint (only exposed cells; a plain box when zoomed out).
class BlockItem : public QGraphicsItem
{
public:
    BlockItem(int type, QString id, const DiagramStyle *style)
        : m_type(type)
        , m_id(std::move(id))
        , m_style(style)
    {
        setFlag(ItemUsesExtendedStyleOption);
    }

    int type() const override { return m_type; }
    QString id() const { return m_id; }
    QRectF boundingRect() const override { return m_bounds; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override;

    int addCell(Cell cell)
    {
        m_cells.push_back(std::move(cell));
        return int(m_cells.size()) - 1;
    }
    void addWire(QPointF from, QPointF to)
    {
        m_wires.moveTo(from);
        m_wires.lineTo(to);
    }
    void setBox(const QRectF &box)
    {
        prepareGeometryChange();
        m_box = box;
        m_bounds = box;
        for (const Cell &cell : m_cells)
            m_bounds |= cell.rect;
        m_bounds.adjust(-3, -3, 3, 3);
    }
    const std::vector<Cell> &cells() const { return m_cells; }
    QString detailOf(const Cell &cell) const
    {
        if (cell.style != CellStyle::Row || !cell.detail.isEmpty() || !m_style->design)
            return cell.detail;
        const Element *e = m_style->design->find(cell.id);
        return e ? elementDetails(*m_style->design, *e) : QString();
    }
    int cellAt(QPointF pos) const
    {
        for (std::size_t i = m_cells.size(); i-- > 0;) {
            if (!m_cells[i].id.isEmpty() && m_cells[i].rect.contains(pos))
                return int(i);
        }
        return -1;
    }
    void setHighlight(int cell)
    {
        m_highlight = cell;
        update();
    }

private:
    void paintCell(QPainter *painter, const Cell &cell) const;
    void paintChip(QPainter *painter, const Cell &cell) const;
    void paintRow(QPainter *painter, const Cell &cell) const;

    int m_type;
    QString m_id;
    const DiagramStyle *m_style;
    QRectF m_box, m_bounds;
    std::vector<Cell> m_cells;
    QPainterPath m_wires;
    int m_highlight = noHighlight;
};

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
            if (cell.rect.intersects(option->exposedRect))
                paintCell(painter, cell);
        }
    }
    if (m_highlight == noHighlight)
        return;
    const bool whole = m_highlight < 0 || m_highlight >= int(m_cells.size());
    painter->setPen(cosmeticPen(colors::highlight, 2.5));
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(whole ? m_box : m_cells[m_highlight].rect.adjusted(-2, -1, 2, 1), 6,
                             6);
}

void BlockItem::paintCell(QPainter *painter, const Cell &cell) const
{
    const DiagramStyle &s = *m_style;
    switch (cell.style) {
    case CellStyle::Caption: {
        painter->setFont(s.bold);
        painter->setPen(colors::text);
        QRectF r(cell.rect.topLeft(), QSizeF(cell.rect.width(), s.boldFm.height()));
        drawElided(painter, r, cell.text, s.boldFm, Qt::AlignLeft);
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
    const QRectF name(cell.rect.left(), cell.rect.top(), cell.split - 8, cell.rect.height());
    painter->setFont(vm ? s.bold : s.font);
    painter->setPen(colors::text);
    drawElided(painter, name, cell.text, vm ? s.boldFm : s.fm, Qt::AlignLeft);
    painter->setFont(s.font);
    painter->setPen(colors::detail);
    drawElided(painter, cell.rect.adjusted(cell.split, 0, 0, 0), detailOf(cell), s.fm,
               Qt::AlignLeft);
}

// A cable: a curve leaving a NIC upwards and a port downwards.
class LinkItem : public QGraphicsPathItem
{
public:
    LinkItem(QString id, const QPainterPath &path)
        : QGraphicsPathItem(path)
        , m_id(std::move(id))
    {
        setHighlighted(false);
        setZValue(-1);
    }
    int type() const override { return DesignScene::LinkItemType; }
    QString id() const { return m_id; }
    QPainterPath shape() const override
    {
        QPainterPathStroker stroker;
        stroker.setWidth(6);
        return stroker.createStroke(path());
    }
    void setHighlighted(bool on)
    {
        setPen(on ? cosmeticPen(colors::highlight, 3) : cosmeticPen(colors::link, 1.6));
    }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override
    {
        // Far out, thousands of cables are only a grey mesh over the boxes: leave them out.
        if (option->levelOfDetailFromTransform(painter->worldTransform()) >= 0.1)
            QGraphicsPathItem::paint(painter, option, widget);
    }

private:
    QString m_id;
};

QString platformText(const Element &host)
{
    if (host.value(QStringLiteral("platform")).toString() == QLatin1String("hyperv"))
        return QStringLiteral("Hyper-V %1")
            .arg(host.value(QStringLiteral("edition")).toString())
            .trimmed();
    return QStringLiteral("Linux \u00b7 Open vSwitch");
}

QString nicLabel(const Element &nic)
{
    const QString ifName = nic.value(QStringLiteral("interfaceName")).toString();
    return ifName.isEmpty() || ifName == nic.name()
               ? nic.name()
               : nic.name() + QStringLiteral(" (") + ifName + QLatin1Char(')');
}

// "SwitchIndep · HyperVPort": short enough for a bar two NICs wide.
QString teamText(const Element &team)
{
    QString mode = team.value(QStringLiteral("mode")).toString();
    if (mode == QLatin1String("SwitchIndependent"))
        mode = QStringLiteral("SwitchIndep");
    QStringList parts{mode, team.value(QStringLiteral("loadBalancing")).toString()};
    parts.removeAll(QString());
    return parts.join(QStringLiteral(" \u00b7 "));
}

QString portText(const Element &port)
{
    if (port.value(QStringLiteral("mode")).toString() == QLatin1String("Trunk"))
        return QStringLiteral("trunk");
    if (port.props.contains(QStringLiteral("accessVlan")))
        return QStringLiteral("VLAN %1").arg(port.value(QStringLiteral("accessVlan")).toInt());
    return port.value(QStringLiteral("mode")).toString();
}

// "4 vCPU · 16 GiB": the VM's vNICs are listed right under it.
QString vmText(const Element &vm)
{
    const int vcpus = vm.value(QStringLiteral("vcpus")).toInt();
    const int mib = vm.value(QStringLiteral("memoryMiB")).toInt();
    QString text = vcpus > 0 ? QStringLiteral("%1 vCPU").arg(vcpus) : QString();
    if (mib > 0)
        text += (text.isEmpty() ? QString() : QStringLiteral(" \u00b7 ")) +
                (mib % 1024 == 0 ? QStringLiteral("%1 GiB").arg(mib / 1024)
                                 : QStringLiteral("%1 MiB").arg(mib));
    return text;
}

struct Span
{
    int first = 0;
    int last = 0;
    bool overlaps(const Span &o) const { return first <= o.last && o.first <= last; }
};

// Lays out one host: caption on the left, NICs across the top (a column each), teams under
// their member NICs and switches under their uplinks (packed into lanes so bars never
// overlap), then rows for the management-OS vNICs and for each VM with its vNICs.
class HostBuilder
{
public:
    HostBuilder(const Design &design, const Element &host, const DiagramStyle *style)
        : m_design(design)
        , m_host(host)
        , m_s(*style)
        , m_item(std::make_unique<BlockItem>(DesignScene::HostItemType, host.id, style))
    {
    }

    std::unique_ptr<BlockItem> build()
    {
        for (const Element *c : m_design.children(m_host.id))
            m_children[c->kind].push_back(c);
        const QString cluster = m_host.value(QStringLiteral("cluster")).toString();
        const qreal captionHeight = m_s.boldFm.height() + 2 * m_s.smallFm.height();
        m_item->addCell(
            {QRectF(pad, pad, captionWidth - 12, captionHeight), CellStyle::Caption, m_host.id,
             m_host.name(),
             platformText(m_host) + QLatin1Char('\n') +
                 (cluster.isEmpty() ? QString() : QStringLiteral("cluster ") + cluster)});
        placeNics();
        m_y = std::max(m_s.chipHeight / 2, pad + captionHeight) + laneGap;
        placeBars(ElementKind::Team, CellStyle::Team, QStringLiteral("NIC teams"));
        placeBars(ElementKind::VirtualSwitch, CellStyle::Switch, QStringLiteral("vSwitches"));
        placeRows();
        m_item->setBox(QRectF(0, 0, width(), m_y + pad));
        return std::move(m_item);
    }

private:
    qreal columnX(int column) const { return pad + captionWidth + column * columnWidth; }
    qreal width() const { return columnX(std::max(m_columns, minColumns)) + pad; }

    void placeNics()
    {
        // NICs straddle the top edge, like ports on a chassis; cables arrive from above.
        for (const Element *nic : m_children[ElementKind::PhysicalNic]) {
            const double speed = nic->value(QStringLiteral("speed")).toDouble();
            const QRectF rect(columnX(m_columns) + 3, -m_s.chipHeight / 2, columnWidth - 6,
                              m_s.chipHeight);
            m_cell[nic->id] =
                m_item->addCell({rect, CellStyle::Nic, nic->id, nicLabel(*nic),
                                 speed > 0 ? formatBandwidth(speed)
                                           : nic->value(QStringLiteral("role")).toString()});
            m_span[nic->id] = {m_columns, m_columns};
            ++m_columns;
        }
    }

    // The columns a bar spans: its members' (team) or its uplink's (switch), else a new one.
    Span spanOf(const Element &bar)
    {
        QStringList refs;
        for (const QJsonValue id : bar.value(QStringLiteral("members")).toArray())
            refs << id.toString();
        refs << bar.value(QStringLiteral("uplink")).toString();
        std::optional<Span> span;
        for (const QString &ref : refs) {
            auto it = m_span.constFind(ref);
            if (it == m_span.constEnd())
                continue;
            span =
                span ? Span{std::min(span->first, it->first), std::max(span->last, it->last)} : *it;
        }
        if (span)
            return *span;
        ++m_columns;
        return {m_columns - 1, m_columns - 1};
    }

    void placeBars(ElementKind kind, CellStyle style, const QString &legend)
    {
        const auto &bars = m_children[kind];
        if (bars.empty())
            return;
        std::vector<std::vector<Span>> lanes;
        for (const Element *bar : bars) {
            const Span span = spanOf(*bar);
            std::size_t lane = 0;
            while (lane < lanes.size() && std::ranges::any_of(lanes[lane], [&](const Span &o) {
                       return o.overlaps(span);
                   }))
                ++lane;
            if (lane == lanes.size())
                lanes.emplace_back();
            lanes[lane].push_back(span);
            const QRectF rect(columnX(span.first) + 3, m_y + lane * (m_s.chipHeight + laneGap),
                              (span.last - span.first + 1) * columnWidth - 6, m_s.chipHeight);
            const QString detail = kind == ElementKind::Team
                                       ? teamText(*bar)
                                       : bar->value(QStringLiteral("type")).toString();
            m_cell[bar->id] = m_item->addCell({rect, style, bar->id, bar->name(), detail});
            m_span[bar->id] = span;
            wireUp(*bar, rect);
        }
        m_item->addCell({QRectF(pad, m_y, captionWidth - 12, m_s.chipHeight),
                         CellStyle::Legend,
                         {},
                         legend,
                         {}});
        m_y += lanes.size() * (m_s.chipHeight + laneGap);
    }

    // Team members and switch uplinks: a line from the bottom of each to the top of the bar.
    void wireUp(const Element &bar, const QRectF &rect)
    {
        QStringList sources;
        for (const QJsonValue id : bar.value(QStringLiteral("members")).toArray())
            sources << id.toString();
        sources << bar.value(QStringLiteral("uplink")).toString();
        for (const QString &source : sources) {
            auto it = m_cell.constFind(source);
            if (it == m_cell.constEnd())
                continue;
            const QRectF from = m_item->cells()[*it].rect;
            m_item->addWire(QPointF(from.center().x(), from.bottom()),
                            QPointF(from.center().x(), rect.top()));
        }
    }

    void addSection(const QString &title)
    {
        m_item->addCell(
            {QRectF(pad, m_y, width() - 2 * pad, m_s.line + 2), CellStyle::Section, {}, title, {}});
        m_y += m_s.line + 4;
    }

    void addRow(const Element &e, CellStyle style, qreal indent, const QString &detail = {})
    {
        const qreal left = pad + 6 + indent;
        m_item->addCell({QRectF(left, m_y, width() - pad - left, m_s.line), style, e.id, e.name(),
                         detail, 118 - indent});
        m_y += m_s.line;
    }

    void placeRows()
    {
        const auto &vnics = m_children[ElementKind::VirtualNic];
        const auto &vms = m_children[ElementKind::VirtualMachine];
        if (!vnics.empty()) {
            addSection(QStringLiteral("Management OS"));
            for (const Element *vnic : vnics)
                addRow(*vnic, CellStyle::Row, 0);
            m_y += 6;
        }
        if (!vms.empty()) {
            addSection(QStringLiteral("Virtual machines (%1)").arg(vms.size()));
            for (const Element *vm : vms) {
                addRow(*vm, CellStyle::Vm, 0, vmText(*vm));
                for (const Element *vnic : m_design.children(vm->id, ElementKind::VirtualNic))
                    addRow(*vnic, CellStyle::Row, 14);
                m_y += 3;
            }
        }
    }

    const Design &m_design;
    const Element &m_host;
    const DiagramStyle &m_s;
    std::unique_ptr<BlockItem> m_item;
    std::map<ElementKind, std::vector<const Element *>> m_children;
    QHash<QString, Span> m_span;
    QHash<QString, int> m_cell;
    int m_columns = 0;
    qreal m_y = 0;
};

// A physical switch: name and model on top, its ports along the bottom edge.
std::unique_ptr<BlockItem> buildPhysicalSwitch(const Design &design, const Element &sw,
                                               const DiagramStyle *style)
{
    auto item = std::make_unique<BlockItem>(DesignScene::PhysicalSwitchItemType, sw.id, style);
    const auto ports = design.children(sw.id, ElementKind::SwitchPort);
    const qreal width = std::max<qreal>(200, qreal(ports.size()) * portWidth) + 2 * pad;
    const qreal captionHeight = style->boldFm.height() + style->smallFm.height();
    QStringList about{sw.value(QStringLiteral("model")).toString(),
                      sw.value(QStringLiteral("managementAddress")).toString()};
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
    for (std::size_t i = 0; i < switches.size();) {
        std::size_t end = i + 1;
        while (end < switches.size() &&
               rowWidth({switches.begin() + i, switches.begin() + end + 1}) <= wrap)
            ++end;
        const std::vector<QGraphicsItem *> row(switches.begin() + i, switches.begin() + end);
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
        m_listener = m_design->addListener([this](const auto &) { scheduleRebuild(); });
    m_highlighted.clear();
    rebuild();
}

void DesignScene::scheduleRebuild()
{
    // An edit can touch many elements; rebuild once, after it, from the event loop.
    if (m_rebuildPending)
        return;
    m_rebuildPending = true;
    QTimer::singleShot(0, this, [this] {
        if (m_rebuildPending)
            rebuild();
    });
}

void DesignScene::rebuild()
{
    m_rebuildPending = false;
    clear();
    m_anchors.clear();
    m_style = std::make_unique<DiagramStyle>(font());
    m_style->design = m_design;
    if (m_design)
        buildItems();
    setSceneRect(itemsBoundingRect().adjusted(-24, -24, 24, 24));
    if (!m_highlighted.isEmpty())
        setHighlighted(std::exchange(m_highlighted, QString()));
    Q_EMIT rebuilt();
}

void DesignScene::buildItems()
{
    m_anchors.reserve(qsizetype(m_design->size()));
    std::vector<std::unique_ptr<BlockItem>> built;
    std::vector<QGraphicsItem *> hosts, switches;
    for (const Element *e : m_design->children(QString())) {
        if (e->kind == ElementKind::Host)
            built.push_back(HostBuilder(*m_design, *e, m_style.get()).build());
        else if (e->kind == ElementKind::PhysicalSwitch)
            built.push_back(buildPhysicalSwitch(*m_design, *e, m_style.get()));
        else
            continue;
        registerAnchors(built.back().get());
        (e->kind == ElementKind::Host ? hosts : switches).push_back(built.back().get());
    }
    layOut(hosts, switches); // before adding, so the index is built once
    for (auto &item : built)
        addItem(item.release());
    addLinks();
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
    const HostGrid grid(hosts);
    grid.place(hosts, 0); // x first: ordering the switches looks at where the NICs are
    const qreal wrap = std::max<qreal>(grid.width(), 1200);
    const bool oneRow = rowWidth(switches) <= wrap;
    if (oneRow)
        sortByCables(switches, grid.width());
    const qreal switchesHeight = placeSwitches(switches, oneRow ? grid.width() : 0, wrap);
    grid.place(hosts, switches.empty() ? 0 : switchesHeight + cableSpace);
}

void DesignScene::sortByCables(std::vector<QGraphicsItem *> &switches, qreal fallbackX) const
{
    // Each switch goes where the NICs it is cabled to are, on average, to limit crossings.
    std::map<const QGraphicsItem *, std::pair<qreal, int>> pull;
    for (const Element *link : m_design->children(QString(), ElementKind::Link)) {
        const QString a = link->value(QStringLiteral("a")).toString();
        const QString b = link->value(QStringLiteral("b")).toString();
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
    for (const Element *link : m_design->children(QString(), ElementKind::Link)) {
        QPointF da, db;
        const auto a = attachPoint(link->value(QStringLiteral("a")).toString(), &da);
        const auto b = attachPoint(link->value(QStringLiteral("b")).toString(), &db);
        if (!a || !b)
            continue;
        const qreal reach = std::max<qreal>(40, std::abs(b->y() - a->y()) / 2);
        QPainterPath path(*a);
        path.cubicTo(*a + da * reach, *b + db * reach, *b);
        auto *item = new LinkItem(link->id, path);
        addItem(item);
        m_anchors.insert(link->id, {item, -1});
    }
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

void DesignScene::setHighlighted(const QString &id)
{
    for (const QString &which : {m_highlighted, id}) {
        const Anchor anchor = m_anchors.value(which);
        const bool on = which == id;
        if (BlockItem *block = asBlock(anchor.item))
            block->setHighlight(on ? anchor.cell : noHighlight);
        else if (LinkItem *link = asLink(anchor.item))
            link->setHighlighted(on);
    }
    m_highlighted = id;
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

void DesignScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    const QString id = elementAt(event->scenePos());
    if (event->button() == Qt::LeftButton && !id.isEmpty())
        Q_EMIT elementClicked(id);
    event->ignore(); // the view pans with a drag that starts anywhere
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
