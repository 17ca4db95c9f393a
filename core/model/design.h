#pragma once

#include "edit.h"
#include "element.h"

#include <QHash>
#include <QJsonObject>

#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace converge::core {

// A design: its own information (name, description, source) and its elements, kept in
// creation order. All changes after loading go through apply(Edit), which is all-or-nothing
// and tells every listener what changed.
class Design
{
public:
    using Listener = std::function<void(const std::vector<Change> &)>;

    Design() = default;
    Design(const Design &other); // copies the elements, not the listeners
    Design &operator=(const Design &other);
    Design(Design &&) noexcept = default;
    Design &operator=(Design &&) noexcept = default;
    ~Design() = default;

    const QJsonObject &info() const { return m_info; }
    const Element *find(const QString &id) const;
    std::size_t size() const { return m_elements.size(); }
    std::size_t count(ElementKind kind) const;
    std::vector<const Element *> elements(ElementKind kind) const;
    std::vector<const Element *> allElements() const; // creation order
    // Children of `parent` (empty: top level) of `kind`, in creation order.
    std::vector<const Element *> children(const QString &parent, ElementKind kind) const;
    std::vector<const Element *> children(const QString &parent) const;
    qint64 nextSeq() const { return m_nextSeq; }

    // For loaders: inserts without an edit or notification. The caller has checked the element.
    void insert(Element element);
    void setInfo(QJsonObject info) { m_info = std::move(info); }

    // Applies every op or none: on the first op that does not fit, the ones before are undone.
    Result<void> apply(const Edit &edit);

    int addListener(Listener listener);
    void removeListener(int token);

private:
    Result<void> applyOp(const Op &op, std::vector<Change> &changes);
    void erase(const QString &id);

    using BySeq = std::map<qint64, Element *>;
    struct Children
    {
        BySeq all;
        std::map<std::pair<int, qint64>, Element *> byKind; // (kind, seq)
    };

    // Elements live on the heap so that pointers to them stay valid until they are removed;
    // the indexes below hold those pointers.
    QJsonObject m_info;
    std::unordered_map<QString, std::unique_ptr<Element>> m_elements;
    BySeq m_order;
    std::unordered_map<QString, Children> m_children; // parent id ("" = top) -> children
    std::vector<BySeq> m_byKind = std::vector<BySeq>(allElementKinds.size()); // creation order
    qint64 m_nextSeq = 1;
    std::map<int, Listener> m_listeners;
    int m_nextToken = 1;
};

} // namespace converge::core
