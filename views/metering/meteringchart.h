#pragma once

#include "meteringunits.h"

#include "core/metering/metricssource.h"

#include <QChartView>
#include <QPointer>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QDateTimeAxis;
class QGraphicsSimpleTextItem;
class QLineSeries;
class QPainter;
class QTimer;
class QValueAxis;

// A chart of metering series (docs/metering.md): one unit family (meteringunits.h), at most two
// units (a second axis for the second), each series its average as a line over a lighter
// min-max band, over local time. Data comes from a MetricsSource, queried off the GUI thread
// with as many columns as the plot is wide; a newer query supersedes older ones, whose late
// results are dropped. Wheel and +/- zoom, drag and Left/Right pan, L toggles live (following
// now, redrawn as samples arrive, at most four times a second and at most once a column's
// time), Home goes back to live.
namespace converge::views::metering {

class PlotLayer;

// "web1 / eth0" for host web1, entity "if/eth0"; "web1" for the host itself.
QString entityTitle(const QString &host, const QString &entity);

class MeteringChart : public QChartView
{
    Q_OBJECT

public:
    // The source must outlive the chart.
    explicit MeteringChart(core::metering::MetricsSource *source, QWidget *parent = nullptr);
    ~MeteringChart() override;

    // The series to draw; keys of more than two units keep the first two. Queries again.
    void setSeries(const std::vector<core::metering::SeriesKey> &keys);
    const std::vector<core::metering::SeriesKey> &seriesKeys() const { return m_keys; }

    // [fromMs, toMs) in ms since the epoch; leaves live mode.
    void setTimeRange(qint64 fromMs, qint64 toMs);
    // The last `spanMs` up to now, following it (a range preset: 5 min, 1 h, 24 h, 7 d).
    void showLast(qint64 spanMs);
    qint64 fromMs() const { return m_fromMs; }
    qint64 toMs() const { return m_toMs; }
    void setLive(bool live);
    bool isLive() const { return m_live; }

    // factor < 1 zooms in, around `centerMs`; pan by a fraction of the span (< 0: earlier).
    void zoom(double factor, qint64 centerMs);
    void pan(double fraction);

    // Now, for live mode; tests set a fixed clock.
    void setClock(std::function<qint64()> now);
    // Draws these columns (one list per key, in seriesKeys() order) at once; what a finished
    // query does.
    void showColumns(const std::vector<std::vector<core::metering::ChartPoint>> &columns);

    // The columns a query asks for: the plot area's width in pixels.
    int columnsWanted() const;
    // The text over an empty plot ("No samples yet for web1 / eth0: ..."), empty when drawn.
    QString emptyText() const;
    // "14:03:05  Bytes received 94.2 Mbit/s" for the time under `viewPos`, empty outside.
    QString valueTextAt(QPoint viewPos) const;
    // The columns drawn for seriesKeys()[i] as (tMs, value in the axis' scale): averages, maxima.
    QList<QPointF> averagePoints(int i) const
    {
        return points(i, &core::metering::ChartPoint::avg);
    }
    QList<QPointF> bandTop(int i) const { return points(i, &core::metering::ChartPoint::max); }
    QLineSeries *legendSeries(int i) const; // its legend entry (no points)
    QValueAxis *valueAxis(int axis) const;  // 0 left, 1 right (nullptr: one unit)
    const UnitScale &scale(int axis) const { return m_axes[size_t(axis)].scale; }

public Q_SLOTS:
    void refresh(); // queries the shown range again (coalesced)

Q_SIGNALS:
    void rangeChanged(qint64 fromMs, qint64 toMs, bool live);
    void redrawn(); // a query's result is on screen
    void hoverTextChanged(const QString &text);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Axis
    {
        QString unit;
        UnitScale scale;
        QValueAxis *axis = nullptr;
    };
    struct Drawn
    {
        QLineSeries *legend = nullptr;
        QColor color;
        int axis = 0;
    };
    friend class PlotLayer;

    void connectTimers();
    void buildSeries();
    void addSeries(const core::metering::SeriesKey &key, int index);
    int axisFor(const QString &unit);
    void startQuery();
    void queryDone(quint64 generation,
                   const std::vector<core::Result<std::vector<core::metering::ChartPoint>>> &r);
    void rescaleAxis(int axis, const std::vector<std::vector<core::metering::ChartPoint>> &cols);
    QList<QPointF> points(int i, double core::metering::ChartPoint::*value) const;
    void paintPlot(QPainter *painter) const;
    static void paintBand(QPainter *painter, const QPolygonF &band, const QColor &color);
    void placeTimeAxis();
    void showOverlay(const QString &text);
    void onSamplesArrived(qint64 latestMs);
    void startLiveThrottle();
    void moveRange(qint64 fromMs, qint64 toMs, bool live);
    qint64 timeAt(QPoint viewPos) const;
    QString seriesName(const core::metering::SeriesKey &key) const;

    core::metering::MetricsSource *m_source;
    std::vector<core::metering::SeriesKey> m_keys;
    std::vector<Drawn> m_drawn;
    std::vector<Axis> m_axes;
    std::vector<std::vector<core::metering::ChartPoint>> m_columns;
    QDateTimeAxis *m_timeAxis = nullptr;
    PlotLayer *m_plot = nullptr; // child item of the chart
    QGraphicsSimpleTextItem *m_overlay = nullptr;
    QString m_overlayText;
    std::function<qint64()> m_now;
    qint64 m_spanMs = qint64(5) * 60'000; // live: the last 5 minutes
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    bool m_live = true;
    bool m_livePending = false;
    int m_dragX = -1;
    int m_queriedColumns = 0;
    QTimer *m_refreshTimer;   // coalesces refresh() calls into one query
    QTimer *m_liveThrottle;   // at most one live redraw a quarter second
    QTimer *m_fitTimer;       // asks again when the plot's width no longer fits the columns
    quint64 m_generation = 0; // of the newest query; results of older ones are dropped
    std::shared_ptr<std::atomic<quint64>> m_latest;
    QThreadPool m_pool;
};

} // namespace converge::views::metering
