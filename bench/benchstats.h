#pragma once
// What the benches share: the median of several runs (bench/README figures quote medians).

#include <QElapsedTimer>

#include <algorithm>
#include <functional>
#include <vector>

namespace converge::bench {

// The middle value (the upper one of an even count); EMPTY when there are none.
inline double median(std::vector<double> v, double empty = 0)
{
    if (v.empty())
        return empty;
    std::ranges::sort(v);
    return v[v.size() / 2];
}

// WORK run RUNS times: the median of its wall times in milliseconds (the slowest in *SLOWESTMS).
inline double medianMs(int runs, const std::function<void()> &work, double *slowestMs = nullptr)
{
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        work();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    if (slowestMs)
        *slowestMs = ms.empty() ? 0 : *std::ranges::max_element(ms);
    return median(std::move(ms));
}

} // namespace converge::bench
