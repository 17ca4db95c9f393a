#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// Running the Open vSwitch and iproute2 tools: always program + argv through QProcess, never a
// shell string (nothing a design says can become shell syntax).
namespace converge::collectors::ovs {

using core::Result;

struct ProcessResult
{
    int exitCode = -1;
    QByteArray out; // standard output
    QByteArray err; // standard error
};

// How to reach one Open vSwitch instance. Empty fields mean the system defaults
// (/var/run/openvswitch/db.sock and its run directory).
struct OvsEnv
{
    QString dbSocket; // ovsdb-server's unix socket ("/run/openvswitch/db.sock")
    QString runDir;   // OVS_RUNDIR: where ovs-vswitchd keeps the bridges' BR.mgmt sockets
};

// Runs PROGRAM with ARGS (no shell), writes STDINDATA to its standard input and waits up to
// TIMEOUTMS. Fails when the program cannot start, times out (it is killed) or crashes; a
// non-zero exit code is not an error here (see runChecked).
Result<ProcessResult>
runArgv(const QString &program, const QStringList &args, const QByteArray &stdinData = {},
        int timeoutMs = 30000,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// Like runArgv, but a non-zero exit code is an error too; the message quotes standard error.
// Returns standard output.
Result<QByteArray>
runChecked(const QString &program, const QStringList &args, const QByteArray &stdinData = {},
           int timeoutMs = 30000,
           const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// The leading ovs-vsctl arguments for ENV: {"--db=unix:SOCKET"} (nothing for the default).
QStringList vsctlArgs(const OvsEnv &env);
// The environment for ovs-ofctl and ovs-appctl: the system environment plus OVS_RUNDIR.
QProcessEnvironment processEnv(const OvsEnv &env);

// The full path of the tool NAME, searched in PATH and then the usual system directories
// (/usr/sbin and /sbin hold ip, ovsdb-server and ovs-vswitchd but are not always in PATH);
// NAME itself if not found, so that running it fails with a clear "cannot start".
QString findTool(const QString &name);

// "prog arg1 'arg two'": for messages only, never executed.
QString describeCommand(const QString &program, const QStringList &args);

} // namespace converge::collectors::ovs
