// bench-capture-gui: the capture window's packet list at 1,000,000 packets (issue 16, "GUI
// memory per packet ... at most 64 bytes"). Writes a pcapng of PACKETS mixed packets (the
// dissector tests' fixtures in turn, as bench-dissect), then prints medians of 5 runs of
//   - the model's anonymous memory (RssAnon: the mapped file's pages are the kernel's page
//     cache, not the console's heap) growth per packet once indexed, and with a filter's rows;
//   - opening it in PacketListModel (the index: one record per packet);
//   - filtering every row with a simple and a compound display filter, event loop included;
// and the median of 21 paints of one screen of rows (1280x800, a QTableView as the capture
// window's) scrolled to a place not seen before, so every row is dissected anew.
// usage: bench-capture-gui [PACKETS] [DIR]   (QT_QPA_PLATFORM=offscreen when unset)
#include "bench/benchstats.h"
#include "captureframes.h"
#include "collectors/capture/displayfilter.h"
#include "views/capture/packetlistmodel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace converge;
using views::capture::PacketListModel;

namespace {

const QString compoundFilter =
    QStringLiteral("(ip.addr == 10.0.0.0/24 and udp.port == 53) or vxlan.vni == 5001 or "
                   "not (tcp or arp)");

bool writeCapture(const QString &path, qint64 packets)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    const capturetest::CaptureWriter w(false);
    std::vector<QByteArray> frames;
    for (const capturetest::Fixture &f : capturetest::fixtures())
        frames.push_back(f.frame);
    file.write(w.pcapng({}));
    quint64 stamp = 1700000000000000000ULL;
    for (qint64 i = 0; i < packets; ++i, stamp += 1000)
        file.write(w.enhanced(frames[size_t(i) % frames.size()], stamp));
    return file.error() == QFile::NoError;
}

// Kilobytes of the process's anonymous resident memory (heap, not mapped files).
qint64 rssAnonKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("RssAnon:"))
            return line.mid(8).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

double median(std::vector<double> v)
{
    return converge::bench::median(std::move(v), -1);
}

double seconds(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e9;
}

double indexRun(const QString &path, qint64 packets)
{
    PacketListModel model;
    QElapsedTimer timer;
    timer.start();
    if (!model.open(path) || model.packetCount() != packets)
        return -1;
    return seconds(timer);
}

double filterRun(PacketListModel &model, const QString &text, int *shown)
{
    auto filter = collectors::DisplayFilter::compile(text);
    if (!filter)
        return -1;
    bool done = false;
    QObject::connect(
        &model, &PacketListModel::filterFinished, &model, [&] { done = true; },
        Qt::SingleShotConnection);
    QElapsedTimer timer;
    timer.start();
    model.setFilter([f = *filter](const collectors::PacketSummary &s,
                                  std::span<const quint8> frame) { return f.matches(s, frame); });
    while (!done)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    *shown = model.rowCount();
    return seconds(timer);
}

// One screen of rows at places spread over the file, each painted once (cold cache).
double paintRun(QTableView &view, int run)
{
    QScrollBar *bar = view.verticalScrollBar();
    bar->setValue(int(qint64(bar->maximum()) * (run * 37 % 101) / 101));
    QElapsedTimer timer;
    timer.start();
    view.viewport()->repaint();
    return seconds(timer);
}

void benchFilters(PacketListModel &model, qint64 packets)
{
    const QString filters[] = {QStringLiteral("udp"), compoundFilter};
    for (const QString &text : filters) {
        std::vector<double> runs;
        int shown = 0;
        for (int i = 0; i < 5; ++i)
            runs.push_back(filterRun(model, text, &shown));
        std::printf("filter \"%s\": median %.3f s of 5 (%.3f..%.3f), %d of %lld shown, %.0f "
                    "packets/s\n",
                    qPrintable(text), median(runs), *std::ranges::min_element(runs),
                    *std::ranges::max_element(runs), shown, static_cast<long long>(packets),
                    double(packets) / median(runs));
    }
}

void benchPaint(PacketListModel &model)
{
    QTableView view;
    view.setModel(&model);
    view.verticalHeader()->hide();
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + 4);
    view.horizontalHeader()->setStretchLastSection(true);
    view.resize(1280, 800);
    view.show();
    QCoreApplication::processEvents();
    std::vector<double> runs;
    for (int i = 0; i < 21; ++i)
        runs.push_back(paintRun(view, i));
    const int rows = view.viewport()->height() / view.verticalHeader()->defaultSectionSize();
    std::printf("paint one screen (%d rows, cold): median %.2f ms of 21 (%.2f..%.2f)\n", rows,
                median(runs) * 1e3, *std::ranges::min_element(runs) * 1e3,
                *std::ranges::max_element(runs) * 1e3);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 packets = args.size() > 1 ? args[1].toLongLong() : 1000000;
    QTemporaryDir dir((args.size() > 2 ? args[2] : QDir::tempPath()) +
                      QStringLiteral("/bench-capture-gui-XXXXXX"));
    const QString path = dir.filePath(QStringLiteral("mixed.pcapng"));
    if (packets <= 0 || !dir.isValid() || !writeCapture(path, packets)) {
        std::fprintf(stderr, "bench-capture-gui: cannot write %s\n", qPrintable(path));
        return 1;
    }
    std::printf("%lld packets, %.1f MB pcapng\n", static_cast<long long>(packets),
                double(QFile(path).size()) / 1e6);
    // Memory first, before other runs leave freed heap behind to be reused.
    const qint64 before = rssAnonKb();
    PacketListModel model;
    int shown = 0;
    if (!model.open(path) || model.packetCount() != packets) {
        std::fprintf(stderr, "bench-capture-gui: cannot open %s\n", qPrintable(path));
        return 1;
    }
    const double indexed = double(rssAnonKb() - before) * 1024 / double(packets);
    filterRun(model, compoundFilter, &shown);
    std::printf("memory: %.1f bytes per packet indexed, %.1f with the compound filter's rows "
                "(anonymous RSS growth; target at most 64)\n",
                indexed, double(rssAnonKb() - before) * 1024 / double(packets));
    std::vector<double> runs;
    for (int i = 0; i < 5; ++i)
        runs.push_back(indexRun(path, packets));
    std::printf("open and index: median %.3f s of 5 (%.3f..%.3f), %.0f packets/s\n", median(runs),
                *std::ranges::min_element(runs), *std::ranges::max_element(runs),
                double(packets) / median(runs));
    benchFilters(model, packets);
    model.setFilter({});
    benchPaint(model);
    return 0;
}
