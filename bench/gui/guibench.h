#pragma once

// What the parts of bench-gui-frames share: one clock, statistics, a paint probe and the
// MainWindow it drives.
#include "views/mainwindow.h"

#include <QObject>
#include <QPointer>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

namespace converge::bench::gui {

inline constexpr QSize windowSize(1280, 800);

void startClock(); // main starts it first; every timestamp is on it
double nowMs();

double median(std::vector<double> v);
double percentile(std::vector<double> v, double p); // nearest rank

// "  label   N frames  median ...  p90 ...  max ... ms", or "no frames".
void printStats(const char *label, const std::vector<double> &ms);

// Processes events until `done` or `timeoutMs`; false on timeout.
bool processUntil(const std::function<bool()> &done, int timeoutMs = 60000);

// Counts the paint events of a widget and times each one from start to end: the filter runs
// first, delivers the event itself (so the paint happens inside it) and swallows the original.
class PaintProbe : public QObject
{
public:
    explicit PaintProbe(QWidget *widget);
    ~PaintProbe() override;

    int count = 0;
    double lastStart = 0; // on the clock, ms
    double lastEnd = 0;
    double lastMs = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QPointer<QWidget> m_widget;
    bool m_inside = false;
};

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

// A MainWindow at windowSize, shown, its start page painted; `times` gets construct and show.
std::unique_ptr<views::MainWindow> showWindow(OpenTimes *times = nullptr);

} // namespace converge::bench::gui
