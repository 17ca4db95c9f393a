#include "overviewmap.h"

#include "views/diagram/designview.h"

#include <QGraphicsScene>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>

namespace converge::views {

namespace {

constexpr int margin = 4;              // pixels around the scene
constexpr qreal minMarker = 6;         // the rectangle's least width and height, in pixels
const QColor around(0xdf, 0xe3, 0xe8); // outside the scene
const QColor marker(0x1f, 0x6f, 0xd1); // the diagram's highlight blue

} // namespace

OverviewMap::OverviewMap(DesignView *view, QWidget *parent)
    : QGraphicsView(parent)
    , m_view(view)
{
    setInteractive(false);
    setDragMode(NoDrag);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setTransformationAnchor(NoAnchor);
    setResizeAnchor(NoAnchor);
    setAlignment(Qt::AlignCenter);
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::NoFocus);
    setBackgroundBrush(view ? view->backgroundBrush() : QBrush(Qt::white));
    setMinimumSize(60, 40);
    viewport()->setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview: click or drag to move the diagram there"));

    m_refresh.setSingleShot(true);
    connect(&m_refresh, &QTimer::timeout, viewport(), qOverload<>(&QWidget::update));
    if (view)
        connect(view, &DesignView::viewportMoved, this, &OverviewMap::viewMoved);
    attachScene();
}

void OverviewMap::attachScene()
{
    QGraphicsScene *scene = m_view ? m_view->scene() : nullptr;
    if (scene == m_scene)
        return;
    if (m_scene)
        disconnect(m_scene, nullptr, this, nullptr);
    m_scene = scene;
    if (scene) {
        connect(scene, &QGraphicsScene::changed, this, &OverviewMap::sceneChanged);
        connect(scene, &QGraphicsScene::sceneRectChanged, this, &OverviewMap::fitScene);
    }
    fitScene();
}

QRectF OverviewMap::visibleSceneRect() const
{
    if (!m_view)
        return {};
    return m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
}

void OverviewMap::fitScene()
{
    // The map has no scene of its own: its scene rect is the view's scene's, so that
    // mapToScene() and mapFromScene() place the picture.
    const QRectF rect = m_scene ? m_scene->sceneRect() : QRectF();
    setSceneRect(rect);
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(2 * margin, 2 * margin);
    if (rect.isEmpty() || room.isEmpty()) {
        resetTransform();
    } else {
        const qreal scale = std::min(room.width() / rect.width(), room.height() / rect.height());
        setTransform(QTransform::fromScale(scale, scale));
        centerOn(rect.center());
    }
    m_pictureStale = true;
    viewport()->update();
}

void OverviewMap::sceneChanged()
{
    // Boxes being dragged change the scene at every mouse move: a picture at most every
    // refreshInterval ms, the first one at once.
    m_pictureStale = true;
    if (m_refresh.isActive())
        return;
    const qint64 since = m_sincePicture.isValid() ? m_sincePicture.elapsed() : refreshInterval;
    m_refresh.start(int(std::clamp<qint64>(refreshInterval - since, 0, refreshInterval)));
}

void OverviewMap::viewMoved()
{
    // Only the rectangle moved: repaint where it was and where it is.
    viewport()->update(rectOnMap(m_shownRect).united(rectOnMap(visibleSceneRect())));
}

QRect OverviewMap::rectOnMap(const QRectF &sceneRect) const
{
    if (sceneRect.isEmpty())
        return {};
    QRectF r = viewportTransform().mapRect(sceneRect);
    r.setSize(r.size().expandedTo(QSizeF(minMarker, minMarker)));
    r.moveCenter(viewportTransform().map(sceneRect.center()));
    return r.toAlignedRect().adjusted(-2, -2, 2, 2).intersected(viewport()->rect());
}

void OverviewMap::renderPicture()
{
    QElapsedTimer timer;
    timer.start();
    const qreal ratio = viewport()->devicePixelRatioF();
    QPixmap picture(viewport()->size() * ratio);
    picture.setDevicePixelRatio(ratio);
    picture.fill(around);
    const QRectF rect = sceneRect();
    if (m_scene && !rect.isEmpty()) {
        QPainter painter(&picture);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setWorldTransform(viewportTransform());
        painter.fillRect(rect, backgroundBrush());
        // Big designs are tiny here: boxes paint as plain boxes (names only from LOD 0.1 up) and
        // cables not at all.
        m_scene->render(&painter, rect, rect);
    }
    m_picture = std::move(picture);
    m_pictureTransform = viewportTransform();
    m_pictureStale = false;
    m_refresh.stop();
    ++m_pictureCount;
    m_lastPictureMs = double(timer.nsecsElapsed()) / 1e6;
    m_sincePicture.start();
}

void OverviewMap::paintEvent(QPaintEvent *event)
{
    attachScene();
    QPainter painter(viewport());
    painter.setWorldTransform(viewportTransform());
    const QRectF exposed = mapToScene(event->rect()).boundingRect();
    drawBackground(&painter, exposed);
    drawForeground(&painter, exposed);
}

void OverviewMap::drawBackground(QPainter *painter, const QRectF &)
{
    const QSize pixels = viewport()->size() * viewport()->devicePixelRatioF();
    const bool moved = m_picture.size() != pixels || m_pictureTransform != viewportTransform();
    if (moved || (m_pictureStale && !m_refresh.isActive()))
        renderPicture();
    painter->save();
    painter->resetTransform();
    painter->drawPixmap(0, 0, m_picture);
    painter->restore();
}

void OverviewMap::drawForeground(QPainter *painter, const QRectF &)
{
    m_shownRect = visibleSceneRect();
    if (!m_scene || !m_view || !m_view->isVisible() || m_shownRect.isEmpty() ||
        sceneRect().isEmpty())
        return; // no rectangle while the view is hidden (the start page)
    QRectF r = viewportTransform().mapRect(m_shownRect);
    r.setSize(r.size().expandedTo(QSizeF(minMarker, minMarker)));
    r.moveCenter(viewportTransform().map(m_shownRect.center()));
    // A view showing more than the scene: keep the outline in sight.
    r = r.intersected(QRectF(viewport()->rect()).adjusted(1, 1, -1, -1));
    painter->save();
    painter->resetTransform();
    painter->setRenderHint(QPainter::Antialiasing, false);
    painter->setPen(QPen(marker, 1.5));
    painter->setBrush(QColor(marker.red(), marker.green(), marker.blue(), 45));
    painter->drawRect(r);
    painter->restore();
}

void OverviewMap::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    fitScene();
}

void OverviewMap::navigate(const QPoint &viewportPos)
{
    if (m_view && m_scene && !sceneRect().isEmpty())
        m_view->navigateTo(mapToScene(viewportPos));
}

void OverviewMap::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        event->ignore();
        return;
    }
    m_dragging = true;
    navigate(event->position().toPoint());
    event->accept();
}

void OverviewMap::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragging && (event->buttons() & Qt::LeftButton))
        navigate(event->position().toPoint());
    event->accept();
}

void OverviewMap::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        m_dragging = false;
    event->accept();
}

void OverviewMap::mouseDoubleClickEvent(QMouseEvent *event)
{
    mousePressEvent(event);
}

void OverviewMap::wheelEvent(QWheelEvent *event)
{
    event->ignore(); // the whole scene is in sight: nothing to scroll
}

} // namespace converge::views
