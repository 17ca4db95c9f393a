// bench-document [HOSTS] [RUNS] [DOCUMENT]: load and save times of a 1,000-host design (about
// 50,000 vNICs), as a JSON document and as a project store, and the position scan SARIF regions
// use (also on DOCUMENT, such as the largest sample). Prints medians of several runs.
#include "bench/benchstats.h"
#include "generator/designgenerator.h"

#include "core/io/designdocument.h"
#include "core/model/schema.h"
#include "core/store/projectstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <functional>

using namespace converge;

namespace {

using converge::bench::medianMs;

void check(bool ok, const char *what)
{
    if (!ok) {
        QTextStream(stderr) << "bench-document: " << what << " failed\n";
        std::exit(1);
    }
}

// Load and position-scan times of one document (a sample), medians of 200 runs.
void benchDocument(const QString &path, QTextStream &out)
{
    QFile file(path);
    check(file.open(QIODevice::ReadOnly), "read document");
    const QByteArray text = file.readAll();
    const double load =
        medianMs(200, [&] { check(bool(core::designdocument::load(text)), "load document"); });
    const double scan = medianMs(200, [&] { core::designdocument::elementPositions(text); });
    out << QStringLiteral("%1 (%2 KiB): load %3 ms, element positions %4 ms\n")
               .arg(QFileInfo(path).fileName())
               .arg(text.size() / 1024)
               .arg(load, 0, 'f', 3)
               .arg(scan, 0, 'f', 3);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int hosts = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    QTextStream out(stdout);
    if (argc > 3)
        benchDocument(QString::fromLocal8Bit(argv[3]), out);
    QElapsedTimer gen;
    gen.start();
    const core::Design design = bench::generateDesign(hosts);
    out << "design: " << hosts << " hosts, " << design.size() << " elements, "
        << design.count(core::ElementKind::VirtualNic) << " vNICs (generated in " << gen.elapsed()
        << " ms)\n";
    QTemporaryDir dir;
    const QString json = dir.filePath(QStringLiteral("bench.converge.json"));
    const double save =
        medianMs(runs, [&] { check(bool(core::designdocument::saveFile(design, json)), "save"); });
    const double load =
        medianMs(runs, [&] { check(bool(core::designdocument::loadFile(json)), "load"); });
    QFile file(json);
    check(file.open(QIODevice::ReadOnly), "read");
    const QByteArray text = file.readAll();
    std::size_t placed = 0;
    const double scan = medianMs(
        runs, [&] { placed = std::size_t(core::designdocument::elementPositions(text).size()); });
    check(placed == design.size(), "element positions");
    const double storeWrite = medianMs(runs, [&] {
        const QString db = dir.filePath(QStringLiteral("bench.converge.db"));
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(db + QLatin1String(suffix));
        check(bool(core::ProjectStore::create(db, design)), "store create");
    });
    auto store = core::ProjectStore::open(dir.filePath(QStringLiteral("bench.converge.db")));
    check(bool(store), "store open");
    const double storeRead =
        medianMs(runs, [&] { check(bool(store->loadDesign()), "store load"); });
    out << "document size: " << QFileInfo(json).size() / 1024 << " KiB\n"
        << QStringLiteral("median of %1 runs (ms): save JSON %2, load JSON %3, write store %4, "
                          "load store %5\n")
               .arg(runs)
               .arg(save, 0, 'f', 1)
               .arg(load, 0, 'f', 1)
               .arg(storeWrite, 0, 'f', 1)
               .arg(storeRead, 0, 'f', 1)
        << QStringLiteral("element positions (SARIF regions): %1 ms for %2 elements\n")
               .arg(scan, 0, 'f', 1)
               .arg(placed);
    return 0;
}
