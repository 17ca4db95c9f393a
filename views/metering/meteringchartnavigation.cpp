// The time range a metering chart shows: live follow, zoom and pan, and the wheel, mouse and
// keys that drive them (meteringchart.h).
#include "meteringchart.h"

#include <QDateTime>
#include <QKeyEvent>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace converge::views::metering {

using core::metering::ChartPoint;

namespace {

constexpr qint64 minSpanMs = 10'000;
constexpr qint64 maxSpanMs = qint64(400) * 24 * 3'600'000;
constexpr qint64 liveIntervalMs = 250;       // at most four live redraws a second
constexpr qint64 maxLiveIntervalMs = 60'000; // and at least one a minute

} // namespace

void MeteringChart::onSamplesArrived(qint64 /*latestMs*/)
{
    if (!m_live)
        return;
    if (m_liveThrottle->isActive()) {
        m_livePending = true; // drawn when the interval is over
        return;
    }
    refresh();
    startLiveThrottle();
}

// A quarter second, or a column's time when that is longer: a week's chart gains a column
// every eight minutes, and asking the store for a week every second would show nothing new.
void MeteringChart::startLiveThrottle()
{
    const qint64 columnMs = m_spanMs / std::max(1, m_queriedColumns);
    m_liveThrottle->start(int(std::clamp(columnMs, liveIntervalMs, maxLiveIntervalMs)));
}

void MeteringChart::setClock(std::function<qint64()> now)
{
    m_now = std::move(now);
    if (m_live)
        setLive(true);
}

void MeteringChart::moveRange(qint64 fromMs, qint64 toMs, bool live)
{
    const qint64 span = std::clamp(toMs - fromMs, minSpanMs, maxSpanMs);
    const qint64 center = fromMs + (toMs - fromMs) / 2;
    m_fromMs = toMs - fromMs == span ? fromMs : center - span / 2;
    m_toMs = m_fromMs + span;
    m_spanMs = span;
    m_live = live;
    placeTimeAxis();
    Q_EMIT rangeChanged(m_fromMs, m_toMs, m_live);
    refresh();
}

void MeteringChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    if (toMs > fromMs)
        moveRange(fromMs, toMs, false);
}

void MeteringChart::showLast(qint64 spanMs)
{
    const qint64 now = m_now();
    moveRange(now - spanMs, now, true);
}

void MeteringChart::setLive(bool live)
{
    if (live) {
        showLast(m_spanMs);
    } else if (m_live) {
        m_live = false;
        Q_EMIT rangeChanged(m_fromMs, m_toMs, false);
    }
}

void MeteringChart::zoom(double factor, qint64 centerMs)
{
    const auto from = qint64(double(centerMs) - double(centerMs - m_fromMs) * factor);
    const auto to = qint64(double(centerMs) + double(m_toMs - centerMs) * factor);
    moveRange(from, to, false);
}

void MeteringChart::pan(double fraction)
{
    const auto shift = qint64(double(m_toMs - m_fromMs) * fraction);
    moveRange(m_fromMs + shift, m_toMs + shift, false);
}

qint64 MeteringChart::timeAt(QPoint viewPos) const
{
    const QRectF area = chart()->plotArea();
    const QPointF p = chart()->mapFromScene(mapToScene(viewPos));
    const double share = area.width() > 0 ? (p.x() - area.left()) / area.width() : 0.5;
    return m_fromMs + qint64(share * double(m_toMs - m_fromMs));
}

QString MeteringChart::valueTextAt(QPoint viewPos) const
{
    if (!chart()->plotArea().contains(chart()->mapFromScene(mapToScene(viewPos))))
        return {};
    const qint64 t = timeAt(viewPos);
    QStringList parts{QDateTime::fromMSecsSinceEpoch(t).toString(QStringLiteral("HH:mm:ss"))};
    for (size_t i = 0; i < m_columns.size(); ++i) {
        const auto &cols = m_columns[i];
        auto it = std::ranges::upper_bound(cols, t, {}, &ChartPoint::tMs);
        if (it == cols.begin())
            continue;
        --it;
        const UnitScale &s = m_axes[size_t(m_drawn[i].axis)].scale;
        QString text = seriesName(m_keys[i]) + QLatin1Char(' ') + formatValue(it->avg, s);
        if (it->max != it->min)
            text += QStringLiteral(" (max %1)").arg(formatValue(it->max, s));
        parts.append(text);
    }
    return parts.size() > 1 ? parts.join(QStringLiteral("  ")) : QString();
}

void MeteringChart::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) {
        QChartView::wheelEvent(event);
        return;
    }
    zoom(std::pow(0.8, steps), timeAt(event->position().toPoint()));
    event->accept();
}

void MeteringChart::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QChartView::mousePressEvent(event);
        return;
    }
    m_dragX = event->position().toPoint().x();
    event->accept();
}

void MeteringChart::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_dragX >= 0 && pos.x() != m_dragX) {
        const double width = std::max(1.0, chart()->plotArea().width());
        pan(-double(pos.x() - m_dragX) / width); // the data follows the pointer
        m_dragX = pos.x();
    }
    Q_EMIT hoverTextChanged(valueTextAt(pos));
    event->accept();
}

void MeteringChart::mouseReleaseEvent(QMouseEvent *event)
{
    m_dragX = -1;
    QChartView::mouseReleaseEvent(event);
}

void MeteringChart::keyPressEvent(QKeyEvent *event)
{
    const qint64 center = m_fromMs + (m_toMs - m_fromMs) / 2;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(0.8, center);
        break;
    case Qt::Key_Minus:
        zoom(1.25, center);
        break;
    case Qt::Key_Left:
        pan(-0.1);
        break;
    case Qt::Key_Right:
        pan(0.1);
        break;
    case Qt::Key_L:
        setLive(!m_live);
        break;
    case Qt::Key_Home:
        setLive(true);
        break;
    default:
        QChartView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void MeteringChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    showOverlay(m_overlayText);
    refresh();
}

} // namespace converge::views::metering
