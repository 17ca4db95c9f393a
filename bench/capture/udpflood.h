#pragma once

#include <QProcess>
#include <QString>

#include <memory>

// The capture benches' traffic (issue 16, "Benchmarks"): 60-byte UDP frames sent with sendmmsg
// from a network namespace to a neighbour that does not exist (its MAC is a static neighbour
// entry, so no ARP: every frame is the stream's). The sender runs as a process of its own (the
// bench program again, with --send), so its CPU is never counted as the capturer's or the
// console's, and several can run at once.
namespace converge::bench {

// 60-byte frames from namespace NS to TARGET (an IPv4 address) for SECONDS at RATE packets/s
// (0: as fast as sendmmsg goes, in batches of 64). The calling thread joins NS for good.
// Returns the datagrams sent, or -1 with the reason on standard error.
qint64 floodUdp(const QString &ns, const QString &target, double seconds, double rate);

// `PROGRAM --send NS TARGET SECONDS RATE`: runs floodUdp and prints the count. Call from main()
// when argv[1] is "--send"; returns the exit code.
int floodMain(int argc, char **argv);

// Starts PROGRAM --send ... as a child process; finish() waits for it and returns its count.
class Flood
{
public:
    bool start(const QString &program, const QString &ns, const QString &target, double seconds,
               double rate);
    qint64 finish(int timeoutMs);

private:
    std::unique_ptr<QProcess> m_process;
};

} // namespace converge::bench
