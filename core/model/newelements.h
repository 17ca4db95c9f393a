#pragma once

#include "design.h"

#include <QHash>

#include <optional>
#include <vector>

namespace converge::core {

// Several new elements built up as one Edit. Each is checked as commands::addElement checks one
// (id, owner kind, properties, references), except that it may be owned by or refer to an
// element added before it, and each gets its own creation sequence number so the ops apply in
// one go. Used by paste and the host builder.
class NewElements
{
public:
    explicit NewElements(const Design &design)
        : m_design(design)
    {
    }

    // Adds an element under `parent` (empty: top level); an empty `id` gets a new UUID.
    // Returns the element's id.
    Result<QString> add(ElementKind kind, const QString &parent, const QJsonObject &props,
                        const QString &id = {});

    // A new element or one of the design.
    const Element *find(const QString &id) const;
    std::optional<ElementKind> kindOf(const QString &id) const;
    std::size_t size() const { return m_added.size(); }

    Edit edit(const QString &description) const;

private:
    const Design &m_design;
    std::vector<Element> m_added;
    QHash<QString, std::size_t> m_index; // id -> position in m_added
};

// Words for edit descriptions and messages: "virtual switch", "VLAN" (the kind table's noun).
QString kindWords(ElementKind kind);
// "virtual switch 'LAN'".
QString describe(const Element &e);
// The host an element sits on (itself for a host; a VM's vNIC: the VM's host), or null.
const Element *hostOf(const Design &design, const Element &e);

} // namespace converge::core
