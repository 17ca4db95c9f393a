#pragma once

#include "core/realize/hoststate.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

// What the console knows about agents and deployments (kept in the project store), and the
// progress of a deployment as the deploy engine (collectors/console) reports it to the CLI and
// the GUI. Plain data: no sockets here (docs/design.md, "Layers").
namespace converge::core::deploy {

// An enrolled agent, mapped to a design host by the host's name.
struct AgentRecord
{
    QString host;        // the design host's name
    QString address;     // "10.0.0.5:7443" or "[2001:db8::5]:7443"
    QString fingerprint; // pinned agent certificate (SHA-256, hex pairs)
    QDateTime enrolledAt;
    QDateTime lastSeen; // null: never since enrollment
    QString version;    // the agent's version at last contact
    friend bool operator==(const AgentRecord &, const AgentRecord &) = default;
};

enum class HostPhase {
    Waiting,    // not started yet
    Connecting, // TLS handshake
    Planning,   // dry run on the agent
    Planned,    // plan received (end state of a dry run)
    Applying,
    Applied, // applied, awaiting confirmation
    Confirming,
    Confirmed,  // done: the change stays
    Unchanged,  // nothing to do on this host
    RolledBack, // undone: on the console's request, or the agent's deadline had passed already
    Failed,
    Cancelled,
    // Applied, never confirmed, and the console could not reach the agent to roll it back: the
    // host keeps the change until the agent's own confirmation deadline passes.
    LeftToDeadline,
};
QString phaseName(HostPhase phase); // "rolled back"
// The inverse of phaseName (the project store keeps phases by name); nullopt for an unknown name.
std::optional<HostPhase> phaseFromName(const QString &name);
bool isFinal(HostPhase phase);
// The results after which a deployment's state stayed on a host (it was confirmed, or there was
// nothing to change): a state drift compares with and a host can be rolled back to.
constexpr HostPhase phasesLeftInPlace[] = {HostPhase::Confirmed, HostPhase::Unchanged};
bool leftInPlace(HostPhase result);

// One deployment as recorded in the project store.
struct DeploymentHost
{
    QString host;
    QJsonObject plan; // the agent's plan (Plan::toJson)
    realize::HostState desired;
    QString transaction;
    HostPhase result = HostPhase::Waiting;
    QString message;
    qint64 deployment = 0; // the DeploymentRecord's id; set by the project store when read back
    friend bool operator==(const DeploymentHost &, const DeploymentHost &) = default;
};

struct DeploymentRecord
{
    qint64 id = 0;
    QDateTime at;
    QString author;
    // Which design was deployed: its number among the distinct designs deployed from this store
    // (1, 2, ...; deploying a design again keeps its number) and a short hash of its content.
    qint64 designRevision = 0;
    QString designHash; // 12 hex digits of the SHA-256 of the design's canonical JSON
    QString summary;    // "3 hosts confirmed", "rolled back: hv02 unreachable"
    bool confirmed = false;
    std::vector<DeploymentHost> hosts; // sorted by host name when read back from the store
    friend bool operator==(const DeploymentRecord &, const DeploymentRecord &) = default;
};

// "3 (5f2c81d0a9e4)": the revision as people see it (convergectl history, the History dialog).
QString revisionText(const DeploymentRecord &record);

} // namespace converge::core::deploy
