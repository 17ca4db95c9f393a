// converge-extcap: wiring only (app/convergectl/extcapcommand.cpp). Installed into Wireshark's
// extcap directory, it makes the design's vNICs capture interfaces of Wireshark and tshark.
#include "app/convergectl/cli.h"

#include "collectors/channel/tlsagentconnector.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("converge-extcap"));
    QTextStream out(stdout);
    QTextStream err(stderr);
    converge::app::Cli cli{out, err, std::make_shared<converge::collectors::TlsAgentConnector>()};
    return converge::app::runExtcap(app.arguments().mid(1), cli);
}
