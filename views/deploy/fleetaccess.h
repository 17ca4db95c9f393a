#pragma once

#include "core/deploy/deploytypes.h"
#include "core/store/projectstore.h"
#include "core/validation/finding.h"

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

// What the deploy views share: the project store that keeps a design file's fleet and history,
// which design hosts an agent can reach, and a way to run blocking agent I/O off the GUI thread.
namespace converge::views {

// A design host as the deploy views list it.
struct FleetHost
{
    enum class Status { Ready, NotEnrolled, HyperV, OtherPlatform };
    QString id;
    QString name;
    QString platform;
    Status status = Status::NotEnrolled;
    std::optional<core::deploy::AgentRecord> agent;
    QString statusText() const; // "not enrolled: Deploy > Fleet…"
};

// The store next to DESIGNFILE (ProjectStore::storePathFor); with `create`, made holding
// `design` when missing. Fails for an untitled design or a bundled sample.
core::Result<core::ProjectStore> openFleetStore(const QString &designFile,
                                                const core::Design &design, bool create);
// The design's hosts with their agents (store may be null: nobody enrolled yet).
std::vector<FleetHost> fleetHosts(const core::Design &design, const core::ProjectStore *store);
// "RULE  message" of every unaccepted error finding: a design with any is never deployed.
QStringList blockingFindings(const std::vector<core::Finding> &findings);
QString deployAuthor(); // $USER

// Runs `work` in a new thread and hands its result to `done` in `context`'s thread (dropped if
// context is gone by then). Threads are made by the calling thread, so they start in its
// network namespace (Linux keeps setns per thread and a new thread inherits its creator's).
template<typename T>
void runInBackground(QObject *context, std::function<T()> work, std::function<void(T)> done)
{
    auto result = std::make_shared<std::optional<T>>();
    QThread *thread = QThread::create([work = std::move(work), result] { *result = work(); });
    QObject::connect(thread, &QThread::finished, context,
                     [result, done = std::move(done)] { done(std::move(**result)); });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

} // namespace converge::views
