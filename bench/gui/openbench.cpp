#include "openbench.h"

#include "guibench.h"

#include "core/io/designdocument.h"
#include "views/diagram/designview.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStatusBar>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace converge::bench::gui {

namespace {

constexpr int openRuns = 3;

// Waits for the viewport's first paint after openFile() began at `start`.
void recordFirstPaint(const PaintProbe &probe, double start, OpenTimes &times)
{
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
        recordFirstPaint(probe, start, times);
        static const QRegularExpression reported(QStringLiteral(" in (\\d+) ms"));
        const auto match = reported.match(window->statusBar()->currentMessage());
        if (match.hasMatch())
            times.reported = match.captured(1).toDouble();
    }
    window.reset();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return times;
}

// "12, 13, 12": each run's figure, rounded.
std::string runsText(const std::vector<double> &values)
{
    QStringList v;
    for (double d : values)
        v << QString::number(d, 'f', 0);
    return v.join(QStringLiteral(", ")).toStdString();
}

struct OpenRuns
{
    std::vector<double> loads;
    std::vector<OpenTimes> opens;

    std::vector<double> of(double OpenTimes::*field) const
    {
        std::vector<double> v;
        for (const OpenTimes &o : opens)
            v.push_back(o.*field);
        return v;
    }
    void print(const char *label, double OpenTimes::*field, const char *note = "") const
    {
        std::printf("  %s %8.1f ms  [%s]%s\n", label, median(of(field)),
                    runsText(of(field)).c_str(), note);
    }
};

void printOpenRuns(const OpenRuns &r)
{
    std::printf("\n1. open and first paint (median of %d fresh MainWindows; the runs in [])\n",
                openRuns);
    r.print("construct MainWindow              ", &OpenTimes::construct);
    r.print("resize + show (start page painted)", &OpenTimes::show);
    std::printf("  load alone (designdocument::loadFile) %5.1f ms  [%s]\n", median(r.loads),
                runsText(r.loads).c_str());
    r.print("openFile() as MainWindow reports  ", &OpenTimes::reported,
            "  (load + session + views)");
    r.print("openFile() call                   ", &OpenTimes::openFile);
    r.print("first viewport paint itself       ", &OpenTimes::paint);
    r.print("openFile() start -> paint starts  ", &OpenTimes::toPaintStart);
    r.print("openFile() start -> paint done    ", &OpenTimes::toPaintDone);
    r.print("openFile() start -> frame done    ", &OpenTimes::toFrameDone,
            "  (event loop pass returned)");
    r.print("MainWindow() start -> paint done  ", &OpenTimes::total);
}

} // namespace

bool reportOpen(const QString &path)
{
    OpenRuns runs;
    for (int i = 0; i < openRuns; ++i) {
        const double t = nowMs();
        if (!core::designdocument::loadFile(path))
            return false;
        runs.loads.push_back(nowMs() - t);
    }
    for (int i = 0; i < openRuns; ++i)
        runs.opens.push_back(openOnce(path));
    printOpenRuns(runs);
    return true;
}

} // namespace converge::bench::gui
