// bench-validation: full validation of the 1,000-host synthetic design against loading it from
// JSON, and the median time of one incremental re-validation after a single-property edit.
#include "bench/benchstats.h"
#include "generator/designgenerator.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>

using namespace converge;
using namespace converge::core;

namespace {

using converge::bench::median;

double elapsedMs(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

// A single-property edit of the kind an admin makes: a vNIC's VLAN or address, a NIC's speed,
// a switch's default weight, a team's load balancing.
Result<Edit> singleEdit(const Design &d, int hosts, QRandomGenerator &random, int i)
{
    const QString h = QStringLiteral("h%1").arg(random.bounded(hosts) + 1);
    const QString vm = h + QStringLiteral(".vm%1").arg(random.bounded(16) + 1);
    switch (i % 5) {
    case 0:
        return commands::setProperty(d, vm + QStringLiteral(".LAN"), key::accessVlan,
                                     100 + random.bounded(8));
    case 1:
        return commands::setProperty(
            d, vm + QStringLiteral(".LAN"), key::addresses,
            QJsonArray{
                QStringLiteral("10.0.%1.%2/16").arg(random.bounded(60)).arg(random.bounded(250))});
    case 2:
        return commands::setProperty(d, h + QStringLiteral(".eth2"), key::speed,
                                     i % 2 ? 1e9 : 1e10);
    case 3:
        return commands::setProperty(d, h + QStringLiteral(".vsLAN"), key::defaultFlowWeight,
                                     30 + random.bounded(20));
    default:
        return commands::setProperty(d, h + QStringLiteral(".team"), key::loadBalancing,
                                     i % 2 ? value::hyperVPort : value::dynamic);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int hosts = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    QTextStream out(stdout);
    Design design = bench::generateDesign(hosts);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.converge.json"));
    if (!designdocument::saveFile(design, path))
        return 1;
    std::vector<double> load, full, tracked;
    std::size_t findings = 0;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        auto loaded = designdocument::loadFile(path);
        load.push_back(elapsedMs(t));
        ValidationEngine engine(ruleCatalog());
        t.restart();
        engine.validate(*loaded, ValidationEngine::Mode::OneShot);
        full.push_back(elapsedMs(t));
        findings = engine.findings().size();
        ValidationEngine incremental(ruleCatalog());
        t.restart();
        incremental.validate(*loaded, ValidationEngine::Mode::Incremental);
        tracked.push_back(elapsedMs(t));
    }
    ValidationEngine engine(ruleCatalog());
    engine.validate(design);
    std::vector<Change> changes;
    design.addListener([&](const std::vector<Change> &c) { changes = c; });
    QRandomGenerator random(42);
    std::vector<double> incremental;
    std::size_t anchors = 0;
    for (int i = 0; i < 201; ++i) {
        auto edit = singleEdit(design, hosts, random, i);
        if (!edit || edit->isEmpty() || !design.apply(*edit))
            continue;
        QElapsedTimer t;
        t.start();
        engine.update(changes);
        incremental.push_back(elapsedMs(t));
        anchors += engine.anchorsEvaluated();
    }
    out << "design: " << hosts << " hosts, " << design.size() << " elements, "
        << ruleCatalog().size() << " rules, " << findings << " findings\n"
        << QStringLiteral("median of %1 runs: load JSON %2 ms, full validation %3 ms (ratio %4), "
                          "full validation recording dependencies for incremental updates %5 ms\n")
               .arg(runs)
               .arg(median(load), 0, 'f', 1)
               .arg(median(full), 0, 'f', 1)
               .arg(median(full) / median(load), 0, 'f', 2)
               .arg(median(tracked), 0, 'f', 1)
        << QStringLiteral(
               "incremental re-validation after one property edit: median %1 ms, max %2 ms "
               "over %3 edits (%4 anchors re-checked per edit on average)\n")
               .arg(median(incremental), 0, 'f', 3)
               .arg(*std::ranges::max_element(incremental), 0, 'f', 3)
               .arg(incremental.size())
               .arg(double(anchors) / double(incremental.size()), 0, 'f', 1);
    return 0;
}
