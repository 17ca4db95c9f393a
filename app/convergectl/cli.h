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
};

int runCli(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace converge::app
