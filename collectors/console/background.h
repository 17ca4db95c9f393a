#pragma once

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>
#include <optional>

// Blocking agent I/O off the GUI thread, for the console's views.
namespace converge::collectors {

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

} // namespace converge::collectors
