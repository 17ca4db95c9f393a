// bench-gui-startup: what opening a design costs the GUI. For a design file (make a big one
// with `gen-design --hosts 1000 --vms 16 big.converge.json`), prints the median of 5 runs of:
// loading the document, building the tree model, building the diagram scene, and the whole
// MainWindow::openFile (load + model + scene + window updates).
#include "core/io/designdocument.h"
#include "views/diagram/designscene.h"
#include "views/mainwindow.h"
#include "views/tree/designtreemodel.h"

#include <QApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

namespace {

constexpr int runs = 5;

double medianMs(const std::function<void()> &work)
{
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        work();
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::ranges::sort(times);
    return times[runs / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: bench-gui-startup DESIGN.converge.json\n");
        return 2;
    }
    const QString path = args[1];
    using namespace converge;
    auto design = core::designdocument::loadFile(path);
    if (!design) {
        std::fprintf(stderr, "bench-gui-startup: %s\n", qPrintable(design.error().message));
        return 1;
    }
    std::printf("%s: %zu elements, %zu hosts, %zu vNICs (median of %d runs)\n", qPrintable(path),
                design->size(), design->count(core::ElementKind::Host),
                design->count(core::ElementKind::VirtualNic), runs);

    const double load = medianMs([&] { (void)core::designdocument::loadFile(path); });
    const double tree = medianMs([&] {
        views::DesignTreeModel model;
        model.setDesign(&*design);
    });
    const double scene = medianMs([&] {
        views::DesignScene s;
        s.setDesign(&*design);
    });
    const double window = medianMs([&] {
        views::MainWindow w;
        w.openFile(path);
    });
    std::printf("load %.1f ms\ntree model %.1f ms\nscene %.1f ms\nopenFile (all) %.1f ms\n", load,
                tree, scene, window);
    return 0;
}
