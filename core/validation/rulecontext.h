#pragma once

#include "../model/design.h"

#include <QHash>
#include <QSet>

namespace converge::core {

// Reverse lookups the rules need and the engine keeps current as the design changes:
// who refers to an element, and which elements hold an address (heldAddresses()).
// Members are kept by id (the engine unindexes by id after an element is gone) with a pointer
// to the element, which the design keeps valid for as long as the element is indexed.
struct RuleIndexes
{
    using Members = QHash<QString, const Element *>;
    QHash<QString, Members> referrers; // target id -> elements referring to it
    QHash<QString, Members> byAddress; // "10.0.0.1" -> elements holding that address
};

// What a rule check may read. Every read is recorded as a dependency of the check's anchor,
// so the engine re-runs exactly the checks a change can affect (and nothing reads around it).
class RuleContext
{
public:
    // `deps` null: a one-shot run that records nothing (no incremental updates follow).
    RuleContext(const Design &design, const RuleIndexes &indexes, QSet<QString> *deps)
        : m_design(design)
        , m_indexes(indexes)
        , m_deps(deps)
    {
    }

    const Element *find(const QString &id);
    const Element *owner(const Element &e) { return find(e.parent); }
    const Element *hostOf(const Element &e); // the host an element sits on, if any
    std::vector<const Element *> children(const QString &parent, ElementKind kind);
    std::vector<const Element *> all(ElementKind kind);
    // Elements of `kind` with a reference (Ref or RefList property) to `id`.
    std::vector<const Element *> referrers(const QString &id, ElementKind kind);
    // Elements of `kind` holding `address` (no prefix, canonical form): see heldAddresses().
    std::vector<const Element *> withAddress(const QString &address,
                                             ElementKind kind = ElementKind::VirtualNic);

    // Dependency keys, shared with the engine.
    static QString elementKey(const QString &id) { return QLatin1Char('e') + id; }
    static QString childrenKey(const QString &parent, ElementKind kind);
    static QString kindKey(ElementKind kind);
    static QString referrersKey(const QString &id) { return QLatin1Char('r') + id; }
    static QString addressKey(const QString &address) { return QLatin1Char('a') + address; }

private:
    std::vector<const Element *> resolve(const RuleIndexes::Members &members, ElementKind kind);
    void recordElement(const QString &id)
    {
        if (m_deps)
            m_deps->insert(elementKey(id));
    }

    const Design &m_design;
    const RuleIndexes &m_indexes;
    QSet<QString> *m_deps;
};

// Canonical address strings ("10.127.4.50") of a vNIC's "addresses" property.
QStringList vnicAddresses(const Element &vnic);
// The addresses an element takes on the network, canonical: a vNIC's addresses, a subnet's
// gateway, a storage target's portals, a physical switch's management address.
QStringList heldAddresses(const Element &e);

} // namespace converge::core
