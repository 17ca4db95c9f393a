#include "design.h"

#include <algorithm>

namespace converge::core {

Design::Design(const Design &other)
    : m_info(other.m_info)
    , m_nextSeq(other.m_nextSeq)
{
    for (const auto &[seq, e] : other.m_order)
        insert(*e);
}

Design &Design::operator=(const Design &other)
{
    if (this != &other) {
        Design copy(other);
        copy.m_listeners = std::move(m_listeners);
        copy.m_nextToken = m_nextToken;
        *this = std::move(copy);
    }
    return *this;
}

const Element *Design::find(const QString &id) const
{
    auto it = m_elements.find(id);
    return it == m_elements.end() ? nullptr : it->second.get();
}

std::size_t Design::count(ElementKind kind) const
{
    return m_byKind[std::size_t(kind)].size();
}

std::vector<const Element *> Design::elements(ElementKind kind) const
{
    const BySeq &all = m_byKind[std::size_t(kind)];
    std::vector<const Element *> out;
    out.reserve(all.size());
    for (const auto &[seq, e] : all)
        out.push_back(e);
    return out;
}

std::vector<const Element *> Design::allElements() const
{
    std::vector<const Element *> out;
    out.reserve(m_order.size());
    for (const auto &[seq, e] : m_order)
        out.push_back(e);
    return out;
}

std::vector<const Element *> Design::children(const QString &parent, ElementKind kind) const
{
    std::vector<const Element *> out;
    auto it = m_children.find(parent);
    if (it == m_children.end())
        return out;
    const auto &byKind = it->second.byKind;
    for (auto at = byKind.lower_bound({int(kind), 0});
         at != byKind.end() && at->first.first == int(kind); ++at)
        out.push_back(at->second);
    return out;
}

std::vector<const Element *> Design::children(const QString &parent) const
{
    std::vector<const Element *> out;
    auto it = m_children.find(parent);
    if (it == m_children.end())
        return out;
    out.reserve(it->second.all.size());
    for (const auto &[seq, e] : it->second.all)
        out.push_back(e);
    return out;
}

void Design::insert(Element element)
{
    if (element.seq <= 0)
        element.seq = m_nextSeq;
    m_nextSeq = std::max(m_nextSeq, element.seq + 1);
    auto owned = std::make_unique<Element>(std::move(element));
    Element *e = owned.get();
    m_order[e->seq] = e;
    Children &siblings = m_children[e->parent];
    siblings.all[e->seq] = e;
    siblings.byKind[{int(e->kind), e->seq}] = e;
    m_byKind[std::size_t(e->kind)][e->seq] = e;
    m_elements.insert_or_assign(e->id, std::move(owned));
}

void Design::erase(const QString &id)
{
    auto it = m_elements.find(id);
    const Element &e = *it->second;
    m_order.erase(e.seq);
    m_byKind[std::size_t(e.kind)].erase(e.seq);
    auto siblings = m_children.find(e.parent);
    siblings->second.all.erase(e.seq);
    siblings->second.byKind.erase({int(e.kind), e.seq});
    if (siblings->second.all.empty())
        m_children.erase(siblings);
    m_elements.erase(it);
}

Result<void> Design::applyOp(const Op &op, std::vector<Change> &changes)
{
    switch (op.type) {
    case Op::Type::Add:
        if (m_elements.contains(op.element.id) || m_order.contains(op.element.seq))
            return fail(Error::Code::Conflict,
                        QStringLiteral("element %1 exists already").arg(op.element.id));
        if (!op.element.parent.isEmpty() && !m_elements.contains(op.element.parent))
            return fail(Error::Code::NotFound, QStringLiteral("owner %1 of %2 does not exist")
                                                   .arg(op.element.parent, op.element.id));
        insert(op.element);
        changes.push_back(
            {Change::Type::Added, op.element.id, op.element.kind, {}, op.element.parent});
        return {};
    case Op::Type::Remove:
        if (!m_elements.contains(op.element.id) || m_children.contains(op.element.id))
            return fail(
                Error::Code::Conflict,
                QStringLiteral("element %1 is missing or still owns elements").arg(op.element.id));
        erase(op.element.id);
        changes.push_back(
            {Change::Type::Removed, op.element.id, op.element.kind, {}, op.element.parent});
        return {};
    case Op::Type::Set:
        break;
    }
    QJsonObject *target = &m_info;
    ElementKind kind = ElementKind::Host;
    if (!op.id.isEmpty()) {
        auto it = m_elements.find(op.id);
        if (it == m_elements.end())
            return fail(Error::Code::NotFound, QStringLiteral("no element %1").arg(op.id));
        target = &it->second->props;
        kind = it->second->kind;
    }
    if (target->value(op.key) != op.before)
        return fail(Error::Code::Conflict,
                    QStringLiteral("%1.%2 changed since the edit was made").arg(op.id, op.key));
    if (op.after.isUndefined())
        target->remove(op.key);
    else
        target->insert(op.key, op.after);
    changes.push_back({Change::Type::PropertyChanged, op.id, kind, op.key, {}});
    return {};
}

Result<void> Design::apply(const Edit &edit)
{
    std::vector<Change> changes;
    for (std::size_t i = 0; i < edit.ops.size(); ++i) {
        auto ok = applyOp(edit.ops[i], changes);
        if (ok)
            continue;
        std::vector<Change> ignored;
        for (std::size_t j = i; j-- > 0;)
            (void)applyOp(edit.ops[j].inverted(), ignored);
        return ok;
    }
    const auto listeners = m_listeners; // a listener may remove itself
    for (const auto &[token, listener] : listeners)
        listener(changes);
    return {};
}

int Design::addListener(Listener listener)
{
    m_listeners.emplace(m_nextToken, std::move(listener));
    return m_nextToken++;
}

void Design::removeListener(int token)
{
    m_listeners.erase(token);
}

} // namespace converge::core
