#pragma once

#include <QGraphicsView>

#include <optional>

namespace converge::views {

// The diagram's view: Ctrl+wheel zooms around the cursor; dragging with the middle button (or
// with Space held) pans. When editable, dragging over empty space selects with a rubber band;
// read-only, it pans. Until the user zooms, the view keeps the whole diagram in sight at a
// readable scale (75-100 %), showing the top left part when the diagram is bigger than that.
class DesignView : public QGraphicsView
{
    Q_OBJECT

public:
    static constexpr qreal minZoom = 0.02;
    static constexpr qreal maxZoom = 4.0;

    explicit DesignView(QWidget *parent = nullptr);

    qreal zoom() const { return transform().m11(); }
    void setZoom(qreal zoom);

    // Scrolls so that `sceneRect` is in sight, centring it when it was not.
    void reveal(const QRectF &sceneRect);
    // Centres the view on `scenePos` as the user asked (the overview map): ends the automatic
    // overview, as zooming does.
    void navigateTo(QPointF scenePos);
    void setEditable(bool editable);

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void resetZoom();
    void fitToWindow();
    // Back to the automatic overview; call after the scene got a new design.
    void showOverview();

Q_SIGNALS:
    void zoomChanged(qreal zoom);
    void viewportMoved(); // scrolled, zoomed or resized: what is in sight changed

protected:
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    void applyOverview();
    qreal fitZoom() const;

    bool m_autoOverview = true;
    bool m_editable = false;
    std::optional<QPoint> m_panFrom; // middle-button or Space pan in progress
    bool m_space = false;
};

} // namespace converge::views
