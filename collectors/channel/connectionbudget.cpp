#include "connectionbudget.h"

#include <algorithm>

namespace converge::collectors {

ConnectionBudget::ConnectionBudget(const ChannelLimits &limits)
    : m_limits(limits)
    , m_maxConnections(std::max(1, limits.maxConnections))
{
}

std::optional<ConnectionBudget::Id>
ConnectionBudget::oldestUnauthenticated(const QString &source) const
{
    std::optional<Id> oldest;
    qint64 since = 0;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it->authenticated || it->source != source)
            continue;
        if (!oldest || it->since < since) {
            oldest = it.key();
            since = it->since;
        }
    }
    return oldest;
}

// The source holding the most unauthenticated connections ("" if none does).
QString ConnectionBudget::greediestSource() const
{
    QString greediest;
    int most = 0;
    for (auto it = m_unauthenticatedPerSource.cbegin(); it != m_unauthenticatedPerSource.cend();
         ++it)
        if (it.value() > most) {
            most = it.value();
            greediest = it.key();
        }
    return greediest;
}

// At most one eviction is ever needed: evicting for the source also frees a place overall.
ConnectionBudget::Decision ConnectionBudget::arrive(Id id, const QString &source, qint64 nowMs)
{
    Decision d;
    if (fromSource(source) >= m_limits.maxPerSource) {
        d.evict = oldestUnauthenticated(source);
        d.why = QStringLiteral("%1 already has %2 connections (max_connections_per_source)")
                    .arg(source)
                    .arg(m_limits.maxPerSource);
        if (!d.evict)
            return d;
    } else if (open() >= m_maxConnections || m_unauthenticated >= m_limits.maxUnauthenticated) {
        const QString greediest = greediestSource();
        d.evict = oldestUnauthenticated(greediest);
        d.why = d.evict ? QStringLiteral("the agent is at its limit (%1 unauthenticated of %2 "
                                         "max_unauthenticated, %3 of %4 max_connections); %5 holds "
                                         "the most")
                              .arg(m_unauthenticated)
                              .arg(m_limits.maxUnauthenticated)
                              .arg(open())
                              .arg(m_maxConnections)
                              .arg(greediest)
                        : QStringLiteral("%1 enrolled consoles' connections are open "
                                         "(max_connections)")
                              .arg(open());
        if (!d.evict)
            return d;
    }
    if (d.evict)
        forget(*d.evict);
    d.accept = true;
    m_entries.insert(id, Entry{source, nowMs, false});
    ++m_perSource[source];
    ++m_unauthenticatedPerSource[source];
    ++m_unauthenticated;
    return d;
}

void ConnectionBudget::authenticated(Id id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end() || it->authenticated)
        return;
    it->authenticated = true;
    --m_unauthenticated;
    if (--m_unauthenticatedPerSource[it->source] <= 0)
        m_unauthenticatedPerSource.remove(it->source);
}

void ConnectionBudget::left(Id id)
{
    forget(id);
}

void ConnectionBudget::forget(Id id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    if (!it->authenticated) {
        --m_unauthenticated;
        if (--m_unauthenticatedPerSource[it->source] <= 0)
            m_unauthenticatedPerSource.remove(it->source);
    }
    if (--m_perSource[it->source] <= 0)
        m_perSource.remove(it->source);
    m_entries.erase(it);
}

std::vector<ConnectionBudget::Id> ConnectionBudget::olderThan(qint64 nowMs, int timeoutMs) const
{
    std::vector<Id> ids;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        if (!it->authenticated && nowMs - it->since > timeoutMs)
            ids.push_back(it.key());
    return ids;
}

qint64 InputBudget::reserve(qint64 bytes)
{
    const qint64 granted = std::clamp<qint64>(m_capacity - m_used, 0, std::max<qint64>(0, bytes));
    m_used += granted;
    return granted;
}

void InputBudget::release(qint64 bytes)
{
    m_used = std::max<qint64>(0, m_used - std::max<qint64>(0, bytes));
}

} // namespace converge::collectors
