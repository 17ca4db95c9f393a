#pragma once

#include "core/protocol/agentsession.h"

#include <QStringList>
#include <QTextStream>

#include <memory>
#include <vector>

// convergectl's commands (docs/cli.md). Each command parses its arguments, calls core or the
// console library (collectors/console) and prints; main.cpp wires in the agent connector.
namespace converge::app {

// Exit codes of convergectl (documented in docs/cli.md).
enum ExitCode {
    ExitOk = 0,
    ExitFindings = 1, // validate: the design has error-severity findings
    ExitBadInput = 2, // bad arguments or an unusable design file
    ExitIoError = 3,  // the output could not be written
    ExitDeployFailed =
        4, // deploy: not confirmed (rolled back, left to deadlines, failed); drift: unreachable
};

// What a command works with: its output streams and the way to the agents.
struct Cli
{
    QTextStream &out;
    QTextStream &err;
    std::shared_ptr<core::protocol::AgentConnector> agents;
};

struct Command
{
    const char *name;
    const char *usage; // "usage: convergectl NAME ...", printed by NAME --help and on misuse
    int (*run)(const QStringList &args, Cli &cli);
};

// info, convert, validate, rules, schema (cli.cpp).
const std::vector<Command> &designCommands();
// enroll, agents, deploy, drift, history, rollback (deploycommand.cpp).
const std::vector<Command> &fleetCommands();
// bundle FILE -o OUT, bundle verify, bundle key (bundlecommand.cpp).
const std::vector<Command> &bundleCommands();
// meter report FILE --from --to, meter series FILE (metercommand.cpp).
const std::vector<Command> &meterCommands();
// capture FILE --host H ..., captures list|fetch|stop|delete (capturecommand.cpp).
const std::vector<Command> &captureCommands();
// dissect FILE [--filter EXPR] [--format text|json] (dissectcommand.cpp).
const std::vector<Command> &dissectCommands();

// converge-extcap ARGS: Wireshark's extcap interface (extcapcommand.cpp).
int runExtcap(const QStringList &args, Cli &cli);

// Runs `convergectl ARGS`; every `COMMAND --help` prints that command's usage and exits 0.
int runCli(const QStringList &args, Cli &cli);

// Prints usage (with `problem` first when given) to cli.err: exit code 2.
int misuse(Cli &cli, const char *usage, const QString &problem = {});

} // namespace converge::app
