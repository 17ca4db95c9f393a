#pragma once

#include "core/model/edit.h"
#include "core/realize/hoststate.h"

#include <QJsonValue>

namespace converge::core {
class Design;
}

// Drift: where a host's running state no longer matches its part of the design. Each difference
// names the design element and property when there is one, so the admin can re-apply the design
// or take the running value into it.
namespace converge::core::deploy {

struct DriftItem
{
    QString host;      // the design host's name
    QString elementId; // the design element (vNIC, team, switch, mirror session), or empty
    QString where;     // "port a2 on bridge lab"
    QString property;  // the design property ("accessVlan"), or empty when none maps
    QString designValue;
    QString runningValue;
    QJsonValue adopt; // the design value that matches the running one; undefined if none
    QString
    description() const; // "port a2 on bridge lab: accessVlan is 10 in the design, 20 on the host"
};

// Compares the design's desired state of a host with its running state (both as HostState).
std::vector<DriftItem> driftOf(const core::Design &design, const realize::HostState &desired,
                               const realize::HostState &running);

// One undoable edit that takes the running values of `items` into the design (items without a
// value to adopt are skipped). Fails when nothing can be adopted.
core::Result<core::Edit> adoptRunningValues(const core::Design &design,
                                            const std::vector<DriftItem> &items);

} // namespace converge::core::deploy
