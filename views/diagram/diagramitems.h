#pragma once

#include "core/model/design.h"

#include <QFont>
#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QHash>
#include <QPainterPath>

#include <vector>

namespace converge::views {

// The painted items of the diagram: a box per host and per physical switch (BlockItem) that
// draws its own cells, and a curve per cable (LinkItem). They hold texts only, no child items.

// Fonts and metrics every item of one build shares; the scene owns it.
struct DiagramStyle
{
    explicit DiagramStyle(const QFont &base);

    QFont font, bold, small, smallBold;
    QFontMetricsF fm, boldFm, smallFm;
    qreal line;                           // a text row
    qreal chipHeight;                     // a NIC, team, switch or port: name over a detail line
    const core::Design *design = nullptr; // for the details of vNIC rows, made when painted
    // Element id -> its worst finding's severity (core::Severity as int), for badges.
    const QHash<QString, int> *severities = nullptr;
};

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

// A host or a physical switch: a rounded box painting its own cells. Cheap to build (texts
// only; no child items) and cheap to paint (only exposed cells; a plain box when zoomed out).
class BlockItem : public QGraphicsItem
{
public:
    static constexpr qreal pad = 10; // inside the box, in scene units (pixels at 100 %)
    static constexpr int wholeBox = -1;

    BlockItem(int type, QString id, const DiagramStyle *style);

    int type() const override { return m_type; }
    QString id() const { return m_id; }
    QRectF boundingRect() const override { return m_bounds; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override;

    int addCell(Cell cell);
    void addWire(QPointF from, QPointF to);
    void addDot(QPointF at);        // a junction on a wire
    void setBox(const QRectF &box); // after the cells: the bounds take them in
    const std::vector<Cell> &cells() const { return m_cells; }
    QString detailOf(const Cell &cell) const;
    int cellAt(QPointF pos) const;       // the top cell showing an element; -1: none
    int cellOf(const QString &id) const; // wholeBox for the block's own element; -2: none
    // Cells drawn as selected (wholeBox: the box itself); empty: none.
    void setHighlights(std::vector<int> cells);
    const std::vector<int> &highlights() const { return m_highlights; }
    void setWorstSeverity(int severity) { m_worst = severity; } // -1: no findings inside

private:
    void paintCell(QPainter *painter, const Cell &cell) const;
    void paintChip(QPainter *painter, const Cell &cell) const;
    void paintRow(QPainter *painter, const Cell &cell) const;
    void paintBadge(QPainter *painter, const QRectF &cell, const QString &id) const;
    void paintVnicMarks(QPainter *painter, QRectF &room, const QString &id) const;

    int m_type;
    QString m_id;
    const DiagramStyle *m_style;
    QRectF m_box, m_bounds;
    std::vector<Cell> m_cells;
    QPainterPath m_wires;
    std::vector<int> m_highlights;
    int m_worst = -1;
};

// A cable: a curve leaving a NIC upwards and a port downwards. Painted as a polyline cut to
// the exposed area: in a big design hundreds of long cables cross any view, and stroking each
// whole curve per frame would cost a second at 100 %.
class LinkItem : public QGraphicsPathItem
{
public:
    LinkItem(QString id, const QPainterPath &path);

    int type() const override;
    QString id() const { return m_id; }
    QPainterPath shape() const override;
    void setHighlighted(bool on);
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QString m_id;
    QPolygonF m_points; // the curve, flattened once
};

// The item as a box or a cable; nullptr when it is something else (or nullptr).
BlockItem *asBlock(QGraphicsItem *item);
LinkItem *asLink(QGraphicsItem *item);

} // namespace converge::views
