#pragma once

#include <QStringList>
#include <QTextStream>

namespace converge::app {

// Exit codes of convergectl (documented in docs/cli.md).
enum ExitCode {
    ExitOk = 0,
    ExitFindings = 1, // validate: the design has error-severity findings
    ExitBadInput = 2, // bad arguments or an unusable design file
    ExitIoError = 3,  // the output could not be written
    ExitDeployFailed =
        4, // deploy: not confirmed (rolled back or failed); drift: a host unreachable
};

int runCli(const QStringList &args, QTextStream &out, QTextStream &err);

// enroll, agents, deploy, drift, history, rollback (deploycommand.cpp); -1 for another command.
int fleetCommand(const QString &command, const QStringList &args, QTextStream &out,
                 QTextStream &err);

// bundle FILE -o OUT, bundle verify, bundle key (bundlecommand.cpp).
int bundleCommand(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace converge::app
