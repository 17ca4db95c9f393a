#pragma once

// A fleet of agent hosts for the console's tests and benchmarks (root): a "console" network
// namespace with a Linux bridge as the management network (10.79.0.1/24), and N host namespaces,
// each with its own ovsdb-server/ovs-vswitchd (userspace datapath), the devices its design ports
// need (veths), an out-of-band management veth into the console's bridge (10.79.0.(10+i)) and
// converged listening there, enrolled with a console identity kept in a temporary directory.
#include "collectors/channel/tlsidentity.h"
#include "core/deploy/deploytypes.h"
#include "ovsenv.h"

#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace converge::testing {

class FleetLab
{
public:
    struct Host
    {
        QString name; // hv1, hv2, ...
        QString address;
        std::unique_ptr<NetNs> ns;
        std::unique_ptr<OvsInstance> ovs;
        QString stateDir;
        QString config;
        OwnedProcess *agent = nullptr;
        QString fingerprint;
        int starts = 0;
    };

    // Creates the console namespace and `count` hosts named hv1..hvN whose ports are the given
    // devices (veths made in each host). Agents are started but not enrolled.
    bool setUp(int count, const QStringList &devices, QString *why,
               const QString &faultPauseMs = {});
    // Enrolls every agent with the console identity (library call) and returns the records.
    core::Result<std::vector<core::deploy::AgentRecord>> enrollAll();
    core::Result<void> startAgent(Host &host, const QString &faultPauseMs = {});
    QString agentLog(const Host &host) const;
    // Runs convergectl in the console namespace with CONVERGE_CONSOLE_DIR set.
    core::Result<ProcessResult> convergectl(const QStringList &args, int timeoutMs = 180000) const;
    // The argv prefix and environment that run a program as the console.
    QStringList consolePrefix() const;
    QProcessEnvironment consoleEnv() const;

    NetNs &console() { return *m_console; }
    std::vector<Host> &hosts() { return m_hosts; }
    const collectors::TlsIdentity &identity() const { return m_identity; }
    QString dir() const { return m_dir.path(); }
    static QString binary(const char *name);

private:
    std::unique_ptr<NetNs> m_console;
    std::vector<Host> m_hosts;
    QTemporaryDir m_dir{QStringLiteral("/tmp/cvt-fleet-XXXXXX")};
    collectors::TlsIdentity m_identity;
};

} // namespace converge::testing
