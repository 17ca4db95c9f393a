#include "connectionbudget.h"

#include <QHostAddress>

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

namespace {

// The pacing key of an address: IPv6 addresses by their /64, which one holder usually has whole.
QString paceKey(const QString &source)
{
    QHostAddress address(source);
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return source;
    Q_IPV6ADDR bytes = address.toIPv6Address();
    std::fill(std::begin(bytes.c) + 8, std::end(bytes.c), quint8(0));
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

// Sources tracked at once; beyond it those whose bucket has refilled are forgotten, and if a
// flood from that many prefixes leaves none, the newcomers share one bucket.
constexpr qsizetype kMaxPacedSources = 4096;
const QString kSharedPace =
    QStringLiteral("(new sources while %1 are paced)").arg(kMaxPacedSources);

} // namespace

// A source's tokens now: a burst's worth at most (and never less than a second's rate).
double ConnectionBudget::burst() const
{
    return double(std::max({1, m_limits.newBurstPerSource, m_limits.newPerSecondPerSource}));
}

double ConnectionBudget::refilled(const Pace &pace, qint64 nowMs) const
{
    return std::min(burst(), pace.tokens + double(std::max<qint64>(0, nowMs - pace.at)) *
                                               m_limits.newPerSecondPerSource / 1000.0);
}

QString ConnectionBudget::paceNew(const QString &source, qint64 nowMs)
{
    QString key = paceKey(source);
    auto it = m_pace.find(key);
    if (it == m_pace.end()) {
        if (m_pace.size() >= kMaxPacedSources)
            m_pace.removeIf(
                [&](const auto &entry) { return refilled(entry.value(), nowMs) >= burst(); });
        if (m_pace.size() >= kMaxPacedSources)
            key = kSharedPace;
        it = m_pace.find(key);
        if (it == m_pace.end())
            it = m_pace.insert(key, Pace{burst(), nowMs});
    }
    it->tokens = refilled(*it, nowMs);
    it->at = nowMs;
    if (it->tokens < 1.0)
        return QStringLiteral("%1 opens connections faster than %2 a second "
                              "(connection_rate_per_source)")
            .arg(key)
            .arg(m_limits.newPerSecondPerSource);
    it->tokens -= 1.0;
    return {};
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
