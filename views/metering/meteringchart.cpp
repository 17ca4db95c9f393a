#include "meteringchart.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsSimpleTextItem>
#include <QLineSeries>
#include <QPainter>
#include <QTimer>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace converge::views::metering {

using core::metering::ChartPoint;
using core::metering::SeriesKey;

namespace {

QColor seriesColor(size_t i)
{
    static const QColor colors[] = {
        QColor(0x1f77b4), QColor(0xd62728), QColor(0x2ca02c), QColor(0xff7f0e), QColor(0x9467bd),
        QColor(0x8c564b), QColor(0xe377c2), QColor(0x17becf), QColor(0xbcbd22), QColor(0x7f7f7f)};
    return colors[i % std::size(colors)];
}

QString unitOf(const SeriesKey &key)
{
    const core::metering::MetricInfo *info = core::metering::metricInfo(key.metric);
    return info ? info->unit : key.metric;
}

// Keys of the first two units met, in order: a chart has one value axis per unit.
std::vector<SeriesKey> firstTwoUnits(const std::vector<SeriesKey> &keys)
{
    QStringList units;
    std::vector<SeriesKey> kept;
    for (const SeriesKey &key : keys) {
        const QString unit = unitOf(key);
        if (!units.contains(unit) && units.size() < 2)
            units.append(unit);
        if (units.contains(unit))
            kept.push_back(key);
    }
    return kept;
}

struct NiceRange
{
    double min = 0;
    double max = 1;
    int ticks = 5;
};

// 1, 2 or 5 times a power of ten, at least `x`.
double niceStep(double x)
{
    const double power = std::pow(10.0, std::floor(std::log10(x)));
    const double f = x / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

// [low, high] widened to round steps, as QValueAxis::applyNiceNumbers() does; computed here so
// that a range that did not change is not set again (setting one lays the chart out again).
NiceRange niceRange(double low, double high)
{
    const double step = niceStep((high - low) / 4);
    NiceRange r;
    r.min = std::floor(low / step) * step;
    r.max = std::ceil(high / step) * step;
    r.ticks = int(std::lround((r.max - r.min) / step)) + 1;
    return r;
}

QString timeFormat(qint64 spanMs)
{
    if (spanMs <= qint64(30) * 60'000)
        return QStringLiteral("HH:mm:ss");
    if (spanMs <= qint64(36) * 3'600'000)
        return QStringLiteral("HH:mm");
    return QStringLiteral("dd MMM HH:mm");
}

} // namespace

// The layer the columns are painted on: over the grid, under the legend (Qt Charts' series are
// at z 4, its legend at 5).
class PlotLayer : public QGraphicsItem
{
public:
    explicit PlotLayer(const MeteringChart *owner)
        : QGraphicsItem(owner->chart())
        , m_owner(owner)
    {
        setZValue(4.5);
    }
    void setRect(const QRectF &rect)
    {
        if (rect != m_rect)
            prepareGeometryChange();
        m_rect = rect;
        update();
    }
    QRectF boundingRect() const override { return m_rect; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem * /*option*/,
               QWidget * /*widget*/) override
    {
        m_owner->paintPlot(painter);
    }

private:
    const MeteringChart *m_owner;
    QRectF m_rect;
};

QString entityTitle(const QString &host, const QString &entity)
{
    if (entity.isEmpty())
        return host;
    const qsizetype slash = entity.indexOf(QLatin1Char('/'));
    return host + QStringLiteral(" / ") + (slash < 0 ? entity : entity.mid(slash + 1));
}

MeteringChart::MeteringChart(core::metering::MetricsSource *source, QWidget *parent)
    : QChartView(parent)
    , m_source(source)
    , m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_refreshTimer(new QTimer(this))
    , m_liveThrottle(new QTimer(this))
    , m_fitTimer(new QTimer(this))
    , m_latest(std::make_shared<std::atomic<quint64>>(0))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    chart()->setMargins(QMargins(4, 4, 4, 4));
    m_timeAxis = new QDateTimeAxis;
    m_timeAxis->setTickCount(7);
    chart()->addAxis(m_timeAxis, Qt::AlignBottom);
    m_plot = new PlotLayer(this);
    m_overlay = new QGraphicsSimpleTextItem(chart());
    m_overlay->setZValue(m_plot->zValue() + 1);
    m_overlay->setVisible(false);
    m_pool.setMaxThreadCount(2);
    connectTimers();
    connect(source, &core::metering::MetricsSource::samplesArrived, this,
            &MeteringChart::onSamplesArrived);
    m_toMs = m_now();
    m_fromMs = m_toMs - m_spanMs;
    placeTimeAxis();
}

void MeteringChart::connectTimers()
{
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(0);
    connect(m_refreshTimer, &QTimer::timeout, this, &MeteringChart::startQuery);
    m_liveThrottle->setSingleShot(true);
    connect(m_liveThrottle, &QTimer::timeout, this, [this] {
        if (std::exchange(m_livePending, false) && m_live) {
            refresh();
            startLiveThrottle();
        }
    });
    // The plot's width follows the axis labels, which follow the data: ask again only when the
    // columns no longer fit, or fill a tenth less than they could, else redraws never settle;
    // and judge the width a redraw ends with, not the ones it passes through.
    m_fitTimer->setSingleShot(true);
    m_fitTimer->setInterval(0);
    connect(m_fitTimer, &QTimer::timeout, this, [this] {
        const int width = columnsWanted();
        if (width < m_queriedColumns || width > m_queriedColumns + m_queriedColumns / 10)
            refresh();
    });
    connect(chart(), &QChart::plotAreaChanged, this, [this](const QRectF &area) {
        m_plot->setRect(area);
        showOverlay(m_overlayText);
        m_fitTimer->start();
    });
}

MeteringChart::~MeteringChart()
{
    // Queued queries skip their work; running ones finish before the chart they post to goes.
    m_latest->store(std::numeric_limits<quint64>::max());
    m_pool.clear();
    m_pool.waitForDone();
}

void MeteringChart::setSeries(const std::vector<SeriesKey> &keys)
{
    m_keys = firstTwoUnits(keys);
    m_columns.assign(m_keys.size(), {});
    buildSeries();
    showOverlay({});
    refresh();
}

void MeteringChart::buildSeries()
{
    chart()->removeAllSeries();
    for (const Axis &a : m_axes) {
        chart()->removeAxis(a.axis);
        delete a.axis;
    }
    m_axes.clear();
    m_drawn.clear();
    for (size_t i = 0; i < m_keys.size(); ++i)
        addSeries(m_keys[i], int(i));
}

void MeteringChart::addSeries(const SeriesKey &key, int index)
{
    Drawn d;
    d.axis = axisFor(unitOf(key));
    d.color = seriesColor(size_t(index));
    // Empty: it gives the legend its entry and ties the series to its axes; the points are
    // painted by the plot layer.
    d.legend = new QLineSeries;
    d.legend->setName(seriesName(key));
    d.legend->setPen(QPen(d.color, 1.5));
    chart()->addSeries(d.legend);
    d.legend->attachAxis(m_timeAxis);
    d.legend->attachAxis(m_axes[size_t(d.axis)].axis);
    m_drawn.push_back(d);
}

int MeteringChart::axisFor(const QString &unit)
{
    for (size_t i = 0; i < m_axes.size(); ++i) {
        if (m_axes[i].unit == unit)
            return int(i);
    }
    auto *axis = new QValueAxis;
    axis->setLabelFormat(QStringLiteral("%.4g"));
    chart()->addAxis(axis, m_axes.empty() ? Qt::AlignLeft : Qt::AlignRight);
    m_axes.push_back({unit, scaleFor(unit, 0), axis});
    return int(m_axes.size() - 1);
}

QString MeteringChart::seriesName(const SeriesKey &key) const
{
    const core::metering::MetricInfo *info = core::metering::metricInfo(key.metric);
    const QString what = info ? info->help : key.metric;
    const bool oneEntity = std::ranges::all_of(
        m_keys, [&](const SeriesKey &k) { return k.host == key.host && k.entity == key.entity; });
    return oneEntity ? what : entityTitle(key.host, key.entity) + QStringLiteral(": ") + what;
}

void MeteringChart::refresh()
{
    m_refreshTimer->start();
}

int MeteringChart::columnsWanted() const
{
    return std::max(1, int(chart()->plotArea().width()));
}

void MeteringChart::startQuery()
{
    if (m_keys.empty())
        return;
    if (m_live) {
        m_toMs = m_now();
        m_fromMs = m_toMs - m_spanMs;
        placeTimeAxis();
    }
    m_queriedColumns = columnsWanted();
    const quint64 generation = ++m_generation;
    m_latest->store(generation);
    // Runs on the pool; `this` only names where the result goes (the destructor waits for us).
    m_pool.start([this, source = m_source, keys = m_keys, from = m_fromMs, to = m_toMs,
                  columns = m_queriedColumns, generation, latest = m_latest] {
        std::vector<core::Result<std::vector<ChartPoint>>> results;
        for (const SeriesKey &key : keys) {
            if (latest->load() != generation)
                return; // superseded: its result would be dropped anyway
            results.push_back(source->query(key, from, to, columns));
        }
        QMetaObject::invokeMethod(
            this, [this, generation, results] { queryDone(generation, results); },
            Qt::QueuedConnection);
    });
}

void MeteringChart::queryDone(quint64 generation,
                              const std::vector<core::Result<std::vector<ChartPoint>>> &results)
{
    if (generation != m_generation || results.size() != m_keys.size())
        return; // a newer query has been asked for: this range is no longer shown
    std::vector<std::vector<ChartPoint>> columns;
    QString error;
    for (size_t i = 0; i < results.size(); ++i) {
        columns.push_back(results[i].value_or(std::vector<ChartPoint>{}));
        if (!results[i] && error.isEmpty())
            error = seriesName(m_keys[i]) + QStringLiteral(": ") + results[i].error().message;
    }
    showColumns(columns);
    if (!error.isEmpty())
        showOverlay(error);
    Q_EMIT redrawn();
}

void MeteringChart::showColumns(const std::vector<std::vector<ChartPoint>> &columns)
{
    m_columns = columns;
    m_columns.resize(m_keys.size());
    for (size_t a = 0; a < m_axes.size(); ++a)
        rescaleAxis(int(a), m_columns);
    placeTimeAxis();
    const bool any = std::ranges::any_of(m_columns, [](const auto &c) { return !c.empty(); });
    if (any || m_keys.empty()) {
        showOverlay({});
        return;
    }
    showOverlay(QStringLiteral("No samples yet for %1: the agent sends them every second once "
                               "metering runs")
                    .arg(entityTitle(m_keys.front().host, m_keys.front().entity)));
}

void MeteringChart::rescaleAxis(int axis, const std::vector<std::vector<ChartPoint>> &columns)
{
    double low = 0, high = 0;
    for (size_t i = 0; i < m_drawn.size(); ++i) {
        if (m_drawn[i].axis != axis)
            continue;
        for (const ChartPoint &p : columns[i]) {
            low = std::min(low, p.min);
            high = std::max(high, p.max);
        }
    }
    Axis &a = m_axes[size_t(axis)];
    a.scale = scaleFor(a.unit, std::max(std::abs(low), std::abs(high)));
    double top = high * a.scale.factor;
    if (a.unit == u"percent" && top <= 100)
        top = 100; // a share reads against its whole
    const NiceRange nice = niceRange(low * a.scale.factor, top > 0 ? top : 1);
    if (nice.min == a.axis->min() && nice.max == a.axis->max() && nice.ticks == a.axis->tickCount())
        return;
    a.axis->setTickCount(nice.ticks);
    a.axis->setRange(nice.min, nice.max);
    if (a.axis->titleText() != a.scale.suffix)
        a.axis->setTitleText(a.scale.suffix);
}

QList<QPointF> MeteringChart::points(int i, double ChartPoint::*value) const
{
    QList<QPointF> out;
    if (i < 0 || size_t(i) >= m_drawn.size())
        return out;
    const double factor = m_axes[size_t(m_drawn[size_t(i)].axis)].scale.factor;
    for (const ChartPoint &p : m_columns[size_t(i)])
        out.append(QPointF(double(p.tMs), p.*value * factor));
    return out;
}

// Qt Charts' own line and area series re-map and re-stroke every point on each change (10
// series of 2,000 points took 30 ms to replace): the columns are painted here instead, all the
// min-max bands first, then the average lines over them, so no band hides a line.
void MeteringChart::paintPlot(QPainter *painter) const
{
    const QRectF area = chart()->plotArea();
    if (area.width() <= 0 || m_toMs <= m_fromMs)
        return;
    painter->setClipRect(area);
    std::vector<QPolygonF> lines;
    for (size_t i = 0; i < m_drawn.size() && i < m_columns.size(); ++i) {
        const Axis &a = m_axes[size_t(m_drawn[i].axis)];
        const double span = a.axis->max() - a.axis->min() > 0 ? a.axis->max() - a.axis->min() : 1;
        const double yScale = area.height() * a.scale.factor / span;
        const double y0 = area.bottom() + a.axis->min() * area.height() / span;
        const double xScale = area.width() / double(m_toMs - m_fromMs);
        QPolygonF line, band;
        line.reserve(qsizetype(m_columns[i].size()));
        band.reserve(qsizetype(m_columns[i].size()) * 2);
        for (const ChartPoint &p : m_columns[i]) {
            const double x = area.left() + double(p.tMs - m_fromMs) * xScale;
            line.append(QPointF(x, y0 - p.avg * yScale));
            band.append(QPointF(x, y0 - p.max * yScale));
        }
        for (auto it = m_columns[i].rbegin(); it != m_columns[i].rend(); ++it)
            band.append(
                QPointF(area.left() + double(it->tMs - m_fromMs) * xScale, y0 - it->min * yScale));
        paintBand(painter, band, m_drawn[i].color);
        lines.push_back(std::move(line));
    }
    // 1-pixel pens: the raster engine's fast path (1.5 pixels took the bench from 4 to 23 ms).
    for (size_t i = 0; i < lines.size(); ++i) {
        painter->setPen(QPen(m_drawn[i].color, 1));
        painter->drawPolyline(lines[i]);
    }
}

// The band in an opaque tint of its line's colour over white: blending a translucent band cost
// about 1.2 ms a series at 1280x800 (bench-metering-chart), filling an opaque one a tenth.
void MeteringChart::paintBand(QPainter *painter, const QPolygonF &band, const QColor &color)
{
    if (band.isEmpty())
        return;
    const auto tint = [](int c) {
        return 255 - (255 - c) * 30 / 100;
    };
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(tint(color.red()), tint(color.green()), tint(color.blue())));
    painter->drawPolygon(band);
}

void MeteringChart::placeTimeAxis()
{
    m_timeAxis->setFormat(timeFormat(m_toMs - m_fromMs));
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(m_fromMs),
                         QDateTime::fromMSecsSinceEpoch(m_toMs));
    m_plot->setRect(chart()->plotArea()); // the shown columns move with the axis at once
}

void MeteringChart::showOverlay(const QString &text)
{
    m_overlayText = text;
    m_overlay->setText(text);
    m_overlay->setVisible(!text.isEmpty());
    const QRectF area = chart()->plotArea();
    m_overlay->setPos(area.center() - m_overlay->boundingRect().center());
}

QString MeteringChart::emptyText() const
{
    return m_overlayText;
}

QLineSeries *MeteringChart::legendSeries(int i) const
{
    return i >= 0 && size_t(i) < m_drawn.size() ? m_drawn[size_t(i)].legend : nullptr;
}

QValueAxis *MeteringChart::valueAxis(int axis) const
{
    return axis >= 0 && size_t(axis) < m_axes.size() ? m_axes[size_t(axis)].axis : nullptr;
}

} // namespace converge::views::metering
