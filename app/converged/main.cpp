// converged: the agent daemon on each Linux host. For now it reports its version; the agent
// service (state, plan, apply, confirm, rollback) is issue 5's work.
#include "collectors/capture/pcapinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("converged"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONVERGE_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Converge host agent"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    QTextStream(stdout) << "converged " << CONVERGE_VERSION << " ("
                        << converge::collectors::pcapLibraryVersion() << ")\n";
    return 0;
}
