#include "commands.h"

#include "schema.h"

#include <QJsonArray>
#include <QSet>
#include <QUuid>

namespace converge::core::commands {

namespace {

KindLookup lookupIn(const Design &design)
{
    return [&design](const QString &id) -> std::optional<ElementKind> {
        if (const Element *e = design.find(id))
            return e->kind;
        return std::nullopt;
    };
}

QString label(const Element &e)
{
    return QStringLiteral("%1 '%2'").arg(kindName(e.kind), e.name());
}

void collectOwned(const Design &design, const QString &id, QStringList &out)
{
    for (const Element *child : design.children(id))
        collectOwned(design, child->id, out);
    out << id; // children first, so each Remove finds its element empty
}

// A link with a removed end goes too; other references to removed ids are cleared.
void collectLinks(const Design &design, const QSet<QString> &gone, QStringList &out)
{
    for (const Element *link : design.elements(ElementKind::Link)) {
        if (gone.contains(link->value(key::a).toString()) ||
            gone.contains(link->value(key::b).toString()))
            if (!gone.contains(link->id))
                out.prepend(link->id);
    }
}

void clearReferences(const Design &design, const QSet<QString> &gone, Edit &edit)
{
    for (const Element *e : design.allElements()) {
        if (gone.contains(e->id))
            continue;
        for (const PropertySpec &p : kindSpec(e->kind).properties) {
            const QJsonValue v = e->value(p.key);
            if (p.type == PropertyType::Ref && gone.contains(v.toString())) {
                edit.ops.push_back({Op::Type::Set, {}, e->id, p.key, v, QJsonValue::Undefined});
            } else if (p.type == PropertyType::RefList) {
                QJsonArray kept;
                for (const QJsonValue id : v.toArray())
                    if (!gone.contains(id.toString()))
                        kept.append(id);
                if (kept.size() != v.toArray().size())
                    edit.ops.push_back({Op::Type::Set, {}, e->id, p.key, v, kept});
            }
        }
    }
}

} // namespace

Result<Edit> addElement(const Design &design, ElementKind kind, const QString &parent,
                        const QJsonObject &props, const QString &id)
{
    const QString newId = id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    if (!isValidId(newId))
        return invalid(QStringLiteral("'%1' is not a valid element id").arg(newId));
    if (design.find(newId))
        return fail(Error::Code::Conflict,
                    QStringLiteral("an element with id '%1' exists").arg(newId));
    const Element *owner = parent.isEmpty() ? nullptr : design.find(parent);
    const auto &parents = kindSpec(kind).parentKinds;
    if (parent.isEmpty() ? !parents.isEmpty() : (!owner || !parents.contains(owner->kind)))
        return invalid(
            QStringLiteral("a %1 cannot be placed under '%2'").arg(kindName(kind), parent));
    if (auto problem = checkProperties(kind, props))
        return invalid(*problem);
    if (auto problem = checkReferences(kind, props, lookupIn(design)))
        return invalid(*problem);
    Element e{newId, kind, parent, design.nextSeq(), props};
    return Edit{QStringLiteral("Add ") + label(e), {{Op::Type::Add, e, {}, {}, {}, {}}}};
}

Result<Edit> removeElements(const Design &design, const QStringList &ids)
{
    QStringList order;
    for (const QString &id : ids) {
        if (!design.find(id))
            return fail(Error::Code::NotFound, QStringLiteral("no element with id '%1'").arg(id));
        if (!order.contains(id))
            collectOwned(design, id, order);
    }
    order.removeDuplicates();
    QSet<QString> gone(order.begin(), order.end());
    collectLinks(design, gone, order);
    gone = QSet<QString>(order.begin(), order.end());
    Edit edit;
    clearReferences(design, gone, edit);
    for (const QString &id : order)
        edit.ops.push_back({Op::Type::Remove, *design.find(id), {}, {}, {}, {}});
    edit.description = ids.size() == 1
                           ? QStringLiteral("Delete ") + label(*design.find(ids.first()))
                           : QStringLiteral("Delete %1 elements").arg(ids.size());
    return edit;
}

Result<Edit> setProperty(const Design &design, const QString &id, const QString &key,
                         const QJsonValue &value)
{
    const Element *e = design.find(id);
    if (!e)
        return fail(Error::Code::NotFound, QStringLiteral("no element with id '%1'").arg(id));
    QJsonObject props = e->props;
    if (value.isUndefined())
        props.remove(key);
    else
        props.insert(key, value);
    const QString where = label(*e) + QStringLiteral(": ");
    if (auto problem = checkProperties(e->kind, props))
        return invalid(where + *problem);
    if (auto problem = checkReferences(e->kind, props, lookupIn(design)))
        return invalid(where + *problem);
    Edit edit{QStringLiteral("Set %1 of %2").arg(key, label(*e)), {}};
    if (e->value(key) != value)
        edit.ops.push_back({Op::Type::Set, {}, id, key, e->value(key), value});
    return edit;
}

Result<Edit> setDesignInfo(const Design &design, const QString &key, const QJsonValue &value)
{
    static const QStringList keys{QStringLiteral("name"), QStringLiteral("description"),
                                  QStringLiteral("source")};
    if (!keys.contains(key))
        return invalid(QStringLiteral("'%1' is not a design property (expected one of %2)")
                           .arg(key, keys.join(QStringLiteral(", "))));
    if (!value.isUndefined() && !value.isString())
        return invalid(QStringLiteral("design %1: expected a string").arg(key));
    Edit edit{QStringLiteral("Set design %1").arg(key), {}};
    if (design.info().value(key) != value)
        edit.ops.push_back({Op::Type::Set, {}, {}, key, design.info().value(key), value});
    return edit;
}

Edit combine(const QString &description, const std::vector<Edit> &edits)
{
    Edit out{description, {}};
    for (const Edit &e : edits)
        out.ops.insert(out.ops.end(), e.ops.begin(), e.ops.end());
    return out;
}

} // namespace converge::core::commands

namespace converge::core {

EditBatch::EditBatch(Design &design, QString description)
    : m_design(design)
    , m_edit{std::move(description), {}}
{
}

EditBatch::~EditBatch()
{
    if (!m_finished && !m_edit.isEmpty())
        (void)m_design.apply(m_edit.inverted());
}

Result<void> EditBatch::add(const Result<Edit> &edit)
{
    if (!edit)
        return std::unexpected(edit.error());
    if (auto ok = m_design.apply(*edit); !ok)
        return ok;
    m_edit.ops.insert(m_edit.ops.end(), edit->ops.begin(), edit->ops.end());
    return {};
}

Edit EditBatch::finish()
{
    m_finished = true;
    return m_edit;
}

Result<void> EditHistory::push(const Edit &edit)
{
    auto ok = m_design.apply(edit);
    if (!ok)
        return ok;
    m_edits.resize(m_index);
    m_edits.push_back(edit);
    ++m_index;
    return {};
}

Result<void> EditHistory::record(const Edit &applied)
{
    m_edits.resize(m_index);
    m_edits.push_back(applied);
    ++m_index;
    return {};
}

Result<void> EditHistory::undo()
{
    if (!canUndo())
        return fail(Error::Code::Conflict, QStringLiteral("nothing to undo"));
    auto ok = m_design.apply(m_edits[m_index - 1].inverted());
    if (ok)
        --m_index;
    return ok;
}

Result<void> EditHistory::redo()
{
    if (!canRedo())
        return fail(Error::Code::Conflict, QStringLiteral("nothing to redo"));
    auto ok = m_design.apply(m_edits[m_index]);
    if (ok)
        ++m_index;
    return ok;
}

} // namespace converge::core
