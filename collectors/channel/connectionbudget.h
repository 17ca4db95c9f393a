#pragma once

#include <QHash>
#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

// What the agent's listener lets peers cost it (docs/agent.md, "Limits"): descriptors, memory
// and time, each capped, so that nothing a peer does from the network can lock an enrolled
// console out or exhaust the host.
namespace converge::collectors {

struct ChannelLimits
{
    int maxConnections = 256;    // open sockets in any state
    int maxPerSource = 32;       // open sockets from one address
    int maxUnauthenticated = 64; // in their TCP or TLS handshake, or enroll-only
    int listenBacklog = 512;
    // New connections from one address (IPv6: one /64) per second, and how many it may open at
    // once after a quiet spell; beyond them a connection is closed as soon as it is accepted,
    // before any TLS work, so a flood costs the agent handshakes in proportion to its addresses.
    int newPerSecondPerSource = 20;
    int newBurstPerSource = 64;
    int handshakeTimeoutMs = 10'000; // accepted -> TLS 1.3 done and the certificate admitted
    int enrollTimeoutMs = 10'000;    // an enroll-only connection's whole life
    int idleTimeoutMs = 300'000;     // an enrolled console's connection with nothing under way
    int frameTimeoutMs = 30'000;     // a frame's first byte -> its last
    int writeTimeoutMs = 30'000;     // without the peer taking a byte of a pending reply
    qint64 maxEnrollFrameBytes = qint64(64) * 1024; // frames on an enroll-only connection
    qint64 freeInputBytes = qint64(64) * 1024;      // what any connection may buffer of its input
    qint64 sharedInputBytes = qint64(16) * 1024 * 1024; // beyond that, all connections together
};

// Who holds a socket. For each accepted connection it decides whether it may stay and which
// unauthenticated connection makes room for it: the oldest of its own source when the source is
// at its cap, else, when the agent is at its cap, the oldest of the source that holds the most
// unauthenticated connections. Authenticated connections (an enrolled console) are never evicted,
// so a flood without the console's key can neither hold a descriptor for long nor keep a console
// from another address out: the flood's sources give way first. Pure bookkeeping: the listener
// acts on the decisions.
class ConnectionBudget
{
public:
    using Id = quintptr;
    struct Decision
    {
        bool accept = false;
        std::optional<Id> evict; // an unauthenticated connection to close first
        QString why;             // why it is refused, or why one is evicted
    };

    explicit ConnectionBudget(const ChannelLimits &limits);

    // Takes one of SOURCE's new-connection tokens; why not when it has none left ("" if it may
    // go on to arrive()).
    QString paceNew(const QString &source, qint64 nowMs);
    Decision arrive(Id id, const QString &source, qint64 nowMs);
    void authenticated(Id id);
    void left(Id id);
    // Unauthenticated connections accepted before nowMs - timeoutMs.
    std::vector<Id> olderThan(qint64 nowMs, int timeoutMs) const;

    int open() const { return int(m_entries.size()); }
    int unauthenticated() const { return m_unauthenticated; }
    int fromSource(const QString &source) const { return m_perSource.value(source); }
    int maxConnections() const { return m_maxConnections; }
    int pacedSources() const { return int(m_pace.size()); }
    // Fewer when the descriptors the process may open do not allow the configured number.
    void setMaxConnections(int n) { m_maxConnections = std::max(1, n); }

private:
    struct Entry
    {
        QString source;
        qint64 since = 0;
        bool authenticated = false;
    };
    struct Pace
    {
        double tokens = 0;
        qint64 at = 0;
    };
    double burst() const;
    double refilled(const Pace &pace, qint64 nowMs) const;
    std::optional<Id> oldestUnauthenticated(const QString &source) const;
    QString greediestSource() const;
    void forget(Id id);

    ChannelLimits m_limits;
    int m_maxConnections;
    QHash<Id, Entry> m_entries;
    QHash<QString, int> m_perSource;
    QHash<QString, int> m_unauthenticatedPerSource;
    int m_unauthenticated = 0;
    QHash<QString, Pace> m_pace; // by address (IPv6: /64), at most 4,096
};

// The input bytes all connections may buffer beyond their free allowance, together.
class InputBudget
{
public:
    explicit InputBudget(qint64 capacity)
        : m_capacity(capacity)
    {
    }
    // Grants up to `bytes` (less when the budget is short; 0 when it is spent).
    qint64 reserve(qint64 bytes);
    void release(qint64 bytes);
    qint64 used() const { return m_used; }
    qint64 capacity() const { return m_capacity; }

private:
    qint64 m_capacity;
    qint64 m_used = 0;
};

} // namespace converge::collectors
