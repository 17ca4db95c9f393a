#pragma once

#include <QString>

// What an admin should do about a failed ovs-vsctl or ovs-ofctl run. The tools name the
// symptom ("invalid or unknown port for in_port"); these functions name the cause and the remedy
// for the failures an admin meets (a VM that is not running, a NIC already on another bridge,
// a bridge Converge does not manage, Open vSwitch not running or not where the config says).
// Pure: they read the tools' own words, as Open vSwitch 3.1 prints them.
namespace converge::collectors::ovs {

// The advice for a tool's error text, or an empty string when it is not one of the known ones.
// `toolError` may be a whole runChecked() message (command, exit code, standard error).
QString adviceFor(const QString &toolError);

// `failure` (a runChecked() message) put as what to do, followed by the tool's own line in
// parentheses; `failure` itself when adviceFor() has nothing to say about it.
QString explainToolFailure(const QString &failure);

} // namespace converge::collectors::ovs
