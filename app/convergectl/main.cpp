#include "cli.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("convergectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONVERGE_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    return converge::app::runCli(app.arguments().mid(1), out, err);
}
