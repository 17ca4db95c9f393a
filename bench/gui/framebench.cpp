#include "framebench.h"

#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace converge::bench::gui {

namespace {

enum class Band { Overview, Middle, Detail };
constexpr const char *bandNames[] = {"overview (zoom < 0.1)", "middle (0.1 - 0.45)",
                                     "detail (>= 0.45)"};

Band bandOf(qreal zoom)
{
    return zoom < 0.1 ? Band::Overview : zoom < 0.45 ? Band::Middle : Band::Detail;
}

enum class Kind { Zoom, Pan };

struct Step
{
    Kind kind;
    std::function<void()> apply;
};

struct Frame
{
    Kind kind;
    qreal zoom;
    double ms;
    int boxes = 0;  // hosts and switches whose bounding rect is in view
    int cables = 0; // links whose bounding rect is in view (drawn from zoom 0.1 on)
};

// Moves a scroll bar by `delta`, turning back (and remembering it) at either end.
void panAxis(QScrollBar *bar, int delta, int *direction)
{
    if (bar->maximum() == bar->minimum())
        return;
    int next = bar->value() + *direction * delta;
    if (next > bar->maximum() || next < bar->minimum()) {
        *direction = -*direction;
        next = bar->value() + *direction * delta;
    }
    bar->setValue(std::clamp(next, bar->minimum(), bar->maximum()));
}

// The zoom levels from `fit` up to 100 % and 200 % and back (x1.25 a step, the view's own step).
std::vector<qreal> zoomLevels(qreal fit)
{
    std::vector<qreal> levels;
    for (qreal z = fit * 1.25; z < 1.0; z *= 1.25)
        levels.push_back(z);
    levels.push_back(1.0);
    for (qreal z = 1.25; z < 2.0; z *= 1.25)
        levels.push_back(z);
    levels.push_back(2.0);
    const std::vector<qreal> upward = levels;
    for (auto it = upward.rbegin() + 1; it != upward.rend(); ++it)
        levels.push_back(*it);
    levels.push_back(fit);
    return levels;
}

// A zoom step to `z` centred on the diagram, then right, down, left, up, a few steps each,
// turning back at the edges.
void addPans(std::vector<Step> &steps, views::DesignView *view, qreal z, QPointF centre,
             int panSteps)
{
    steps.push_back({Kind::Zoom, [view, z, centre] {
                         view->setZoom(z);
                         view->centerOn(centre);
                     }});
    auto directions = std::make_shared<std::pair<int, int>>(1, 1);
    for (int i = 0; i < panSteps - 1; ++i) {
        const bool horizontal = (i / 4) % 2 == 0;
        steps.push_back(
            {Kind::Pan, [view, horizontal, directions] {
                 const QSize port = view->viewport()->size();
                 if (horizontal)
                     panAxis(view->horizontalScrollBar(), port.width() / 3, &directions->first);
                 else
                     panAxis(view->verticalScrollBar(), port.height() / 3, &directions->second);
             }});
    }
}

// The scripted sequence: overview, zoom in to 100 % and 200 % and back out, then pans at each
// of `panZooms` until `frames` steps in all.
std::vector<Step> script(views::DesignView *view, int frames, const std::vector<qreal> &panZooms)
{
    std::vector<Step> steps;
    const QPointF centre = view->sceneRect().center();
    steps.push_back({Kind::Zoom, [view] {
                         view->fitToWindow();
                     }});
    view->fitToWindow();
    for (qreal z : zoomLevels(view->zoom()))
        steps.push_back({Kind::Zoom, [view, z] {
                             view->setZoom(z);
                         }});
    const int panSteps =
        std::max(16, int(std::ceil(double(frames - int(steps.size())) / double(panZooms.size()))));
    for (qreal z : panZooms)
        addPans(steps, view, z, centre, panSteps);
    return steps;
}

// How many of 5 viewport()->repaint() calls painted before they returned.
int synchronousRepaints(QWidget *viewport, const PaintProbe &probe)
{
    int synchronous = 0;
    for (int i = 0; i < 5; ++i) {
        const int before = probe.count;
        viewport->repaint();
        synchronous += probe.count == before + 1;
    }
    return synchronous;
}

void printHeader(views::MainWindow &window, std::size_t steps, bool useRepaint, int synchronous)
{
    views::DesignView *view = window.view();
    const QRectF sceneRect = view->sceneRect();
    view->fitToWindow();
    std::printf("\n2. frames: %zu steps over a %.0f x %.0f scene (%lld items), viewport %dx%d, "
                "fit zoom %.4f\n",
                steps, sceneRect.width(), sceneRect.height(),
                qlonglong(window.scene()->items().size()), view->viewport()->width(),
                view->viewport()->height(), view->zoom());
    std::printf("  each frame: change the view, then %s (whole viewport, timed)\n",
                useRepaint ? "viewport()->repaint(): synchronous here, checked by counting paint "
                             "events; includes whatever else in the window is dirty"
                           : "QGraphicsView::render() into a QImage of the viewport's size");
    std::printf("  repaint() synchronous check: %d of 5 calls painted at once\n", synchronous);
}

struct FrameRun
{
    std::vector<Frame> frames;
    std::vector<double> paintOnly;
    int missedPaints = 0;
    int extraPaints = 0;
    int stuckPans = 0;
};

class FrameRunner
{
public:
    FrameRunner(views::MainWindow &window, PaintProbe &probe, bool useRepaint)
        : m_window(window)
        , m_view(window.view())
        , m_probe(probe)
        , m_useRepaint(useRepaint)
        , m_image(m_view->viewport()->size(), QImage::Format_ARGB32_Premultiplied)
        , m_lastScroll(scroll())
    {
    }

    FrameRun run(const std::vector<Step> &steps)
    {
        for (const Step &step : steps)
            runStep(step);
        return std::move(m_run);
    }

private:
    QPoint scroll() const
    {
        return {m_view->horizontalScrollBar()->value(), m_view->verticalScrollBar()->value()};
    }

    void runStep(const Step &step)
    {
        step.apply();
        if (step.kind == Kind::Pan && scroll() == m_lastScroll)
            ++m_run.stuckPans;
        m_lastScroll = scroll();
        const int before = m_probe.count;
        Frame frame{step.kind, 0, paintFrame()};
        frame.zoom = m_view->zoom();
        if (m_useRepaint) {
            if (m_probe.count != before + 1)
                ++m_run.missedPaints;
            else
                m_run.paintOnly.push_back(m_probe.lastMs);
        }
        countInView(frame);
        m_run.frames.push_back(frame);
        const int settled = m_probe.count;
        QCoreApplication::processEvents(QEventLoop::AllEvents); // untimed: whatever was posted
        m_run.extraPaints += m_probe.count - settled;
    }

    // Paints the whole viewport; returns how long that took, in ms.
    double paintFrame()
    {
        QElapsedTimer timer;
        timer.start();
        if (m_useRepaint) {
            m_view->viewport()->repaint();
        } else {
            QPainter painter(&m_image);
            painter.setRenderHints(m_view->renderHints());
            m_view->render(&painter, QRectF(m_image.rect()), m_view->viewport()->rect());
        }
        return double(timer.nsecsElapsed()) / 1e6;
    }

    void countInView(Frame &frame) const
    {
        const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
        for (const QGraphicsItem *item :
             m_window.scene()->items(visible, Qt::IntersectsItemBoundingRect))
            ++(item->type() == views::DesignScene::LinkItemType ? frame.cables : frame.boxes);
    }

    views::MainWindow &m_window;
    views::DesignView *m_view;
    PaintProbe &m_probe;
    bool m_useRepaint;
    QImage m_image;
    QPoint m_lastScroll;
    FrameRun m_run;
};

void printFrameTimes(const std::vector<Frame> &frames, const std::vector<qreal> &panZooms)
{
    std::vector<double> overall, byBand[3], byKind[2], boxes[3], cables[3];
    for (const Frame &f : frames) {
        overall.push_back(f.ms);
        byBand[int(bandOf(f.zoom))].push_back(f.ms);
        boxes[int(bandOf(f.zoom))].push_back(f.boxes);
        cables[int(bandOf(f.zoom))].push_back(f.cables);
        byKind[int(f.kind)].push_back(f.ms);
    }
    printStats("overall", overall);
    for (int b = 0; b < 3; ++b)
        printStats(bandNames[b], byBand[b]);
    printStats("zoom steps", byKind[int(Kind::Zoom)]);
    printStats("pan steps", byKind[int(Kind::Pan)]);
    for (qreal z : panZooms) {
        std::vector<double> v;
        for (const Frame &f : frames)
            if (f.kind == Kind::Pan && qFuzzyCompare(f.zoom, z))
                v.push_back(f.ms);
        printStats(qPrintable(QStringLiteral("pans at zoom %1").arg(z)), v);
    }
    for (int b = 0; b < 3; ++b)
        std::printf("  in view, %-21s median %4.0f boxes, %4.0f cables (bounding rects)\n",
                    bandNames[b], median(boxes[b]), median(cables[b]));
}

void printFrameRun(const FrameRun &run, const std::vector<qreal> &panZooms, bool useRepaint)
{
    printFrameTimes(run.frames, panZooms);
    if (useRepaint) {
        printStats("viewport paintEvent only", run.paintOnly);
        std::printf("  paints: %d frames without exactly one timed paint, %d more paints after "
                    "frames (untimed)\n",
                    run.missedPaints, run.extraPaints);
    }
    std::printf("  pans that did not move the view (nothing to scroll on that axis): %d\n",
                run.stuckPans);
}

} // namespace

bool reportFrames(views::MainWindow &window, PaintProbe &probe, int frameCount, QString mode)
{
    processUntil([&] { return probe.count > 0; });
    QCoreApplication::processEvents(QEventLoop::AllEvents);

    // Does repaint() paint before it returns here?
    const int synchronous = synchronousRepaints(window.view()->viewport(), probe);
    const bool repaintWorks = synchronous == 5;
    if (mode.isEmpty())
        mode = repaintWorks ? QStringLiteral("repaint") : QStringLiteral("render");
    const bool useRepaint = mode == QLatin1String("repaint");
    if (useRepaint && !repaintWorks) {
        std::fprintf(stderr,
                     "bench-gui-frames: repaint() does not paint synchronously here (%d of "
                     "5 calls painted); use --mode render\n",
                     synchronous);
        return false;
    }

    const std::vector<qreal> panZooms{0.05, 0.2, 0.5, 1.0};
    const std::vector<Step> steps = script(window.view(), frameCount, panZooms);
    printHeader(window, steps.size(), useRepaint, synchronous);
    const FrameRun run = FrameRunner(window, probe, useRepaint).run(steps);
    printFrameRun(run, panZooms, useRepaint);
    return true;
}

} // namespace converge::bench::gui
