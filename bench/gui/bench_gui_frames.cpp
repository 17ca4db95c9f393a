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
#include "framebench.h"
#include "guibench.h"
#include "openbench.h"

#include "generator/designgenerator.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/session/designsession.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>

#include <cstdio>
#include <cstdlib>
#include <optional>

using namespace converge;
using namespace converge::bench::gui;

namespace {

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

struct Options
{
    int hosts = 1000;
    int frames = 240;
    QString mode; // empty: repaint when it paints at once, else render
};

// The options, or the exit code when there is nothing to run (--help, a bad --mode).
std::optional<Options> parseOptions(const QStringList &args, int *exitCode)
{
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"))) {
        std::printf("usage: bench-gui-frames [--hosts N] [--frames N] [--mode repaint|render]\n");
        *exitCode = 0;
        return std::nullopt;
    }
    Options o;
    o.hosts = intArg(args, QStringLiteral("--hosts"), 1000);
    o.frames = intArg(args, QStringLiteral("--frames"), 240);
    if (args.contains(QStringLiteral("--mode"))) {
        o.mode = args.value(args.indexOf(QStringLiteral("--mode")) + 1);
        if (o.mode != QLatin1String("repaint") && o.mode != QLatin1String("render")) {
            std::fprintf(stderr, "bench-gui-frames: --mode is repaint or render\n");
            *exitCode = 2;
            return std::nullopt;
        }
    }
    return o;
}

// Generates the design and saves it in `dir`; returns its path (empty on failure).
QString writeDesign(const QTemporaryDir &dir, int hosts)
{
    const double t = nowMs();
    const core::Design generated = bench::generateDesign(hosts);
    const double generateMs = nowMs() - t;
    const QString path = dir.filePath(QStringLiteral("bench-%1.converge.json").arg(hosts));
    if (auto saved = core::designdocument::saveFile(generated, path); !saved) {
        std::fprintf(stderr, "bench-gui-frames: %s\n", qPrintable(saved.error().message));
        return {};
    }
    std::printf("design: %d hosts, %zu elements, %zu vNICs, %.1f MB (generated in %.0f ms)\n",
                hosts, generated.size(), generated.count(core::ElementKind::VirtualNic),
                double(QFileInfo(path).size()) / 1e6, generateMs);
    std::printf("platform: %s, window %dx%d\n", qPrintable(QGuiApplication::platformName()),
                windowSize.width(), windowSize.height());
    return path;
}

// 3. An edit as the inspector makes it, until the diagram has been updated (the boxes it
// touched built again) and the validation re-run: what an admin waits for per change.
void reportEdits(views::MainWindow &window, int hosts)
{
    views::DesignSession *session = window.session();
    processUntil([&] { return session->isValidated(); });
    int redrawn = 0;
    QObject::connect(window.scene(), &views::DesignScene::rebuilt, [&redrawn] { ++redrawn; });
    std::vector<double> edits, undos;
    QRandomGenerator random(11);
    for (int i = 0; i < 41; ++i) {
        const QString vnic = QStringLiteral("h%1.vm%2.LAN")
                                 .arg(random.bounded(hosts) + 1)
                                 .arg(random.bounded(16) + 1);
        QElapsedTimer timer;
        timer.start();
        if (!session->apply(core::commands::setProperty(session->design(), vnic,
                                                        core::key::accessVlan, 100 + i)))
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
}

} // namespace

int main(int argc, char *argv[])
{
    startClock();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    // Recent files, window state and autosaves go to a throwaway place, not the user's.
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("ConvergeBench"));
    QApplication::setApplicationName(QStringLiteral("bench-gui-frames"));
    QSettings().clear();

    int exitCode = 0;
    const auto options = parseOptions(QApplication::arguments(), &exitCode);
    if (!options)
        return exitCode;
    QTemporaryDir dir;
    const QString path = writeDesign(dir, options->hosts);
    if (path.isEmpty() || !reportOpen(path))
        return 1;

    auto window = showWindow();
    if (!window->openFile(path))
        return 1;
    PaintProbe probe(window->view()->viewport());
    if (!reportFrames(*window, probe, options->frames, options->mode))
        return 1;
    reportEdits(*window, options->hosts);
    return 0;
}
