// Maximum bandwidth as traffic feels it (root): a design whose VM lim has a 10 Mbit/s maximum
// bandwidth and whose VMs free and srv have none, deployed to a real agent on the userspace
// datapath (OpenFlow meters), measured with iperf3 bulk TCP between the VMs' namespaces
// (tests/wire/data/rate-limits.converge.json).
#include "testapp.h"
#include "wirelab.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QThread>

using namespace converge;
using namespace converge::testing;

namespace {

const QString kServer = QStringLiteral("10.67.0.3");
constexpr double kLimitBps = 10e6;

class WireRates : public ::testing::Test
{
protected:
    static void SetUpTestSuite() { ensureApp(); }

    void SetUp() override
    {
        if (QStandardPaths::findExecutable(QStringLiteral("iperf3")).isEmpty())
            GTEST_SKIP() << "iperf3 is not installed (installer/deps.sh installs it)";
        QString why;
        const WireLab::Ready ready = lab.deployed(wireDesign("rate-limits.converge.json"), &why);
        if (ready == WireLab::Ready::Skip)
            GTEST_SKIP() << why.toStdString();
        ASSERT_EQ(ready, WireLab::Ready::Yes) << why.toStdString();
        // The server lives as long as srv's namespace, which stops it.
        auto server = lab.vm(QStringLiteral("srv"))
                          .ns()
                          .spawn({QStringLiteral("iperf3"), QStringLiteral("--server"),
                                  QStringLiteral("--bind"), kServer});
        ASSERT_TRUE(server) << server.error().message.toStdString();
    }

    // What the host's Open vSwitch has for the bridge: for failure messages.
    std::string bridgeTables()
    {
        OvsInstance &ovs = *lab.fleet().hosts().front().ovs;
        QByteArray out;
        for (const char *what : {"dump-meters", "dump-flows"})
            if (auto r = ovs.ofctl({QStringLiteral("-O"), QStringLiteral("OpenFlow13"),
                                    QLatin1String(what), QStringLiteral("lab")}))
                out += *r;
        return out.toStdString();
    }

    // Bulk TCP for 5 s (after 1 s left out, so the meter's initial burst does not count) from
    // VM `from` to srv, or from srv to `from` when `reverse`: what the receiver got, in bit/s.
    double throughput(const char *from, bool reverse = false)
    {
        QStringList argv{
            QStringLiteral("iperf3"), QStringLiteral("--client"), kServer,
            QStringLiteral("--time"), QStringLiteral("5"),        QStringLiteral("--omit"),
            QStringLiteral("1"),      QStringLiteral("--json")};
        if (reverse)
            argv << QStringLiteral("--reverse");
        Vm &vm = lab.vm(QLatin1String(from));
        // The server may still be starting: a refused connection is tried again.
        QDeadlineTimer deadline(10000);
        for (;;) {
            auto run = vm.exec(argv, 30000);
            if (!run) {
                ADD_FAILURE() << from << ": " << run.error().message.toStdString();
                return -1;
            }
            const QJsonObject result = QJsonDocument::fromJson(run->out).object();
            const QString error = result.value(QLatin1String("error")).toString();
            if (error.isEmpty() && run->exitCode == 0)
                return result[QLatin1String("end")][QLatin1String("sum_received")]
                             [QLatin1String("bits_per_second")]
                                 .toDouble();
            if (!error.contains(QLatin1String("connect")) || deadline.hasExpired()) {
                ADD_FAILURE() << from << ": iperf3 failed: " << error.toStdString() << " "
                              << run->err.toStdString();
                return -1;
            }
            QThread::msleep(200);
        }
    }

    WireLab lab;
};

} // namespace

// lim sends at its maximum bandwidth, within 10 %; free, on the same switch, is not slowed by
// lim's meter; and what lim receives is not limited (Hyper-V's maximum bandwidth, like the
// meter, is on what the VM sends).
TEST_F(WireRates, MaximumBandwidthHoldsTheLimitedVnicAndOnlyIt)
{
    // The median of three runs: TCP against a meter saws around the limit, and a busy machine
    // (the suite runs two tests at once) can cost one run a few percent.
    std::vector<double> runs{throughput("lim"), throughput("lim"), throughput("lim")};
    std::ranges::sort(runs);
    const double limited = runs[1];
    const double unlimited = throughput("free");
    const double received = throughput("lim", true);
    std::printf("iperf3 (5 s bulk TCP): lim -> srv %.2f Mbit/s (limit 10; median of %.2f, %.2f, "
                "%.2f), free -> srv %.2f Mbit/s, srv -> lim %.2f Mbit/s\n",
                limited / 1e6, runs[0] / 1e6, runs[1] / 1e6, runs[2] / 1e6, unlimited / 1e6,
                received / 1e6);
    EXPECT_NEAR(limited, kLimitBps, 0.1 * kLimitBps) << bridgeTables();
    EXPECT_GT(unlimited, 50e6) << bridgeTables();
    EXPECT_GT(unlimited, 5 * limited);
    EXPECT_GT(received, 50e6) << bridgeTables();
}
