// gen-design: writes a synthetic design document for benchmarks and GUI trials.
#include "generator/designgenerator.h"

#include "core/io/designdocument.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Write a synthetic Converge design"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("hosts"), QStringLiteral("Number of hosts."),
                      QStringLiteral("N"), QStringLiteral("1000")});
    parser.addOption({QStringLiteral("vms"), QStringLiteral("VMs per host."), QStringLiteral("N"),
                      QStringLiteral("16")});
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("Output *.converge.json"));
    parser.process(app);
    bool okHosts = false, okVms = false;
    const int hosts = parser.value(QStringLiteral("hosts")).toInt(&okHosts);
    const int vms = parser.value(QStringLiteral("vms")).toInt(&okVms);
    QTextStream err(stderr);
    if (parser.positionalArguments().size() != 1 || !okHosts || !okVms || hosts < 1 ||
        hosts > 60000 || vms < 0 || vms > 80) {
        err << "gen-design: expected --hosts 1-60000, --vms 0-80 and one OUT file\n";
        return 2;
    }
    const auto design = converge::bench::generateDesign(hosts, vms);
    const QString out = parser.positionalArguments().first();
    if (auto ok = converge::core::designdocument::saveFile(design, out); !ok) {
        err << "gen-design: " << ok.error().message << '\n';
        return 3;
    }
    QTextStream(stdout) << "wrote " << out << ": " << design.size() << " elements\n";
    return 0;
}
