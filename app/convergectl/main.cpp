// convergectl: wiring only. The commands are in this folder's library, the work in core and the
// console library; the agents are reached over the TLS channel with the console's identity.
#include "cli.h"

#include "collectors/channel/tlsagentconnector.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("convergectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONVERGE_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    converge::app::Cli cli{out, err, std::make_shared<converge::collectors::TlsAgentConnector>()};
    return converge::app::runCli(app.arguments().mid(1), cli);
}
