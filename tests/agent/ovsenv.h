#pragma once

// Fixtures for the root integration tests: network namespaces, private Open vSwitch instances
// (ovsdb-server + ovs-vswitchd with the userspace datapath) and "VMs" (a namespace joined to a
// host namespace by a veth pair). Everything is RAII: destructors end only the processes the
// fixture started and delete only what it created, also when a test fails or throws. Names
// include the pid and a counter so that test binaries can run in parallel (ctest -j). Should
// a test process die anyway, its OVS processes get SIGTERM (PR_SET_PDEATHSIG) and the next
// test process deletes its namespaces ("cvt<pid>_<n>") and directories ("/tmp/cvo<pid>-*").
//
// Userspace datapath notes: bridges must be datapath_type=netdev (no openvswitch kernel
// module), and veths attached to them need `ethtool -K IF tx off` (checksum offload would leave
// TCP/UDP checksums unfilled on packets OVS forwards in userspace).

#include "collectors/ovs/process.h"
#include "core/realize/hoststate.h"
#include "core/util/result.h"

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>
#include <memory>
#include <vector>

namespace converge::testing {

using collectors::ovs::OvsEnv;
using collectors::ovs::ProcessResult;
using core::Result;

// True when running as root with the OVS and iproute2 tools installed; otherwise *WHY says what
// is missing (tests: GTEST_SKIP() << why).
bool haveRootAndOvs(QString *why);

// /proc/PID: resident memory in kB and processor time in clock ticks (user + system); -1 when
// the process is gone.
qint64 processRssKb(qint64 pid);
qint64 processCpuTicks(qint64 pid);

// A long-running child process this fixture owns: SIGTERM, then SIGKILL, on destruction.
class OwnedProcess
{
public:
    OwnedProcess() = default;
    ~OwnedProcess();
    OwnedProcess(const OwnedProcess &) = delete;
    OwnedProcess &operator=(const OwnedProcess &) = delete;

    // Starts PROGRAM with ARGS; standard output and error go to OUTPUTFILE (or are discarded).
    Result<void> start(const QString &program, const QStringList &args,
                       const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                       const QString &outputFile = {});
    bool isRunning() const;
    qint64 pid() const;
    // SIGTERM, wait up to GRACEMS, then SIGKILL. Idempotent.
    void stop(int graceMs = 5000);

private:
    std::unique_ptr<QProcess> m_process;
};

// A network namespace ("ip netns add cvt<pid>_<n>"), deleted on destruction after stopping the
// processes started in it through spawn().
class NetNs
{
public:
    NetNs();
    ~NetNs();
    NetNs(const NetNs &) = delete;
    NetNs &operator=(const NetNs &) = delete;

    bool isValid() const { return m_created; }
    QString error() const { return m_error; } // why creation failed
    QString name() const { return m_name; }

    // `ip netns exec NAME ARGV...` and wait (run-to-completion commands).
    Result<ProcessResult>
    exec(const QStringList &argv, int timeoutMs = 30000,
         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) const;
    // Like exec, but a non-zero exit is an error (with standard error in the message).
    Result<QByteArray>
    run(const QStringList &argv, int timeoutMs = 30000,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) const;
    // The argv prefix that runs a program inside this namespace.
    QStringList execPrefix() const;
    // Starts a long-running `ip netns exec NAME ARGV...`; it is stopped when the namespace is
    // destroyed (or earlier through the returned pointer, owned by this NetNs).
    Result<OwnedProcess *>
    spawn(const QStringList &argv,
          const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
          const QString &outputFile = {});

private:
    QString m_name;
    QString m_error;
    bool m_created = false;
    std::vector<std::unique_ptr<OwnedProcess>> m_processes;
};

// A private Open vSwitch: ovsdb-server and ovs-vswitchd started in NS, with their database,
// sockets (db.sock, BR.mgmt) and logs in a short temporary directory under /tmp.
class OvsInstance
{
public:
    explicit OvsInstance(NetNs &ns);
    ~OvsInstance();
    OvsInstance(const OvsInstance &) = delete;
    OvsInstance &operator=(const OvsInstance &) = delete;

    bool isValid() const { return m_ready; }
    QString error() const { return m_error; } // why startup failed (with the logs' tails)
    OvsEnv env() const;
    QString dir() const { return m_dir.path(); }
    NetNs &ns() const { return m_ns; }

    // ovs-vsctl --db=unix:DIR/db.sock ARGS (waits for ovs-vswitchd unless ARGS say --no-wait).
    Result<QByteArray> vsctl(const QStringList &args, int timeoutMs = 30000) const;
    // ovs-ofctl / ovs-appctl with OVS_RUNDIR=DIR. appctl targets ovs-vswitchd.
    Result<QByteArray> ofctl(const QStringList &args, int timeoutMs = 30000) const;
    Result<QByteArray> appctl(const QStringList &args, int timeoutMs = 30000) const;
    // The last LINES lines of ovsdb-server's and ovs-vswitchd's logs.
    // The destructor prints it when the test failed, or always with CONVERGE_TEST_OVS_LOGS=1.
    QString logTail(int lines = 40) const;

private:
    Result<void> startUp();
    void shutDown();

    NetNs &m_ns;
    QTemporaryDir m_dir;
    OwnedProcess m_ovsdb;
    OwnedProcess m_vswitchd;
    bool m_ready = false;
    QString m_error;
};

// A "VM": its own namespace with eth0, joined by a veth pair to HOSTIFNAME in HOST's namespace
// (both ends up, tx checksum offload off; the test adds HOSTIFNAME to a bridge). HOSTIFNAME
// must be unique in HOST and at most 15 bytes; MAC is "02:00:00:00:00:01", IPV4WITHPREFIX
// "10.1.0.1/24".
class Vm
{
public:
    Vm(NetNs &host, const QString &hostIfName, const QString &mac, const QString &ipv4WithPrefix);
    ~Vm();
    Vm(const Vm &) = delete;
    Vm &operator=(const Vm &) = delete;

    bool isValid() const { return m_ready; }
    QString error() const { return m_error; }
    QString hostIfName() const { return m_hostIf; }
    NetNs &ns() { return m_ns; }

    // ping -c COUNT -W 1 -i 0.2 -w TIMEOUTSEC ADDRESS from eth0 (from its address SOURCE when
    // given); true if any reply came back.
    bool ping(const QString &address, int count = 3, int timeoutSec = 5,
              const QString &source = {}) const;
    QString lastPing() const { return m_lastPing; } // what the last ping printed, for failures
    Result<ProcessResult> exec(const QStringList &argv, int timeoutMs = 30000) const;

private:
    Result<void> setUp(const QString &mac, const QString &ipv4WithPrefix);

    NetNs &m_host;
    NetNs m_ns;
    QString m_hostIf;
    bool m_ready = false;
    QString m_error;
    mutable QString m_lastPing;
};

// Moves the calling thread into a named network namespace (/run/netns/NAME) and back on
// destruction; other threads are unaffected. Sockets opened and processes started meanwhile
// live in that namespace.
class NetnsScope
{
public:
    explicit NetnsScope(const QString &netnsName);
    ~NetnsScope();
    NetnsScope(const NetnsScope &) = delete;
    NetnsScope &operator=(const NetnsScope &) = delete;

    bool isValid() const { return m_entered; }
    QString error() const { return m_error; }

private:
    int m_original = -1;
    bool m_entered = false;
    QString m_error;
};

// HOST's bridge "lab" with the VMs' ports (access VLAN 10, element ids HOST.NAME), each
// changed by EACH (guards, MACs, ACLs) before the state is normalized.
core::realize::HostState labBridge(const QString &host, const QStringList &vms,
                                   const std::function<void(core::realize::Port &)> &each = {});

// converged (this build's) started in HOST with CONFIG, its output in LOGFILE: the process
// (owned by HOST) and the fingerprint it will present.
struct StartedAgent
{
    OwnedProcess *process = nullptr;
    QString fingerprint;
};
Result<StartedAgent> startConverged(NetNs &host, const QString &config, const QString &logFile);

} // namespace converge::testing
