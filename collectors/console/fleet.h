#pragma once

#include "core/deploy/deploytypes.h"
#include "core/protocol/agentsession.h"
#include "core/store/projectstore.h"

#include <optional>
#include <vector>

// A design's fleet as the console sees it: the project store next to the design file that keeps
// its agents and deployments, and which design hosts an agent can be reached for.
namespace converge::collectors {

// A design host and how the console reaches it.
struct FleetHost
{
    enum class Status { Ready, NotEnrolled, HyperV, OtherPlatform };
    QString id;
    QString name;
    QString platform;
    Status status = Status::NotEnrolled;
    std::optional<core::deploy::AgentRecord> agent;

    core::protocol::AgentEndpoint endpoint() const; // Ready hosts only
};

enum class StoreMode { Existing, CreateIfMissing };

// The store of DESIGNFILE (ProjectStore::storePathFor). With CreateIfMissing it is made holding
// `design` when missing; otherwise a missing store is an error of code NotFound (nobody enrolled
// an agent for the design yet). An untitled design (empty path) or a bundled sample (":/...")
// has no place for one.
core::Result<core::ProjectStore> openFleetStore(const QString &designFile,
                                                const core::Design &design, StoreMode mode);

// Every design host with its agent (store may be null: nobody enrolled yet).
std::vector<FleetHost> fleetHosts(const core::Design &design, const core::ProjectStore *store);

// The design host named `name`, or null.
const core::Element *hostNamed(const core::Design &design, const QString &name);

// The user a deployment is recorded for: $USER, else `fallback`.
QString consoleUser(const QString &fallback);

} // namespace converge::collectors
