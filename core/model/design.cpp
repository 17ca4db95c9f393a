#include "design.h"

#include <algorithm>

namespace converge::core {

const Element *Design::find(const QString &id) const
{
    auto it = m_elements.constFind(id);
    return it == m_elements.constEnd() ? nullptr : &*it;
}

std::size_t Design::count(ElementKind kind) const
{
    return m_byKind[std::size_t(kind)].size();
}

std::vector<const Element *> Design::elements(ElementKind kind) const
{
    std::vector<const Element *> out;
    out.reserve(count(kind));
    for (const auto &[seq, id] : m_byKind[std::size_t(kind)])
        out.push_back(&m_elements.find(id).value());
    return out;
}

std::vector<const Element *> Design::allElements() const
{
    std::vector<const Element *> out;
    out.reserve(m_order.size());
    for (const auto &[seq, id] : m_order)
        out.push_back(&m_elements.find(id).value());
    return out;
}

std::vector<const Element *> Design::children(const QString &parent, ElementKind kind) const
{
    std::vector<const Element *> out;
    for (const Element *e : children(parent)) {
        if (e->kind == kind)
            out.push_back(e);
    }
    return out;
}

std::vector<const Element *> Design::children(const QString &parent) const
{
    std::vector<const Element *> out;
    auto it = m_children.constFind(parent);
    if (it == m_children.constEnd())
        return out;
    for (const auto &[seq, id] : *it)
        out.push_back(&m_elements.find(id).value());
    return out;
}

void Design::insert(Element element)
{
    if (element.seq <= 0)
        element.seq = m_nextSeq;
    m_nextSeq = std::max(m_nextSeq, element.seq + 1);
    m_order[element.seq] = element.id;
    m_children[element.parent][element.seq] = element.id;
    m_byKind[std::size_t(element.kind)][element.seq] = element.id;
    const QString id = element.id;
    m_elements.insert(id, std::move(element));
}

void Design::erase(const QString &id)
{
    auto it = m_elements.find(id);
    m_order.erase(it->seq);
    m_byKind[std::size_t(it->kind)].erase(it->seq);
    auto &siblings = m_children[it->parent];
    siblings.erase(it->seq);
    if (siblings.empty())
        m_children.remove(it->parent);
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
        changes.push_back({Change::Type::Added, op.element.id, op.element.kind, {}, op.element.parent});
        return {};
    case Op::Type::Remove:
        if (!m_elements.contains(op.element.id) || m_children.contains(op.element.id))
            return fail(
                Error::Code::Conflict,
                QStringLiteral("element %1 is missing or still owns elements").arg(op.element.id));
        erase(op.element.id);
        changes.push_back({Change::Type::Removed, op.element.id, op.element.kind, {}, op.element.parent});
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
        target = &it->props;
        kind = it->kind;
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
