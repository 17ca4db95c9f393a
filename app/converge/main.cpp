// converge: the GUI. Wiring only; the window lives in views/.
#include "collectors/channel/tlsagentconnector.h"
#include "views/mainwindow.h"
#include "views/session/designsession.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QScreen>
#include <QTimer>

#include <cstdio>
#include <functional>

namespace {

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

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Converge"));
    QApplication::setApplicationName(QStringLiteral("Converge"));
    QApplication::setApplicationVersion(QStringLiteral(CONVERGE_VERSION));

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
    parser.addOptions({sample, screenshot, quitAfterLoad, select, newDesign});
    parser.process(app);

    converge::views::MainWindow window;
    window.setAgentConnector(std::make_shared<converge::collectors::TlsAgentConnector>());
    bool loaded = true;
    if (parser.isSet(newDesign)) {
        window.newDesign();
    } else if (parser.isSet(sample)) {
        const QString path = QStringLiteral(":/samples/%1.converge.json").arg(parser.value(sample));
        if (!QFile::exists(path)) {
            QStringList names;
            for (const auto &s : converge::views::MainWindow::samples())
                names << s.key;
            std::fprintf(stderr, "converge: no sample '%s'; the samples are: %s\n",
                         qPrintable(parser.value(sample)),
                         qPrintable(names.join(QStringLiteral(", "))));
            return 2;
        }
        loaded = window.openSample(path);
    } else if (!parser.positionalArguments().isEmpty()) {
        loaded = window.openFile(parser.positionalArguments().constFirst());
    }
    if (!loaded && (parser.isSet(screenshot) || parser.isSet(quitAfterLoad))) {
        std::fprintf(stderr, "converge: %s\n", qPrintable(window.lastError()));
        return 1;
    }

    if (loaded && parser.isSet(select) && window.session()) {
        if (!window.design()->find(parser.value(select))) {
            std::fprintf(stderr, "converge: the design has no element '%s'\n",
                         qPrintable(parser.value(select)));
            return 2;
        }
        window.session()->setSelection({parser.value(select)});
    }

    if (parser.isSet(screenshot)) {
        window.resize(1280, 800); // the size the docs' screenshots are judged at
        new FirstFrameProbe(&window, [&] {
            const bool saved = window.grab().save(parser.value(screenshot));
            if (!saved)
                std::fprintf(stderr, "converge: cannot write %s\n",
                             qPrintable(parser.value(screenshot)));
            QApplication::exit(saved ? 0 : 1);
        });
    } else if (parser.isSet(quitAfterLoad)) {
        new FirstFrameProbe(&window, [&] {
            std::printf("loaded in %lld ms\n", static_cast<long long>(sinceStart.elapsed()));
            std::fflush(stdout);
            QApplication::exit(0);
        });
    }
    window.show();
    if (!parser.isSet(screenshot) && !parser.isSet(quitAfterLoad))
        window.offerRecovery(); // unsaved work a crash left behind
    return QApplication::exec();
}
