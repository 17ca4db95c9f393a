#include "clipboard.h"

#include "newelements.h"
#include "schema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUuid>

#include <algorithm>

namespace converge::core::clipboard {

namespace {

const QString markerKey = QStringLiteral("convergeClipboard");
const QString elementsKey = QStringLiteral("elements");

// One element as it was copied: its old id and owner, which paste maps to new ones.
struct Entry
{
    QString id;
    ElementKind kind = ElementKind::Host;
    QString parent;
    QJsonObject props;
};

void collectOwned(const Design &design, const Element &e, QSet<QString> &seen,
                  std::vector<const Element *> &out)
{
    if (seen.contains(e.id))
        return;
    seen.insert(e.id);
    out.push_back(&e);
    for (const Element *child : design.children(e.id))
        collectOwned(design, *child, seen, out);
}

QJsonObject entryJson(const Element &e)
{
    return QJsonObject{{QStringLiteral("id"), e.id},
                       {QStringLiteral("kind"), kindName(e.kind)},
                       {QStringLiteral("parent"), e.parent},
                       {QStringLiteral("props"), e.props}};
}

// "clipboard element 3 (physical NIC 'eth1')": where a problem is, for messages.
QString where(qsizetype index, const Entry *entry = nullptr)
{
    QString out = QStringLiteral("clipboard element %1").arg(index);
    if (entry && !entry->props.value(key::name).toString().isEmpty())
        out += QStringLiteral(" (%1 '%2')")
                   .arg(kindWords(entry->kind), entry->props.value(key::name).toString());
    return out;
}

Result<Entry> parseEntry(const QJsonValue &value, qsizetype index)
{
    if (!value.isObject())
        return invalid(where(index) + QStringLiteral(": expected an object"));
    const QJsonObject o = value.toObject();
    Entry e;
    e.id = o.value(QStringLiteral("id")).toString();
    if (e.id.isEmpty())
        return invalid(where(index) + QStringLiteral(": id: expected a non-empty string"));
    const QString kind = o.value(QStringLiteral("kind")).toString();
    const auto k = kindFromName(kind);
    if (!k)
        return invalid(where(index) + QStringLiteral(": kind: unknown kind '%1'").arg(kind));
    e.kind = *k;
    const QJsonValue parent = o.value(QStringLiteral("parent"));
    if (!parent.isUndefined() && !parent.isString())
        return invalid(where(index) + QStringLiteral(": parent: expected a string"));
    e.parent = parent.toString();
    if (!o.value(QStringLiteral("props")).isObject())
        return invalid(where(index) + QStringLiteral(": props: expected an object"));
    e.props = o.value(QStringLiteral("props")).toObject();
    if (auto problem = checkProperties(e.kind, e.props))
        return invalid(where(index, &e) + QStringLiteral(": ") + *problem);
    return e;
}

// Ids unique; an owner that was copied comes first and may own the element.
Result<void> checkOwners(const std::vector<Entry> &entries)
{
    QHash<QString, qsizetype> seen;
    for (qsizetype i = 0; i < qsizetype(entries.size()); ++i) {
        const Entry &e = entries[i];
        if (seen.contains(e.id))
            return invalid(where(i) + QStringLiteral(": id: '%1' appears twice").arg(e.id));
        const auto &parents = kindSpec(e.kind).parentKinds;
        if (parents.isEmpty() && !e.parent.isEmpty())
            return invalid(where(i, &e) + QStringLiteral(": a %1 sits at the top level, not under "
                                                         "'%2'")
                                              .arg(kindWords(e.kind), e.parent));
        if (auto owner = seen.constFind(e.parent); owner != seen.constEnd()) {
            const ElementKind ownerKind = entries[*owner].kind;
            if (!parents.contains(ownerKind))
                return invalid(where(i, &e) + QStringLiteral(": a %1 cannot be placed under a %2")
                                                  .arg(kindWords(e.kind), kindWords(ownerKind)));
        } else if (std::ranges::any_of(entries.begin() + i, entries.end(),
                                       [&e](const Entry &o) { return o.id == e.parent; })) {
            return invalid(where(i, &e) +
                           QStringLiteral(": its owner '%1' comes after it").arg(e.parent));
        }
        seen.insert(e.id, i);
    }
    return {};
}

Result<std::vector<Entry>> parse(const QByteArray &data)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &error);
    if (error.error != QJsonParseError::NoError)
        return invalid(QStringLiteral("clipboard: not JSON (%1 at offset %2)")
                           .arg(error.errorString())
                           .arg(error.offset));
    const QJsonObject root = doc.object();
    const int version = root.value(markerKey).toInt(0);
    if (!doc.isObject() || version < 1)
        return invalid(
            QStringLiteral("clipboard: no Converge elements (no %1 version)").arg(markerKey));
    if (version > formatVersion)
        return fail(Error::Code::NewerSchema,
                    QStringLiteral("clipboard: format version %1 is newer than this Converge reads "
                                   "(%2)")
                        .arg(version)
                        .arg(formatVersion));
    const QJsonArray items = root.value(elementsKey).toArray();
    if (items.isEmpty())
        return invalid(QStringLiteral("clipboard: elements: expected a non-empty array"));
    std::vector<Entry> entries;
    for (qsizetype i = 0; i < items.size(); ++i) {
        auto e = parseEntry(items.at(i), i);
        if (!e)
            return std::unexpected(e.error());
        entries.push_back(std::move(*e));
    }
    if (auto ok = checkOwners(entries); !ok)
        return std::unexpected(ok.error());
    return entries;
}

bool isReference(const PropertySpec &p)
{
    return p.type == PropertyType::Ref || p.type == PropertyType::RefList;
}

// "HV01 (2)" -> "HV01", so a copy of a copy is "HV01 (3)", not "HV01 (2) (2)".
QString baseName(const QString &name)
{
    static const QRegularExpression numbered(QStringLiteral("^(.+) \\((\\d+)\\)$"));
    const auto m = numbered.match(name);
    return m.hasMatch() ? m.captured(1) : name;
}

// One paste: the clipboard's entries mapped onto a design.
class Paster
{
public:
    Paster(const Design &design, std::vector<Entry> entries, QString target)
        : m_design(design)
        , m_entries(std::move(entries))
        , m_target(std::move(target))
        , m_added(design)
    {
    }

    Result<Edit> run();

private:
    std::optional<QString> resolve(const QString &ref, const PropertySpec &spec,
                                   const QString &destinationHost = {}) const;
    void dropLinksThatLoseAnEnd();
    Result<QJsonObject> remap(qsizetype index) const;
    Result<QString> placeRoot(qsizetype index) const;
    QString freeName(const QString &parent, ElementKind kind, const QString &name);

    const Design &m_design;
    std::vector<Entry> m_entries;
    QString m_target;
    NewElements m_added;
    QHash<QString, qsizetype> m_indexOf;   // old id -> entry
    QHash<QString, QString> m_newId;       // old id -> new id (not for dropped entries)
    QHash<QString, QSet<QString>> m_taken; // "parent/kind" -> sibling names
    QHash<QString, QString> m_hostOf;      // old id -> the host it lands on (new or existing id)
};

// A reference's new value: the pasted element's new id; the design's element when it is still
// there, of an allowed kind, and not on another host than the one the element lands on; on
// another host, that host's element of the same kind and name (a VM pasted onto HV02 connects
// to HV02's switch "LAN"); else nothing (the reference is dropped).
std::optional<QString> Paster::resolve(const QString &ref, const PropertySpec &spec,
                                       const QString &destinationHost) const
{
    if (m_indexOf.contains(ref))
        return m_newId.contains(ref) ? std::optional(m_newId.value(ref)) : std::nullopt;
    const Element *target = m_design.find(ref);
    if (!target || !spec.refKinds.contains(target->kind))
        return std::nullopt;
    const Element *targetHost = hostOf(m_design, *target);
    if (destinationHost.isEmpty() || !targetHost || targetHost->id == destinationHost)
        return ref;
    for (const Element *same : m_design.children(destinationHost, target->kind)) {
        if (same->name() == target->name())
            return same->id;
    }
    return std::nullopt;
}

// A cable is only a cable with both ends; without one it is left out, as removing a NIC
// removes its cables.
void Paster::dropLinksThatLoseAnEnd()
{
    for (const Entry &e : m_entries) {
        if (e.kind != ElementKind::Link)
            continue;
        for (const PropertySpec &p : kindSpec(e.kind).properties)
            if (p.required && p.type == PropertyType::Ref &&
                !resolve(e.props.value(p.key).toString(), p))
                m_newId.remove(e.id);
    }
}

Result<QJsonObject> Paster::remap(qsizetype index) const
{
    const Entry &e = m_entries[index];
    QJsonObject props = e.props;
    for (const PropertySpec &p : kindSpec(e.kind).properties) {
        if (!isReference(p) || !props.contains(p.key))
            continue;
        const QJsonArray refs = p.type == PropertyType::Ref ? QJsonArray{props.value(p.key)}
                                                            : props.value(p.key).toArray();
        QJsonArray kept;
        for (qsizetype i = 0; i < refs.size(); ++i) {
            const QString ref = refs.at(i).toString();
            const auto internal = m_indexOf.constFind(ref);
            // A reference among the copied elements to a kind it cannot name is bad data.
            if (internal != m_indexOf.constEnd() && !p.refKinds.contains(m_entries[*internal].kind))
                return invalid(where(index, &e) +
                               QStringLiteral(": %1: '%2' is a %3, expected a %4")
                                   .arg(p.type == PropertyType::Ref
                                            ? p.key
                                            : QStringLiteral("%1[%2]").arg(p.key).arg(i),
                                        ref, kindName(m_entries[*internal].kind), refKindsText(p)));
            if (auto target = resolve(ref, p, m_hostOf.value(e.id)))
                kept.append(*target);
        }
        if (p.type == PropertyType::RefList)
            props.insert(p.key, kept);
        else if (kept.isEmpty())
            props.remove(p.key);
        else
            props.insert(p.key, kept.first());
    }
    return props;
}

// Where an element whose owner was not copied goes.
Result<QString> Paster::placeRoot(qsizetype index) const
{
    const Entry &e = m_entries[index];
    const auto &parents = kindSpec(e.kind).parentKinds;
    if (parents.isEmpty())
        return QString();
    if (const Element *t = m_design.find(m_target); t && parents.contains(t->kind))
        return m_target;
    if (const Element *o = m_design.find(e.parent); o && parents.contains(o->kind))
        return e.parent;
    QStringList owners;
    for (ElementKind k : parents)
        owners << kindWords(k);
    const QString why = e.parent.isEmpty()
                            ? QStringLiteral("it has no owner")
                            : QStringLiteral("its owner '%1' is not in the design").arg(e.parent);
    return invalid(where(index, &e) +
                   QStringLiteral(": nowhere to paste it (%1); select a %2 to paste into")
                       .arg(why, owners.join(QStringLiteral(" or "))));
}

QString Paster::freeName(const QString &parent, ElementKind kind, const QString &name)
{
    const QString key = parent + QLatin1Char('/') + kindName(kind);
    auto taken = m_taken.find(key);
    if (taken == m_taken.end()) {
        QSet<QString> names;
        for (const Element *sibling : m_design.children(parent, kind))
            names.insert(sibling->name());
        taken = m_taken.insert(key, names);
    }
    QString free = name;
    for (int n = 2; taken->contains(free); ++n)
        free = QStringLiteral("%1 (%2)").arg(baseName(name)).arg(n);
    taken->insert(free);
    return free;
}

Result<Edit> Paster::run()
{
    if (!m_target.isEmpty() && !m_design.find(m_target))
        return fail(Error::Code::NotFound,
                    QStringLiteral("no element with id '%1' to paste into").arg(m_target));
    for (qsizetype i = 0; i < qsizetype(m_entries.size()); ++i) {
        m_indexOf.insert(m_entries[i].id, i);
        m_newId.insert(m_entries[i].id, QUuid::createUuid().toString(QUuid::WithoutBraces));
    }
    dropLinksThatLoseAnEnd();
    for (qsizetype i = 0; i < qsizetype(m_entries.size()); ++i) {
        const Entry &e = m_entries[i];
        if (!m_newId.contains(e.id))
            continue;
        const bool copiedOwner = m_indexOf.contains(e.parent);
        auto parent = copiedOwner ? Result<QString>(m_newId.value(e.parent)) : placeRoot(i);
        if (e.kind == ElementKind::Host)
            m_hostOf.insert(e.id, m_newId.value(e.id));
        else if (copiedOwner)
            m_hostOf.insert(e.id, m_hostOf.value(e.parent));
        else if (const Element *owner = parent ? m_design.find(*parent) : nullptr)
            m_hostOf.insert(e.id,
                            hostOf(m_design, *owner) ? hostOf(m_design, *owner)->id : QString());
        auto props = parent ? remap(i) : Result<QJsonObject>(std::unexpected(parent.error()));
        if (!props)
            return std::unexpected(props.error());
        // Only elements placed among existing ones can clash; a copied owner's children were
        // distinct where they came from.
        if (!copiedOwner) {
            const QString name = e.props.value(key::name).toString();
            props->insert(key::name, freeName(*parent, e.kind, name));
        }
        if (auto ok = m_added.add(e.kind, *parent, *props, m_newId.value(e.id)); !ok)
            return invalid(where(i, &e) + QStringLiteral(": ") + ok.error().message);
    }
    if (m_added.size() == 0)
        return invalid(QStringLiteral("clipboard: nothing to paste"));
    return m_added.edit(m_added.size() == 1
                            ? QStringLiteral("Paste 1 element")
                            : QStringLiteral("Paste %1 elements").arg(m_added.size()));
}

} // namespace

QByteArray copy(const Design &design, const QStringList &ids)
{
    QSet<QString> seen;
    std::vector<const Element *> chosen;
    for (const QString &id : ids)
        if (const Element *e = design.find(id))
            collectOwned(design, *e, seen, chosen);
    for (const Element *link : design.elements(ElementKind::Link))
        if (seen.contains(link->value(key::a).toString()) &&
            seen.contains(link->value(key::b).toString()) && !seen.contains(link->id)) {
            seen.insert(link->id);
            chosen.push_back(link);
        }
    std::ranges::sort(chosen, {}, &Element::seq); // creation order: owners first
    QJsonArray elements;
    for (const Element *e : chosen)
        elements.append(entryJson(*e));
    return QJsonDocument(QJsonObject{{markerKey, formatVersion}, {elementsKey, elements}})
        .toJson(QJsonDocument::Compact);
}

Result<Edit> paste(const Design &design, const QByteArray &data, const QString &targetParent)
{
    auto entries = parse(data);
    if (!entries)
        return std::unexpected(entries.error());
    return Paster(design, std::move(*entries), targetParent).run();
}

Result<Edit> duplicate(const Design &design, const QStringList &ids)
{
    const QSet<QString> selected(ids.begin(), ids.end());
    QSet<QString> roots; // the selected elements no other selected one owns
    for (const QString &id : ids) {
        const Element *e = design.find(id);
        if (!e)
            return fail(Error::Code::NotFound, QStringLiteral("no element with id '%1'").arg(id));
        bool owned = false;
        for (const Element *o = design.find(e->parent); o && !owned; o = design.find(o->parent))
            owned = selected.contains(o->id);
        if (!owned)
            roots.insert(id);
    }
    if (roots.empty())
        return invalid(QStringLiteral("nothing to duplicate"));
    auto edit = paste(design, copy(design, ids));
    if (edit)
        edit->description =
            roots.size() == 1
                ? QStringLiteral("Duplicate ") + describe(*design.find(*roots.begin()))
                : QStringLiteral("Duplicate %1 elements").arg(roots.size());
    return edit;
}

} // namespace converge::core::clipboard
