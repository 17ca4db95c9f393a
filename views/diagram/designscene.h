#pragma once

#include "core/model/design.h"

#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QHash>

#include <memory>
#include <optional>

namespace converge::views {

struct DiagramStyle;

// The read-only diagram of a design: physical switches in a row above the hosts, each host a
// box with its NICs along the top (cabled up to the switch ports), its teams and virtual
// switches under the NICs they use, then its management-OS vNICs and VMs with their vNICs.
// Hosts sit in a deterministic grid. One item per host and per physical switch paints its own
// rows, so a design with thousands of hosts stays cheap to build and to draw.
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

    // The item that draws an element (its own box or the box holding its row); nullptr when
    // the diagram does not show it (VLANs, subnets...).
    QGraphicsItem *itemFor(const QString &id) const;
    QRectF elementRect(const QString &id) const; // scene coordinates; null when not shown
    QString elementAt(const QPointF &scenePos) const;
    void setHighlighted(const QString &id); // marks one element; empty clears
    QString highlighted() const { return m_highlighted; }
    QStringList labels() const; // every text the diagram draws, in item order

Q_SIGNALS:
    void elementClicked(const QString &id);
    void rebuilt();

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void helpEvent(QGraphicsSceneHelpEvent *event) override;

private:
    struct Anchor
    {
        QGraphicsItem *item = nullptr;
        int cell = -1; // row inside the item; -1: the item itself
    };

    void scheduleRebuild();
    void rebuild();
    void buildItems();
    void layOut(const std::vector<QGraphicsItem *> &hosts, std::vector<QGraphicsItem *> switches);
    void sortByCables(std::vector<QGraphicsItem *> &switches, qreal fallbackX) const;
    void addLinks();
    void registerAnchors(QGraphicsItem *item);
    std::optional<QPointF> attachPoint(const QString &id, QPointF *direction) const;

    core::Design *m_design = nullptr;
    int m_listener = 0;
    bool m_rebuildPending = false;
    std::unique_ptr<DiagramStyle> m_style;
    QHash<QString, Anchor> m_anchors;
    QString m_highlighted;
};

} // namespace converge::views
