// converged's configuration file: the shipped example parses to the documented defaults, and
// every mistake is reported with the file and line.
#include "collectors/agent/agentconfig.h"

#include <gtest/gtest.h>

#include <QFile>

using namespace converge::collectors;

TEST(AgentConfig, ShippedExampleParsesToTheDefaults)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/installer/converged.conf"));
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    auto c = parseAgentConfig(f.readAll(), QStringLiteral("converged.conf"));
    ASSERT_TRUE(c) << c.error().message.toStdString();
    const AgentConfig defaults;
    EXPECT_EQ(c->listenAddress, defaults.listenAddress);
    EXPECT_EQ(c->listenPort, 7443);
    EXPECT_EQ(c->stateDir, defaults.stateDir);
    EXPECT_EQ(c->ovs.dbSocket, QStringLiteral("/run/openvswitch/db.sock"));
    EXPECT_EQ(c->datapathType, QStringLiteral("auto"));
    EXPECT_EQ(c->datapathType, defaults.datapathType);
    EXPECT_EQ(c->applyTimeoutMs, 60000);
    EXPECT_EQ(c->meteringIntervalMs, defaults.meteringIntervalMs);
    EXPECT_EQ(c->meteringBufferMs, defaults.meteringBufferMs);
}

TEST(AgentConfig, ReadsEveryKey)
{
    auto c = parseAgentConfig("listen = [::1]:9443\nstate_dir = /tmp/x/../y\novs_db = /o/db.sock\n"
                              "ovs_rundir = /o\ndatapath = netdev\nhost_name = hv01\n"
                              "console_certificate = /etc/c.crt\napply_timeout = 5\n"
                              "metering_interval = 0\nmetering_buffer = 30\n",
                              QStringLiteral("c.conf"));
    ASSERT_TRUE(c) << c.error().message.toStdString();
    EXPECT_EQ(c->listenAddress, QHostAddress(QStringLiteral("::1")));
    EXPECT_EQ(c->listenPort, 9443);
    EXPECT_EQ(c->stateDir, QStringLiteral("/tmp/y"));
    EXPECT_EQ(c->ovs.runDir, QStringLiteral("/o"));
    EXPECT_EQ(c->datapathType, QStringLiteral("netdev"));
    EXPECT_EQ(c->hostName, QStringLiteral("hv01"));
    EXPECT_EQ(c->consoleCertificate, QStringLiteral("/etc/c.crt"));
    EXPECT_EQ(c->applyTimeoutMs, 5000);
    EXPECT_EQ(c->meteringIntervalMs, 0);
    EXPECT_EQ(c->meteringBufferMs, 30 * 60'000);
}

TEST(AgentConfig, DatapathIsAutoSystemOrNetdev)
{
    for (const char *value : {"auto", "system", "netdev"}) {
        auto c = parseAgentConfig(QByteArray("datapath = ") + value + '\n', QStringLiteral("c"));
        ASSERT_TRUE(c) << value << ": " << c.error().message.toStdString();
        EXPECT_EQ(c->datapathType, QLatin1String(value));
    }
    EXPECT_EQ(AgentConfig().datapathType, QStringLiteral("auto"));
}

TEST(AgentConfig, MistakesNameFileAndLine)
{
    const std::vector<std::pair<const char *, const char *>> bad{
        {"# ok\nlisten 0.0.0.0:7443\n", "c.conf:2: expected \"key = value\""},
        {"listen = 0.0.0.0\n", "c.conf:1: listen must be ADDRESS:PORT"},
        {"listen = 0.0.0.0:70000\n", "c.conf:1: listen must be ADDRESS:PORT"},
        {"listen = host.example:7443\n", "c.conf:1: listen must be ADDRESS:PORT"},
        {"state_dir = var/lib\n", "c.conf:1: state_dir must be an absolute path"},
        {"datapath = dpdk\n", "c.conf:1: datapath must be auto, system or netdev"},
        {"datapath =\n", "c.conf:1: datapath must be auto, system or netdev, got \"\""},
        {"ovs_db = run/db.sock\n", "c.conf:1: ovs_db must be an absolute path"},
        {"bundle_signer = key.pub\n", "c.conf:1: bundle_signer must be an absolute path"},
        {"host_name = \n", "c.conf:1: host_name must be 1-64 characters"},
        {"listen = [::1:7443\n", "c.conf:1: listen must be ADDRESS:PORT"},
        {"apply_timeout = 0\n", "c.conf:1: apply_timeout must be seconds in 1-3600"},
        {"apply_timeout = ten\n", "c.conf:1: apply_timeout must be seconds"},
        {"\n\nport = 1\n", "c.conf:3: unknown key \"port\""},
        {"metering_buffer = 0\n", "c.conf:1: metering_buffer must be a whole number in 1-60"},
        {"datapath = netdev\ndatapath = system\n", "c.conf:2: \"datapath\" is set twice"},
    };
    for (const auto &[text, error] : bad) {
        auto c = parseAgentConfig(text, QStringLiteral("c.conf"));
        ASSERT_FALSE(c) << text;
        EXPECT_TRUE(c.error().message.startsWith(QLatin1String(error)))
            << "expected \"" << error << "\", got: " << c.error().message.toStdString();
    }
    auto missing = loadAgentConfig(QStringLiteral("/nonexistent/converged.conf"));
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().message.contains(QStringLiteral("/nonexistent/converged.conf")));
}
