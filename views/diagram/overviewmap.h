#pragma once

#include <QElapsedTimer>
#include <QGraphicsView>
#include <QPixmap>
#include <QPointer>
#include <QTimer>
#include <QTransform>

class QGraphicsScene;

namespace converge::views {

class DesignView;

// A minimap of the diagram: the whole scene of a DesignView, scaled to fit (aspect kept), with
// the part the view shows drawn as a translucent blue rectangle. Pressing or dragging in it
// centres the view there. Items are not interactive here.
//
// Cheap with thousands of hosts: the map has no scene of its own. It renders the view's scene
// once into a cached picture (at a big design's tiny scale the boxes paint as plain boxes and
// cables not at all) and repaints only that picture and the rectangle when the view scrolls or
// zooms. The picture is made again when the scene changes (at most every `refreshInterval` ms while
// it keeps changing, as when boxes are dragged), the scene rect changes or the map is resized, and
// only while the map is shown.
class OverviewMap : public QGraphicsView
{
    Q_OBJECT

public:
    static constexpr int refreshInterval = 150; // ms, between pictures while the scene changes

    explicit OverviewMap(DesignView *view, QWidget *parent = nullptr);

    DesignView *designView() const { return m_view; }
    // The view's visible area in scene coordinates: what the rectangle shows.
    QRectF visibleSceneRect() const;
    // The cached picture of the scene (viewport pixels) and how many times it was made.
    const QPixmap &picture() const { return m_picture; }
    int pictureCount() const { return m_pictureCount; }
    double lastPictureMs() const { return m_lastPictureMs; } // the time the last one took

    QSize sizeHint() const override { return {240, 180}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void drawBackground(QPainter *painter, const QRectF &rect) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void attachScene(); // follows the view's scene (set before the map, or later)
    void fitScene();
    void sceneChanged();
    void viewMoved();
    void renderPicture();
    QRect rectOnMap(const QRectF &sceneRect) const; // viewport pixels, with the pen's room
    void navigate(const QPoint &viewportPos);

    QPointer<DesignView> m_view;
    QPointer<QGraphicsScene> m_scene; // the view's, which the map renders but does not show
    QPixmap m_picture;
    QTransform m_pictureTransform; // viewportTransform() the picture was made with
    bool m_pictureStale = true;
    int m_pictureCount = 0;
    double m_lastPictureMs = 0;
    QElapsedTimer m_sincePicture;
    QTimer m_refresh;   // a changed scene's next picture, no sooner than refreshInterval
    QRectF m_shownRect; // the rectangle last drawn, in scene coordinates
    bool m_dragging = false;
};

} // namespace converge::views
