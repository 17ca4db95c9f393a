// bench-gui-frames: how fast the diagram of a big design opens and redraws. Generates a design
// (--hosts N, default 1000, 16 VMs per host), saves it as a *.converge.json and prints:
//  1. open and first paint, median of 3 fresh MainWindows at 1280x800: construct, show, load
//     (alone and as MainWindow reports it), openFile, and the time until the diagram's viewport
//     has finished its first paint;
//  2. frame times while zooming (overview -> 100 % -> 200 % -> overview) and panning by a third
//     of the viewport at zoom 0.05, 0.2, 0.5 and 1.0 (--frames N, default 240): median, 90th
//     percentile and max, overall, per zoom band and per kind of step. Each frame changes the
//     view, then paints the whole viewport synchronously (viewport()->repaint() when that is
//     seen to paint at once, else QGraphicsView::render() into a QImage; --mode forces one).
// Prints figures only. Run it offscreen: QT_QPA_PLATFORM=offscreen (the default when unset).
#include "generator/designgenerator.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/mainwindow.h"
#include "views/session/designsession.h"
#include <QRandomGenerator>
#include <QUndoStack>

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QPointer>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QWindow>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

using namespace converge;

namespace {

constexpr int openRuns = 3;
constexpr QSize windowSize(1280, 800);

QElapsedTimer clock_; // started in main; every timestamp below is on it

double nowMs()
{
    return double(clock_.nsecsElapsed()) / 1e6;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::ranges::sort(v);
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double percentile(std::vector<double> v, double p) // nearest rank
{
    if (v.empty())
        return 0;
    std::ranges::sort(v);
    const auto rank = std::size_t(std::ceil(p / 100 * double(v.size())));
    return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// Counts the paint events of a widget and times each one from start to end: the filter runs
// first, delivers the event itself (so the paint happens inside it) and swallows the original.
class PaintProbe : public QObject
{
public:
    explicit PaintProbe(QWidget *widget)
        : m_widget(widget)
    {
        widget->installEventFilter(this);
    }
    ~PaintProbe() override
    {
        if (m_widget)
            m_widget->removeEventFilter(this);
    }

    int count = 0;
    double lastStart = 0; // on clock_, ms
    double lastEnd = 0;
    double lastMs = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || m_inside)
            return false;
        m_inside = true;
        lastStart = nowMs();
        QCoreApplication::sendEvent(watched, event);
        lastEnd = nowMs();
        m_inside = false;
        lastMs = lastEnd - lastStart;
        ++count;
        return true;
    }

private:
    QPointer<QWidget> m_widget;
    bool m_inside = false;
};

// Processes events until `done` or `timeoutMs`; false on timeout.
bool processUntil(const std::function<bool()> &done, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    }
    return true;
}

struct OpenTimes
{
    double construct = 0;    // MainWindow()
    double show = 0;         // resize + show until the start page is exposed and painted
    double openFile = 0;     // the openFile() call
    double reported = -1;    // "Opened ... in N ms" from the status bar
    double toPaintStart = 0; // openFile() start -> viewport paint starts
    double paint = 0;        // the first viewport paint itself
    double toPaintDone = 0;  // openFile() start -> viewport paint done
    double toFrameDone = 0;  // openFile() start -> the event loop pass with that paint returned
    double total = 0;        // MainWindow() start -> viewport paint done
};

std::unique_ptr<views::MainWindow> showWindow(OpenTimes *times = nullptr)
{
    const double start = nowMs();
    auto window = std::make_unique<views::MainWindow>();
    const double constructed = nowMs();
    window->resize(windowSize);
    window->show();
    processUntil([&] { return window->windowHandle() && window->windowHandle()->isExposed(); });
    for (int i = 0; i < 3; ++i) // the start page's first paint
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    if (times) {
        times->construct = constructed - start;
        times->show = nowMs() - constructed;
        times->total = -start; // completed by openOnce
    }
    return window;
}

OpenTimes openOnce(const QString &path)
{
    OpenTimes times;
    auto window = showWindow(&times);
    {
        PaintProbe probe(window->view()->viewport());
        const double start = nowMs();
        if (!window->openFile(path)) {
            std::fprintf(stderr, "bench-gui-frames: cannot open %s: %s\n", qPrintable(path),
                         qPrintable(window->lastError()));
            std::exit(1);
        }
        times.openFile = nowMs() - start;
        double frameDone = 0;
        if (!processUntil([&] {
                if (probe.count > 0 && frameDone == 0)
                    frameDone = nowMs();
                return probe.count > 0;
            })) {
            std::fprintf(stderr, "bench-gui-frames: the diagram never painted\n");
            std::exit(1);
        }
        times.toPaintStart = probe.lastStart - start;
        times.paint = probe.lastMs;
        times.toPaintDone = probe.lastEnd - start;
        times.toFrameDone = frameDone - start;
        times.total += probe.lastEnd;
        static const QRegularExpression reported(QStringLiteral(" in (\\d+) ms"));
        const auto match = reported.match(window->statusBar()->currentMessage());
        if (match.hasMatch())
            times.reported = match.captured(1).toDouble();
    }
    window.reset();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return times;
}

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

// The scripted sequence: overview, zoom in to 100 % and 200 % and back out (x1.25 a step, the
// view's own step), then pans at each of `panZooms` until `frames` steps in all.
std::vector<Step> script(views::DesignView *view, int frames, std::vector<qreal> *panZooms)
{
    std::vector<Step> steps;
    const QPointF centre = view->sceneRect().center();
    steps.push_back({Kind::Zoom, [view] {
                         view->fitToWindow();
                     }});
    view->fitToWindow();
    const qreal fit = view->zoom();
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
    for (qreal z : levels)
        steps.push_back({Kind::Zoom, [view, z] {
                             view->setZoom(z);
                         }});

    const int panSteps =
        std::max(16, int(std::ceil(double(frames - int(steps.size())) / double(panZooms->size()))));
    for (qreal z : *panZooms) {
        // A pan level starts with a zoom step to it, centred on the diagram.
        steps.push_back({Kind::Zoom, [view, z, centre] {
                             view->setZoom(z);
                             view->centerOn(centre);
                         }});
        // Right, down, left, up, a few steps each, turning back at the edges.
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
    return steps;
}

void printStats(const char *label, const std::vector<double> &ms)
{
    if (ms.empty()) {
        std::printf("  %-28s      no frames\n", label);
        return;
    }
    std::printf("  %-28s %4zu frames  median %7.2f  p90 %7.2f  max %7.2f ms\n", label, ms.size(),
                median(ms), percentile(ms, 90), std::ranges::max(ms));
}

int intArg(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype i = args.indexOf(name);
    if (i < 0)
        return fallback;
    bool ok = false;
    const int value = args.value(i + 1).toInt(&ok);
    if (!ok || value <= 0) {
        std::fprintf(stderr, "bench-gui-frames: %s needs a positive number\n", qPrintable(name));
        std::exit(2);
    }
    return value;
}

} // namespace

int main(int argc, char *argv[])
{
    clock_.start();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    // Recent files, window state and autosaves go to a throwaway place, not the user's.
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("ConvergeBench"));
    QApplication::setApplicationName(QStringLiteral("bench-gui-frames"));
    QSettings().clear();

    const QStringList args = QApplication::arguments();
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        std::printf("usage: bench-gui-frames [--hosts N] [--frames N] [--mode repaint|render]\n");
        return 0;
    }
    const int hosts = intArg(args, QStringLiteral("--hosts"), 1000);
    const int frameCount = intArg(args, QStringLiteral("--frames"), 240);
    QString mode = args.value(args.indexOf(QStringLiteral("--mode")) + 1);
    if (!args.contains(QStringLiteral("--mode")))
        mode.clear();
    else if (mode != QLatin1String("repaint") && mode != QLatin1String("render")) {
        std::fprintf(stderr, "bench-gui-frames: --mode is repaint or render\n");
        return 2;
    }

    // The design, as a file.
    double t = nowMs();
    const core::Design generated = bench::generateDesign(hosts);
    const double generateMs = nowMs() - t;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench-%1.converge.json").arg(hosts));
    if (auto saved = core::designdocument::saveFile(generated, path); !saved) {
        std::fprintf(stderr, "bench-gui-frames: %s\n", qPrintable(saved.error().message));
        return 1;
    }
    std::printf("design: %d hosts, %zu elements, %zu vNICs, %.1f MB (generated in %.0f ms)\n",
                hosts, generated.size(), generated.count(core::ElementKind::VirtualNic),
                double(QFileInfo(path).size()) / 1e6, generateMs);
    std::printf("platform: %s, window %dx%d\n", qPrintable(QGuiApplication::platformName()),
                windowSize.width(), windowSize.height());

    // 1. Open and first paint.
    std::vector<double> loads;
    for (int i = 0; i < openRuns; ++i) {
        t = nowMs();
        if (!core::designdocument::loadFile(path))
            return 1;
        loads.push_back(nowMs() - t);
    }
    std::vector<OpenTimes> opens;
    for (int i = 0; i < openRuns; ++i)
        opens.push_back(openOnce(path));
    auto med = [&](double OpenTimes::*field) {
        std::vector<double> v;
        for (const OpenTimes &o : opens)
            v.push_back(o.*field);
        return median(v);
    };
    auto all = [&](double OpenTimes::*field) {
        QStringList v;
        for (const OpenTimes &o : opens)
            v << QString::number(o.*field, 'f', 0);
        return v.join(QStringLiteral(", ")).toStdString();
    };
    std::printf("\n1. open and first paint (median of %d fresh MainWindows; the runs in [])\n",
                openRuns);
    std::printf("  construct MainWindow               %8.1f ms  [%s]\n", med(&OpenTimes::construct),
                all(&OpenTimes::construct).c_str());
    std::printf("  resize + show (start page painted) %8.1f ms  [%s]\n", med(&OpenTimes::show),
                all(&OpenTimes::show).c_str());
    std::printf("  load alone (designdocument::loadFile) %5.1f ms  [%s]\n", median(loads),
                QStringList({QString::number(loads[0], 'f', 0), QString::number(loads[1], 'f', 0),
                             QString::number(loads[2], 'f', 0)})
                    .join(QStringLiteral(", "))
                    .toStdString()
                    .c_str());
    std::printf("  openFile() as MainWindow reports   %8.1f ms  [%s]  (load + session + views)\n",
                med(&OpenTimes::reported), all(&OpenTimes::reported).c_str());
    std::printf("  openFile() call                    %8.1f ms  [%s]\n", med(&OpenTimes::openFile),
                all(&OpenTimes::openFile).c_str());
    std::printf("  first viewport paint itself        %8.1f ms  [%s]\n", med(&OpenTimes::paint),
                all(&OpenTimes::paint).c_str());
    std::printf("  openFile() start -> paint starts   %8.1f ms  [%s]\n",
                med(&OpenTimes::toPaintStart), all(&OpenTimes::toPaintStart).c_str());
    std::printf("  openFile() start -> paint done     %8.1f ms  [%s]\n",
                med(&OpenTimes::toPaintDone), all(&OpenTimes::toPaintDone).c_str());
    std::printf("  openFile() start -> frame done     %8.1f ms  [%s]  (event loop pass returned)\n",
                med(&OpenTimes::toFrameDone), all(&OpenTimes::toFrameDone).c_str());
    std::printf("  MainWindow() start -> paint done   %8.1f ms  [%s]\n", med(&OpenTimes::total),
                all(&OpenTimes::total).c_str());

    // 2. Frames while zooming and panning.
    auto window = showWindow();
    if (!window->openFile(path))
        return 1;
    views::DesignView *view = window->view();
    QWidget *viewport = view->viewport();
    PaintProbe probe(viewport);
    processUntil([&] { return probe.count > 0; });
    QCoreApplication::processEvents(QEventLoop::AllEvents);

    // Does repaint() paint before it returns here?
    int synchronous = 0;
    for (int i = 0; i < 5; ++i) {
        const int before = probe.count;
        viewport->repaint();
        synchronous += probe.count == before + 1;
    }
    const bool repaintWorks = synchronous == 5;
    if (mode.isEmpty())
        mode = repaintWorks ? QStringLiteral("repaint") : QStringLiteral("render");
    const bool useRepaint = mode == QLatin1String("repaint");
    if (useRepaint && !repaintWorks) {
        std::fprintf(stderr,
                     "bench-gui-frames: repaint() does not paint synchronously here (%d of "
                     "5 calls painted); use --mode render\n",
                     synchronous);
        return 1;
    }

    std::vector<qreal> panZooms{0.05, 0.2, 0.5, 1.0};
    const std::vector<Step> steps = script(view, frameCount, &panZooms);
    const QRectF sceneRect = view->sceneRect();
    view->fitToWindow();
    std::printf("\n2. frames: %zu steps over a %.0f x %.0f scene (%lld items), viewport %dx%d, "
                "fit zoom %.4f\n",
                steps.size(), sceneRect.width(), sceneRect.height(),
                qlonglong(window->scene()->items().size()), viewport->width(), viewport->height(),
                view->zoom());
    std::printf("  each frame: change the view, then %s (whole viewport, timed)\n",
                useRepaint ? "viewport()->repaint(): synchronous here, checked by counting paint "
                             "events; includes whatever else in the window is dirty"
                           : "QGraphicsView::render() into a QImage of the viewport's size");
    std::printf("  repaint() synchronous check: %d of 5 calls painted at once\n", synchronous);

    QImage image(viewport->size(), QImage::Format_ARGB32_Premultiplied);
    std::vector<Frame> frames;
    std::vector<double> paintOnly;
    int missedPaints = 0, extraPaints = 0, stuckPans = 0;
    QPoint lastScroll(view->horizontalScrollBar()->value(), view->verticalScrollBar()->value());
    for (const Step &step : steps) {
        step.apply();
        const QPoint scroll(view->horizontalScrollBar()->value(),
                            view->verticalScrollBar()->value());
        if (step.kind == Kind::Pan && scroll == lastScroll)
            ++stuckPans;
        lastScroll = scroll;
        const int before = probe.count;
        QElapsedTimer timer;
        timer.start();
        if (useRepaint) {
            viewport->repaint();
        } else {
            QPainter painter(&image);
            painter.setRenderHints(view->renderHints());
            view->render(&painter, QRectF(image.rect()), viewport->rect());
        }
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (useRepaint) {
            if (probe.count != before + 1)
                ++missedPaints;
            else
                paintOnly.push_back(probe.lastMs);
        }
        Frame frame{step.kind, view->zoom(), ms};
        const QRectF visible = view->mapToScene(viewport->rect()).boundingRect();
        for (const QGraphicsItem *item :
             window->scene()->items(visible, Qt::IntersectsItemBoundingRect))
            ++(item->type() == views::DesignScene::LinkItemType ? frame.cables : frame.boxes);
        frames.push_back(frame);
        const int settled = probe.count;
        QCoreApplication::processEvents(QEventLoop::AllEvents); // untimed: whatever was posted
        extraPaints += probe.count - settled;
    }

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
    if (useRepaint) {
        printStats("viewport paintEvent only", paintOnly);
        std::printf("  paints: %d frames without exactly one timed paint, %d more paints after "
                    "frames (untimed)\n",
                    missedPaints, extraPaints);
    }
    std::printf("  pans that did not move the view (nothing to scroll on that axis): %d\n",
                stuckPans);

    // 3. An edit as the inspector makes it, until the diagram has been updated (the boxes it
    // touched built again) and the validation re-run: what an admin waits for per change.
    views::DesignSession *session = window->session();
    processUntil([&] { return session->isValidated(); });
    int redrawn = 0;
    QObject::connect(window->scene(), &views::DesignScene::rebuilt, [&redrawn] { ++redrawn; });
    std::vector<double> edits, undos;
    QRandomGenerator random(11);
    for (int i = 0; i < 41; ++i) {
        const QString vnic = QStringLiteral("h%1.vm%2.LAN")
                                 .arg(random.bounded(hosts) + 1)
                                 .arg(random.bounded(16) + 1);
        QElapsedTimer timer;
        timer.start();
        if (!session->apply(core::commands::setProperty(session->design(), vnic,
                                                        QStringLiteral("accessVlan"), 100 + i)))
            continue;
        const int before = redrawn;
        processUntil([&] { return redrawn > before; });
        edits.push_back(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        session->undoStack()->undo();
        processUntil([&] { return redrawn > before + 1; });
        undos.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::printf("\n3. one property edit through the session until the diagram is updated\n");
    printStats("edit (vNIC VLAN)", edits);
    printStats("undo of it", undos);
    return 0;
}
