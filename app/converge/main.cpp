// converge: the GUI. Wiring only; the window lives in views/.
#include "collectors/channel/tlsagentconnector.h"
#include "collectors/console/consolemetering.h"
#include "views/mainwindow.h"
#include "views/metering/alertsview.h"
#include "views/session/designsession.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QScreen>
#include <QSysInfo>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <optional>

namespace {

using converge::views::MainWindow;

// Calls `done` once, after the first frame of `window` has been painted.
class FirstFrameProbe : public QObject
{
public:
    FirstFrameProbe(QWidget *window, std::function<void()> done)
        : QObject(window)
        , m_done(std::move(done))
    {
        window->installEventFilter(this);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && m_done) {
            watched->removeEventFilter(this);
            // The children paint in the same pass, right after the window itself.
            QTimer::singleShot(0, this, std::exchange(m_done, nullptr));
        }
        return false;
    }

private:
    std::function<void()> m_done;
};

// The command line; an option not given is nullopt.
struct Options
{
    bool newDesign = false;
    std::optional<QString> sample;
    std::optional<QString> file;
    std::optional<QString> select;
    std::optional<QString> screenshot;
    int screenshotAfterMs = 0; // --screenshot-after: seconds of live data before the grab
    bool quitAfterLoad = false;
};

std::optional<QString> valueOf(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    return parser.isSet(option) ? std::optional(parser.value(option)) : std::nullopt;
}

// Exits with the usage on --help, a bad option and the like.
Options parseCommandLine(const QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Draw, validate and deploy virtualization-host networks."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Design to open."),
                                 QStringLiteral("[FILE]"));
    const QCommandLineOption sample(QStringLiteral("sample"),
                                    QStringLiteral("Open a bundled sample (smb-converged, ...)."),
                                    QStringLiteral("NAME"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Show the window, save it as a PNG image and exit."), QStringLiteral("OUT"));
    const QCommandLineOption quitAfterLoad(
        QStringLiteral("quit-after-load"),
        QStringLiteral("Print the time to the first frame with the design shown, then exit."));
    const QCommandLineOption select(
        QStringLiteral("select"),
        QStringLiteral("Select an element (by id) once the design is open."), QStringLiteral("ID"));
    const QCommandLineOption newDesign(QStringLiteral("new"),
                                       QStringLiteral("Start with a new, empty design."));
    const QCommandLineOption screenshotAfter(
        QStringLiteral("screenshot-after"),
        QStringLiteral("With --screenshot: wait this many seconds (1-600) after the first frame, "
                       "so live charts have data."),
        QStringLiteral("SECONDS"));
    parser.addOptions({sample, screenshot, screenshotAfter, quitAfterLoad, select, newDesign});
    parser.process(app);
    const QStringList files = parser.positionalArguments();
    int afterMs = 0;
    if (parser.isSet(screenshotAfter)) {
        bool ok = false;
        const int seconds = parser.value(screenshotAfter).toInt(&ok);
        if (!ok || seconds < 1 || seconds > 600) {
            std::fprintf(stderr,
                         "converge: --screenshot-after must be seconds in 1-600, got '%s'\n",
                         qPrintable(parser.value(screenshotAfter)));
            std::exit(2);
        }
        afterMs = seconds * 1000;
    }
    return {.newDesign = parser.isSet(newDesign),
            .sample = valueOf(parser, sample),
            .file = files.isEmpty() ? std::nullopt : std::optional(files.constFirst()),
            .select = valueOf(parser, select),
            .screenshot = valueOf(parser, screenshot),
            .screenshotAfterMs = afterMs,
            .quitAfterLoad = parser.isSet(quitAfterLoad)};
}

// The resource of the bundled sample `name`; empty, after listing the samples, when there is none.
QString samplePath(const QString &name)
{
    const QString path = QStringLiteral(":/samples/%1.converge.json").arg(name);
    if (QFile::exists(path))
        return path;
    QStringList names;
    for (const auto &s : MainWindow::samples())
        names << s.key;
    std::fprintf(stderr, "converge: no sample '%s'; the samples are: %s\n", qPrintable(name),
                 qPrintable(names.join(QStringLiteral(", "))));
    return {};
}

// Opens and selects what the command line names; an exit code when the GUI must not start.
std::optional<int> openRequested(MainWindow &window, const Options &options)
{
    bool loaded = true;
    if (options.newDesign) {
        window.newDesign();
    } else if (options.sample) {
        const QString path = samplePath(*options.sample);
        if (path.isEmpty())
            return 2;
        loaded = window.openSample(path);
    } else if (options.file) {
        loaded = window.openFile(*options.file);
    }
    if (!loaded && (options.screenshot || options.quitAfterLoad)) {
        std::fprintf(stderr, "converge: %s\n", qPrintable(window.lastError()));
        return 1;
    }
    if (loaded && options.select && window.session()) {
        if (!window.design()->find(*options.select)) {
            std::fprintf(stderr, "converge: the design has no element '%s'\n",
                         qPrintable(*options.select));
            return 2;
        }
        window.session()->setSelection({*options.select});
    }
    return std::nullopt;
}

// --screenshot and --quit-after-load: the first frame is the end of the run.
void exitAfterFirstFrame(MainWindow &window, const Options &options,
                         const QElapsedTimer &sinceStart)
{
    if (options.screenshot) {
        window.resize(1280, 800); // the size the docs' screenshots are judged at
        new FirstFrameProbe(
            &window, [&window, out = *options.screenshot, after = options.screenshotAfterMs] {
                QTimer::singleShot(after, &window, [&window, out] {
                    const bool saved = window.grab().save(out);
                    if (!saved)
                        std::fprintf(stderr, "converge: cannot write %s\n", qPrintable(out));
                    QApplication::exit(saved ? 0 : 1);
                });
            });
    } else if (options.quitAfterLoad) {
        new FirstFrameProbe(&window, [&sinceStart] {
            std::printf("loaded in %lld ms\n", static_cast<long long>(sinceStart.elapsed()));
            std::fflush(stdout);
            QApplication::exit(0);
        });
    }
}

using converge::collectors::ConsoleMetering;

// METERING's alerts in the window's Alerts dock, as they are raised and cleared.
void showAlerts(MainWindow &window, ConsoleMetering &metering)
{
    auto *model = window.alertsModel();
    if (!model)
        return;
    model->setRules(metering.alertRules());
    QObject::connect(&metering, &ConsoleMetering::alertEvents, model,
                     &converge::views::metering::AlertsModel::addEvents);
}

// This machine's metering, sampled in-process into the console's own store: live charts with no
// set-up and no privilege. Null (and said on stderr) when that store cannot be opened.
std::unique_ptr<ConsoleMetering>
startLocalMetering(MainWindow &window,
                   std::shared_ptr<converge::core::protocol::AgentConnector> agents)
{
    auto local = ConsoleMetering::open(ConsoleMetering::localStorePath(), std::move(agents));
    if (!local) {
        std::fprintf(stderr, "converge: no metering of this machine: %s\n",
                     qPrintable(local.error().message));
        return nullptr;
    }
    // A desktop's own history: raw seconds for 6 hours (about 20 MB for ~60 series), then
    // minutes and hours as in any project.
    converge::core::MeteringRetention keep;
    keep.rawMs = qint64(6) * 3'600'000;
    (*local)->source()->meteringStore().setRetention(keep);
    const QString host = QSysInfo::machineHostName();
    (*local)->sampleLocalHost(host);
    window.setMetering((*local)->source(), host);
    showAlerts(window, **local);
    return std::move(*local);
}

// The open design's metering: its project store, following every enrolled agent's stream. Null
// for a design without a store (nothing enrolled yet) or a sample.
std::unique_ptr<ConsoleMetering>
projectMetering(MainWindow &window, const QString &path,
                std::shared_ptr<converge::core::protocol::AgentConnector> agents)
{
    namespace collectors = converge::collectors;
    if (!window.design() || path.isEmpty() || path.startsWith(u':'))
        return nullptr;
    auto fleet =
        collectors::openFleetStore(path, *window.design(), collectors::StoreMode::Existing);
    if (!fleet)
        return nullptr;
    const auto hosts = collectors::fleetHosts(*window.design(), &*fleet);
    auto metering = ConsoleMetering::open(fleet->path(), std::move(agents));
    if (!metering) {
        std::fprintf(stderr, "converge: no metering for %s: %s\n", qPrintable(path),
                     qPrintable(metering.error().message));
        return nullptr;
    }
    (*metering)->followFleet(*window.design(), hosts);
    showAlerts(window, **metering);
    return std::move(*metering);
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Converge"));
    QApplication::setApplicationName(QStringLiteral("Converge"));
    QApplication::setApplicationVersion(QStringLiteral(CONVERGE_VERSION));
    const Options options = parseCommandLine(app);

    // Declared before the window, which charts from them until it is gone.
    std::unique_ptr<ConsoleMetering> local;
    std::unique_ptr<ConsoleMetering> project;
    MainWindow window;
    auto agents = std::make_shared<converge::collectors::TlsAgentConnector>();
    window.setAgentConnector(agents);
    local = startLocalMetering(window, agents);
    QObject::connect(&window, &MainWindow::designOpened, &window, [&](const QString &path) {
        window.setProjectMetering(nullptr);
        project = projectMetering(window, path, agents);
        if (project)
            window.setProjectMetering(project->source());
    });
    if (const auto exitCode = openRequested(window, options))
        return *exitCode;
    exitAfterFirstFrame(window, options, sinceStart);
    window.show();
    if (!options.screenshot && !options.quitAfterLoad)
        window.offerRecovery(); // unsaved work a crash left behind
    return QApplication::exec();
}
