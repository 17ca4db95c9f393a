// bench-dissect: writes a pcapng of 1,000,000 mixed packets (the dissector tests' fixtures in
// turn: DNS, VLAN ARP, QinQ, IPv6 ND, TCP, DHCP, VXLAN, NVGRE, LLDP, iSCSI, malformed, fragments),
// reads and dissects every packet's summary five times (median), then runs
// `tshark -r FILE -T fields -e frame.protocols -e ip.src -e ip.dst` once on the same file.
// Issue 16's target: at least 10x tshark's rate.
// usage: bench-dissect [PACKETS] [DIR]
#include "captureframes.h"
#include "collectors/capture/pcapfile.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace converge::collectors;
using namespace converge::capturetest;

namespace {

bool writeCapture(const QString &path, qint64 packets)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    const CaptureWriter w(false);
    std::vector<QByteArray> frames;
    for (const Fixture &f : fixtures())
        frames.push_back(f.frame);
    QByteArray head = w.pcapng({});
    file.write(head);
    quint64 stamp = 1700000000000000000ULL;
    for (qint64 i = 0; i < packets; ++i, stamp += 1000)
        file.write(w.enhanced(frames[size_t(i) % frames.size()], stamp));
    return file.error() == QFile::NoError;
}

// One pass: read every packet and dissect its summary; returns seconds, or -1 on an error.
double dissectAll(const QString &path, qint64 &checksum)
{
    QElapsedTimer timer;
    timer.start();
    auto file = PcapFile::open(path);
    if (!file)
        return -1;
    for (;;) {
        auto packet = file->next();
        if (!packet) {
            std::fprintf(stderr, "%s\n", qPrintable(packet.error().message));
            return -1;
        }
        const std::optional<PcapPacket> &found = *packet;
        if (!found)
            break;
        const PacketSummary s = dissectSummary(found->bytes);
        checksum += s.layerCount + s.destinationPort + (s.isMalformed() ? 1 : 0);
    }
    return double(timer.nsecsElapsed()) / 1e9;
}

double tsharkSeconds(const QString &path)
{
    QProcess tshark;
    tshark.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    tshark.start(QStringLiteral("tshark"),
                 {QStringLiteral("-r"), path, QStringLiteral("-T"), QStringLiteral("fields"),
                  QStringLiteral("-e"), QStringLiteral("frame.protocols"), QStringLiteral("-e"),
                  QStringLiteral("ip.src"), QStringLiteral("-e"), QStringLiteral("ip.dst")});
    if (!tshark.waitForFinished(-1) || tshark.exitCode() != 0)
        return -1;
    return double(timer.nsecsElapsed()) / 1e9;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 packets = args.size() > 1 ? args[1].toLongLong() : 1000000;
    QTemporaryDir dir(args.size() > 2 ? args[2] + QStringLiteral("/bench-dissect-XXXXXX")
                                      : QDir::tempPath() + QStringLiteral("/bench-dissect-XXXXXX"));
    const QString path = dir.filePath(QStringLiteral("mixed.pcapng"));
    if (packets <= 0 || !dir.isValid() || !writeCapture(path, packets)) {
        std::fprintf(stderr, "bench-dissect: cannot write %s\n", qPrintable(path));
        return 1;
    }
    std::printf("%lld packets, %.1f MB pcapng\n", static_cast<long long>(packets),
                double(QFile(path).size()) / 1e6);
    std::vector<double> runs;
    qint64 checksum = 0;
    for (int i = 0; i < 5; ++i)
        runs.push_back(dissectAll(path, checksum));
    std::sort(runs.begin(), runs.end());
    if (runs.front() < 0)
        return 1;
    const double ours = double(packets) / runs[2];
    std::printf("converge read + summary: median %.3f s of 5 (%.3f..%.3f), %.0f packets/s\n",
                runs[2], runs.front(), runs.back(), ours);
    const double theirs = tsharkSeconds(path);
    if (theirs < 0) {
        std::printf("tshark: not run (missing or failed)\n");
        return 0;
    }
    std::printf("tshark -T fields (3 fields): %.3f s, %.0f packets/s\n", theirs,
                double(packets) / theirs);
    std::printf("ratio: %.1fx tshark's rate (target 10x)\n", ours / (double(packets) / theirs));
    return checksum > 0 ? 0 : 1;
}
