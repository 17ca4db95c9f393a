#include "newelements.h"

#include "schema.h"

#include <QUuid>

namespace converge::core {

Result<QString> NewElements::add(ElementKind kind, const QString &parent, const QJsonObject &props,
                                 const QString &id)
{
    // Same checks and messages as commands::addElement, looking at the new elements too.
    const QString newId = id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    if (!isValidId(newId))
        return invalid(QStringLiteral("'%1' is not a valid element id").arg(newId));
    if (find(newId))
        return fail(Error::Code::Conflict,
                    QStringLiteral("an element with id '%1' exists").arg(newId));
    const auto ownerKind = parent.isEmpty() ? std::nullopt : kindOf(parent);
    const auto &parents = kindSpec(kind).parentKinds;
    if (parent.isEmpty() ? !parents.isEmpty() : (!ownerKind || !parents.contains(*ownerKind)))
        return invalid(
            QStringLiteral("a %1 cannot be placed under '%2'").arg(kindName(kind), parent));
    if (auto problem = checkProperties(kind, props))
        return invalid(*problem);
    if (auto problem =
            checkReferences(kind, props, [this](const QString &ref) { return kindOf(ref); }))
        return invalid(*problem);
    // Sequence numbers follow on from the design's, in the order the elements are added, so
    // children come after their owner as they do in a loaded document.
    const qint64 seq = m_design.nextSeq() + qint64(m_added.size());
    m_index.insert(newId, m_added.size());
    m_added.push_back(Element{newId, kind, parent, seq, props});
    return newId;
}

const Element *NewElements::find(const QString &id) const
{
    if (auto it = m_index.constFind(id); it != m_index.constEnd())
        return &m_added[*it];
    return m_design.find(id);
}

std::optional<ElementKind> NewElements::kindOf(const QString &id) const
{
    if (const Element *e = find(id))
        return e->kind;
    return std::nullopt;
}

Edit NewElements::edit(const QString &description) const
{
    Edit out{description, {}};
    out.ops.reserve(m_added.size());
    for (const Element &e : m_added)
        out.ops.push_back({Op::Type::Add, e, {}, {}, {}, {}});
    return out;
}

QString kindWords(ElementKind kind)
{
    return kindTexts(kind).noun;
}

QString describe(const Element &e)
{
    return QStringLiteral("%1 '%2'").arg(kindWords(e.kind), e.name());
}

const Element *hostOf(const Design &design, const Element &e)
{
    const Element *at = &e;
    while (at && at->kind != ElementKind::Host)
        at = at->parent.isEmpty() ? nullptr : design.find(at->parent);
    return at;
}

} // namespace converge::core
