#pragma once

#include "collectors/channel/connectionbudget.h"
#include "collectors/ovs/process.h"
#include "core/util/result.h"

#include <QHostAddress>
#include <QString>

// converged's configuration file: `key = value` lines, `#` comments (docs/agent.md, "Config").
namespace converge::collectors {

struct AgentConfig
{
    QHostAddress listenAddress = QHostAddress(QHostAddress::AnyIPv4);
    quint16 listenPort = 7443;
    QString stateDir = QStringLiteral("/var/lib/converged");
    ovs::OvsEnv ovs;                               // ovs_db, ovs_rundir
    QString datapathType = QStringLiteral("auto"); // datapath: auto, system or netdev (datapath.h)
    QString hostName;                              // host_name: defaults to the machine's
    QString consoleCertificate;  // console_certificate: a PEM file to pin instead of enrolling
    int applyTimeoutMs = 60'000; // apply_timeout: seconds one apply step may take
    QString
        bundleSigner; // bundle_signer: PEM Ed25519 public key whose bundles --apply-bundle takes
    // max_connections, max_connections_per_source, max_unauthenticated,
    // connection_rate_per_source (a second), idle_timeout (seconds); the other limits are fixed
    // (docs/agent.md, "Limits").
    ChannelLimits limits;
    int meteringIntervalMs = 1000;  // metering_interval: seconds between samples, 0 = off
    int meteringBufferMs = 600'000; // metering_buffer: minutes of samples kept for back-fill
    QString cgroupRoot = QStringLiteral("/sys/fs/cgroup"); // cgroup_root: where VMs' cgroups are
};

// Parses the file's text. Errors name the file and line: "converged.conf:4: port 70000 ...".
core::Result<AgentConfig> parseAgentConfig(const QByteArray &text, const QString &fileName);
core::Result<AgentConfig> loadAgentConfig(const QString &path);

} // namespace converge::collectors
