#include "udpflood.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace converge::bench {

namespace {

int connectedSocket(const QString &ns, const QString &target)
{
    const int nsFd = ::open(QByteArray("/run/netns/" + ns.toUtf8()).constData(), O_RDONLY);
    if (nsFd < 0 || ::setns(nsFd, CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "cannot enter namespace %s: %s\n", qPrintable(ns),
                     std::strerror(errno));
        return -1;
    }
    ::close(nsFd);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    if (::inet_pton(AF_INET, target.toLatin1().constData(), &to.sin_addr) != 1) {
        std::fprintf(stderr, "not an IPv4 address: %s\n", qPrintable(target));
        return -1;
    }
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0) {
        std::fprintf(stderr, "cannot connect to %s: %s\n", qPrintable(target),
                     std::strerror(errno));
        return -1;
    }
    return fd;
}

} // namespace

qint64 floodUdp(const QString &ns, const QString &target, double seconds, double rate)
{
    const int fd = connectedSocket(ns, target);
    if (fd < 0)
        return -1;
    char payload[18] = {}; // 14 + 20 + 8 + 18 = 60 bytes on the wire
    iovec iov{payload, sizeof payload};
    std::vector<mmsghdr> batch(64);
    for (mmsghdr &m : batch)
        m.msg_hdr = msghdr{nullptr, 0, &iov, 1, nullptr, 0, 0};
    qint64 sent = 0;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(seconds);
    for (auto now = start; now < end; now = Clock::now()) {
        // Paced: what is due by now, in batches; ahead of time, a short sleep (200 us keeps
        // 10k-200k packets/s smooth without spinning a core).
        qint64 due = qint64(batch.size());
        if (rate > 0) {
            due = qint64(rate * std::chrono::duration<double>(now - start).count()) - sent;
            if (due <= 0) {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                continue;
            }
        }
        const auto n = unsigned(std::min<qint64>(due, qint64(batch.size())));
        sent += std::max(::sendmmsg(fd, batch.data(), n, 0), 0);
    }
    ::close(fd);
    return sent;
}

int floodMain(int argc, char **argv)
{
    const double seconds = argc > 4 ? std::atof(argv[4]) : 0;
    const double rate = argc > 5 ? std::atof(argv[5]) : -1;
    if (argc != 6 || seconds <= 0 || seconds > 3600 || rate < 0) {
        std::fprintf(stderr, "usage: %s --send NAMESPACE TARGET SECONDS(0-3600] RATE(0: max)\n",
                     argv[0]);
        return 2;
    }
    const qint64 sent =
        floodUdp(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]), seconds, rate);
    if (sent < 0)
        return 1;
    std::printf("%lld\n", static_cast<long long>(sent));
    return 0;
}

bool Flood::start(const QString &program, const QString &ns, const QString &target, double seconds,
                  double rate)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start(program, {QStringLiteral("--send"), ns, target, QString::number(seconds),
                               QString::number(rate, 'f', 0)});
    return m_process->waitForStarted(5000);
}

qint64 Flood::finish(int timeoutMs)
{
    if (!m_process)
        return -1;
    // An event loop may have seen it end already: waitForFinished() is false then.
    if (m_process->state() != QProcess::NotRunning && !m_process->waitForFinished(timeoutMs)) {
        m_process->kill();
        m_process->waitForFinished();
        return -1;
    }
    const QByteArray out = m_process->readAllStandardOutput().trimmed();
    bool ok = false;
    const qint64 sent = out.toLongLong(&ok);
    return m_process->exitCode() == 0 && ok ? sent : -1;
}

} // namespace converge::bench
