#include "designview.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace converge::views {

namespace {

constexpr qreal zoomStep = 1.25;
constexpr qreal readableZoom = 0.75; // below this the 9 pt labels stop being easy to read

} // namespace

DesignView::DesignView(QWidget *parent)
    : QGraphicsView(parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(ScrollHandDrag);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    setBackgroundBrush(QColor(0xf3, 0xf5, 0xf7));
    setFrameShape(QFrame::NoFrame);
    // The palette's kinds drop onto the diagram; design files dropped here are ignored by the
    // scene and go on to the main window.
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
}

void DesignView::setZoom(qreal zoom)
{
    zoom = std::clamp(zoom, minZoom, maxZoom);
    if (qFuzzyCompare(zoom, this->zoom()))
        return;
    setTransform(QTransform::fromScale(zoom, zoom));
    Q_EMIT zoomChanged(zoom);
    Q_EMIT viewportMoved();
}

void DesignView::setEditable(bool editable)
{
    m_editable = editable;
    setDragMode(editable ? RubberBandDrag : ScrollHandDrag);
}

void DesignView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QGraphicsView::drawForeground(painter, rect);
    if (!m_editable || !scene() || !scene()->items().isEmpty())
        return;
    // An empty design: say how to start, in the middle of the view.
    painter->save();
    painter->resetTransform();
    painter->setPen(QColor(0x6b, 0x77, 0x83));
    painter->drawText(viewport()->rect().adjusted(40, 40, -40, -40),
                      Qt::AlignCenter | Qt::TextWordWrap,
                      tr("An empty design.\nDrag a Host from the palette onto this space, or use "
                         "Insert > Host from Wizard (Ctrl+Shift+H)."));
    painter->restore();
}

void DesignView::focusOutEvent(QFocusEvent *event)
{
    // Space released while another widget has the focus never reaches us.
    if (m_space) {
        m_space = false;
        viewport()->setCursor(Qt::ArrowCursor);
    }
    QGraphicsView::focusOutEvent(event);
}

void DesignView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    Q_EMIT viewportMoved();
}

void DesignView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton || (m_space && event->button() == Qt::LeftButton)) {
        m_panFrom = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void DesignView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_panFrom) {
        const QPoint delta = event->position().toPoint() - *m_panFrom;
        m_panFrom = event->position().toPoint();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void DesignView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panFrom) {
        m_panFrom.reset();
        viewport()->setCursor(m_space ? Qt::OpenHandCursor : Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void DesignView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && m_editable) {
        m_space = true;
        viewport()->setCursor(Qt::OpenHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void DesignView::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat() && m_space) {
        m_space = false;
        viewport()->setCursor(Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void DesignView::reveal(const QRectF &sceneRect)
{
    if (sceneRect.isNull())
        return;
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    if (!visible.contains(sceneRect))
        centerOn(sceneRect.center());
}

void DesignView::navigateTo(QPointF scenePos)
{
    m_autoOverview = false;
    centerOn(scenePos);
}

void DesignView::zoomIn()
{
    m_autoOverview = false;
    setZoom(zoom() * zoomStep);
}

void DesignView::zoomOut()
{
    m_autoOverview = false;
    setZoom(zoom() / zoomStep);
}

void DesignView::resetZoom()
{
    m_autoOverview = false;
    setZoom(1.0);
}

void DesignView::fitToWindow()
{
    m_autoOverview = false;
    setZoom(std::min(fitZoom(), 2.0));
    centerOn(sceneRect().center());
}

void DesignView::showOverview()
{
    m_autoOverview = true;
    applyOverview();
}

qreal DesignView::fitZoom() const
{
    const QRectF scene = sceneRect();
    const QSize port = viewport()->size() - QSize(8, 8); // a margin, as fitInView keeps
    if (scene.isEmpty() || port.isEmpty())
        return 1.0;
    return std::min(port.width() / scene.width(), port.height() / scene.height());
}

void DesignView::applyOverview()
{
    setZoom(std::clamp(fitZoom(), readableZoom, 1.0));
    const QRectF scene = sceneRect();
    const QSizeF shown(viewport()->width() / zoom(), viewport()->height() / zoom());
    // Too big to show whole: start at the top left (where the first hosts and switches are).
    centerOn(QPointF(
        shown.width() >= scene.width() ? scene.center().x() : scene.left() + shown.width() / 2,
        shown.height() >= scene.height() ? scene.center().y() : scene.top() + shown.height() / 2));
}

void DesignView::wheelEvent(QWheelEvent *event)
{
    if (!(event->modifiers() & Qt::ControlModifier)) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    const qreal steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    m_autoOverview = false;
    setZoom(zoom() * std::pow(zoomStep, steps));
    event->accept();
}

void DesignView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_autoOverview)
        applyOverview();
    Q_EMIT viewportMoved();
}

} // namespace converge::views
