#include "hostlayout.h"

#include "core/model/schema.h"
#include "views/diagram/designscene.h"
#include "views/elementsummary.h"

#include <QHash>
#include <QJsonArray>

#include <algorithm>
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
constexpr qreal pad = BlockItem::pad, captionWidth = 136, columnWidth = 84, laneGap = 16;
// The vNIC-to-switch bus at the right of the rows: a column per virtual switch.
constexpr qreal busStep = 11, busLevel = 5;
constexpr int minColumns = 4;

QString platformText(const Element &host)
{
    if (host.value(key::platform).toString() == value::hyperv)
        return QStringLiteral("Hyper-V %1").arg(host.value(key::edition).toString()).trimmed();
    return QStringLiteral("Linux \u00b7 Open vSwitch");
}

QString nicLabel(const Element &nic)
{
    const QString ifName = nic.value(key::interfaceName).toString();
    return ifName.isEmpty() || ifName == nic.name()
               ? nic.name()
               : nic.name() + QStringLiteral(" (") + ifName + QLatin1Char(')');
}

// "SwitchIndep · HyperVPort": short enough for a bar two NICs wide.
QString teamText(const Element &team)
{
    QString mode = team.value(key::mode).toString();
    if (mode == value::switchIndependent)
        mode = QStringLiteral("SwitchIndep");
    QStringList parts{mode, team.value(key::loadBalancing).toString()};
    parts.removeAll(QString());
    return parts.join(QStringLiteral(" \u00b7 "));
}

// "4 vCPU · 16 GiB": the VM's vNICs are listed right under it.
QString vmText(const Element &vm)
{
    const int vcpus = vm.value(key::vcpus).toInt();
    const int mib = vm.value(key::memoryMiB).toInt();
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
        const QString cluster = m_host.value(key::cluster).toString();
        const qreal captionHeight = m_s.boldFm.height() + 2 * m_s.smallFm.height();
        m_item->addCell(
            {QRectF(pad, pad, captionWidth - 12, captionHeight), CellStyle::Caption, m_host.id,
             m_host.name(),
             platformText(m_host) + QLatin1Char('\n') +
                 (cluster.isEmpty() ? QString() : QStringLiteral("cluster ") + cluster)});
        placeNics();
        m_y = std::max(m_s.chipHeight / 2, pad + captionHeight) + laneGap;
        placeBars(ElementKind::Team, CellStyle::Team, QStringLiteral("NIC teams"));
        placeBars(ElementKind::VirtualSwitch, CellStyle::Switch,
                  core::kindTexts(ElementKind::VirtualSwitch).shortPlural);
        const qreal barsBottom = m_y - laneGap;
        m_y += busLevel * qreal(m_children[ElementKind::VirtualSwitch].size());
        placeRows();
        placeBus(barsBottom);
        m_item->setBox(QRectF(0, 0, width(), m_y + pad));
        return std::move(m_item);
    }

private:
    qreal columnX(int column) const { return pad + captionWidth + column * columnWidth; }
    qreal rowsRight() const { return columnX(std::max(m_columns, minColumns)); }
    qreal busWidth() const
    {
        const auto n = m_children.count(ElementKind::VirtualSwitch)
                           ? m_children.at(ElementKind::VirtualSwitch).size()
                           : 0;
        return n == 0 ? 0 : 6 + busStep * qreal(n);
    }
    qreal width() const { return rowsRight() + busWidth() + pad; }

    void placeNics()
    {
        // NICs straddle the top edge, like ports on a chassis; cables arrive from above.
        for (const Element *nic : m_children[ElementKind::PhysicalNic]) {
            const double speed = nic->value(key::speed).toDouble();
            const QRectF rect(columnX(m_columns) + 3, -m_s.chipHeight / 2, columnWidth - 6,
                              m_s.chipHeight);
            m_cell[nic->id] = m_item->addCell(
                {rect, CellStyle::Nic, nic->id, nicLabel(*nic),
                 speed > 0 ? formatBandwidth(speed) : nic->value(key::role).toString()});
            m_span[nic->id] = {m_columns, m_columns};
            ++m_columns;
        }
    }

    // The columns a bar spans: its members' (team) or its uplink's (switch), else a new one.
    Span spanOf(const Element &bar)
    {
        QStringList refs;
        for (const QJsonValue id : bar.value(key::members).toArray())
            refs << id.toString();
        refs << bar.value(key::uplink).toString();
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
            const QRectF rect(columnX(span.first) + 3,
                              m_y + qreal(lane) * (m_s.chipHeight + laneGap),
                              (span.last - span.first + 1) * columnWidth - 6, m_s.chipHeight);
            const QString detail =
                kind == ElementKind::Team ? teamText(*bar) : bar->value(key::type).toString();
            m_cell[bar->id] = m_item->addCell({rect, style, bar->id, bar->name(), detail});
            m_span[bar->id] = span;
            wireUp(*bar, rect);
        }
        m_item->addCell({QRectF(pad, m_y, captionWidth - 12, m_s.chipHeight),
                         CellStyle::Legend,
                         {},
                         legend,
                         {}});
        m_y += qreal(lanes.size()) * (m_s.chipHeight + laneGap);
    }

    // Team members and switch uplinks: a line from the bottom of each to the top of the bar.
    void wireUp(const Element &bar, const QRectF &rect)
    {
        QStringList sources;
        for (const QJsonValue id : bar.value(key::members).toArray())
            sources << id.toString();
        sources << bar.value(key::uplink).toString();
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
        m_item->addCell({QRectF(left, m_y, rowsRight() - left, m_s.line), style, e.id, e.name(),
                         detail, 118 - indent});
        if (e.kind == ElementKind::VirtualNic)
            m_rowOf.emplace_back(e.value(key::switch_).toString(),
                                 QPointF(rowsRight(), m_y + m_s.line / 2));
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

    // vNIC-to-switch connections as edges: each switch drops from its bar to its own level,
    // runs right to its bus column and down to the last vNIC on it; each vNIC row joins its
    // switch's column with a dot. The leftmost switch takes the lowest level and the leftmost
    // column, so the runs never cross.
    void placeBus(qreal barsBottom)
    {
        const auto &switches = m_children[ElementKind::VirtualSwitch];
        std::vector<const Element *> order(switches.begin(), switches.end());
        std::ranges::stable_sort(order, {}, [&](const Element *sw) {
            return m_item->cells()[m_cell.value(sw->id)].rect.center().x();
        });
        const qreal n = qreal(order.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            const QRectF bar = m_item->cells()[m_cell.value(order[i]->id)].rect;
            const qreal level = barsBottom + busLevel * (n - qreal(i));
            const qreal column = rowsRight() + 6 + busStep * qreal(i);
            qreal last = -1;
            for (const auto &[sw, at] : m_rowOf) {
                if (sw != order[i]->id)
                    continue;
                last = at.y();
                m_item->addWire(at + QPointF(2, 0), QPointF(column, at.y()));
                m_item->addDot(QPointF(column, at.y()));
            }
            if (last < 0)
                continue; // no vNIC on it
            const QPointF foot(bar.center().x() + 6, bar.bottom());
            m_item->addWire(foot, QPointF(foot.x(), level));
            m_item->addWire(QPointF(foot.x(), level), QPointF(column, level));
            m_item->addWire(QPointF(column, level), QPointF(column, last));
        }
    }

    std::vector<std::pair<QString, QPointF>> m_rowOf; // vNIC rows: switch id, right end

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

} // namespace

std::unique_ptr<BlockItem> buildHostItem(const Design &design, const Element &host,
                                         const DiagramStyle *style)
{
    return HostBuilder(design, host, style).build();
}

} // namespace converge::views
