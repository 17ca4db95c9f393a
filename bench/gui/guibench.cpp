#include "guibench.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QWindow>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace converge::bench::gui {

namespace {

QElapsedTimer clock_;

} // namespace

void startClock()
{
    clock_.start();
}

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

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::ranges::sort(v);
    const auto rank = std::size_t(std::ceil(p / 100 * double(v.size())));
    return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
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

bool processUntil(const std::function<bool()> &done, int timeoutMs)
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

PaintProbe::PaintProbe(QWidget *widget)
    : m_widget(widget)
{
    widget->installEventFilter(this);
}

PaintProbe::~PaintProbe()
{
    if (m_widget)
        m_widget->removeEventFilter(this);
}

bool PaintProbe::eventFilter(QObject *watched, QEvent *event)
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

std::unique_ptr<views::MainWindow> showWindow(OpenTimes *times)
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

} // namespace converge::bench::gui
