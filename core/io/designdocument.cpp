#include "designdocument.h"

#include "../model/schema.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace converge::core::designdocument {

namespace {

const QStringList infoKeys{QStringLiteral("name"), QStringLiteral("description"),
                           QStringLiteral("source")};

struct Loaded
{
    Element element;
    QString path; // "$.hosts[0]"
};

class Loader
{
public:
    Result<Design> run(const QJsonObject &root);

private:
    Result<void> loadCollection(const QJsonObject &owner, const QString &ownerPath,
                                std::optional<ElementKind> ownerKind, const QString &ownerId);
    Result<void> loadElement(const QJsonValue &value, ElementKind kind, const QString &path,
                             const QString &ownerId);
    Result<void> checkAllReferences() const;

    std::vector<Loaded> m_loaded;
    QHash<QString, std::size_t> m_byId;
};

std::unexpected<Error> at(const QString &path, const QString &problem)
{
    return invalid(path + QStringLiteral(": ") + problem);
}

Result<int> readSchemaVersion(const QJsonObject &root)
{
    const QJsonValue v = root.value(QStringLiteral("schemaVersion"));
    if (v.isUndefined())
        return at(QStringLiteral("$.schemaVersion"), QStringLiteral("missing (required)"));
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != std::floor(d) || d < 1)
        return at(QStringLiteral("$.schemaVersion"), QStringLiteral("expected a positive integer"));
    if (d > currentSchemaVersion)
        return fail(Error::Code::NewerSchema,
                    QStringLiteral("$.schemaVersion: the document uses schema version %1, newer "
                                   "than this Converge reads (up to %2); open it with a newer "
                                   "Converge")
                        .arg(d, 0, 'f', 0)
                        .arg(currentSchemaVersion));
    return int(d);
}

Result<void> checkTopLevelKeys(const QJsonObject &root)
{
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString &key = it.key();
        if (key == QLatin1String("schemaVersion"))
            continue;
        if (infoKeys.contains(key)) {
            if (!it.value().isString())
                return at(QStringLiteral("$.") + key, QStringLiteral("expected a string"));
            continue;
        }
        const auto top = childKinds(std::nullopt);
        if (std::ranges::none_of(top, [&](ElementKind k) { return kindSpec(k).collection == key; }))
            return at(QStringLiteral("$.") + key, QStringLiteral("unknown key"));
    }
    return {};
}

Result<Design> Loader::run(const QJsonObject &root)
{
    if (auto v = readSchemaVersion(root); !v)
        return std::unexpected(v.error());
    if (auto ok = checkTopLevelKeys(root); !ok)
        return std::unexpected(ok.error());
    if (auto ok = loadCollection(root, QStringLiteral("$"), std::nullopt, {}); !ok)
        return std::unexpected(ok.error());
    if (auto ok = checkAllReferences(); !ok)
        return std::unexpected(ok.error());
    Design design;
    QJsonObject info;
    for (const QString &key : infoKeys)
        if (root.contains(key))
            info.insert(key, root.value(key));
    design.setInfo(info);
    for (Loaded &l : m_loaded)
        design.insert(std::move(l.element));
    return design;
}

Result<void> Loader::loadCollection(const QJsonObject &owner, const QString &ownerPath,
                                    std::optional<ElementKind> ownerKind, const QString &ownerId)
{
    for (ElementKind kind : childKinds(ownerKind)) {
        const QString key = kindSpec(kind).collection;
        const QJsonValue v = owner.value(key);
        if (v.isUndefined())
            continue;
        const QString path = ownerPath + QStringLiteral(".") + key;
        if (!v.isArray())
            return at(path, QStringLiteral("expected an array"));
        const QJsonArray items = v.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            auto ok = loadElement(items.at(i), kind, path + QStringLiteral("[%1]").arg(i), ownerId);
            if (!ok)
                return ok;
        }
    }
    return {};
}

Result<void> Loader::loadElement(const QJsonValue &value, ElementKind kind, const QString &path,
                                 const QString &ownerId)
{
    if (!value.isObject())
        return at(path, QStringLiteral("expected an object (a %1)").arg(kindName(kind)));
    QJsonObject props = value.toObject();
    const QJsonValue idValue = props.take(QStringLiteral("id"));
    const QString id = idValue.toString();
    if (idValue.isUndefined())
        return at(path + QStringLiteral(".id"),
                  QStringLiteral("missing (every element needs an id)"));
    if (!idValue.isString() || !isValidId(id))
        return at(path + QStringLiteral(".id"),
                  QStringLiteral("expected an id of 1-64 letters, digits or _.:- "
                                 "starting with a letter or digit"));
    if (auto first = m_byId.constFind(id); first != m_byId.constEnd())
        return at(
            path + QStringLiteral(".id"),
            QStringLiteral("duplicate id '%1' (first used at %2)").arg(id, m_loaded[*first].path));
    QJsonObject children;
    for (ElementKind child : childKinds(kind)) {
        const QString key = kindSpec(child).collection;
        if (props.contains(key))
            children.insert(key, props.take(key));
    }
    if (auto problem = checkProperties(kind, props))
        return at(path + QStringLiteral(".") + problem->section(QStringLiteral(": "), 0, 0),
                  problem->section(QStringLiteral(": "), 1, -1));
    m_byId.insert(id, m_loaded.size());
    m_loaded.push_back({Element{id, kind, ownerId, qint64(m_loaded.size() + 1), props}, path});
    return loadCollection(children, path, kind, id);
}

Result<void> Loader::checkAllReferences() const
{
    const KindLookup kindOf = [this](const QString &id) -> std::optional<ElementKind> {
        auto it = m_byId.constFind(id);
        if (it == m_byId.constEnd())
            return std::nullopt;
        return m_loaded[*it].element.kind;
    };
    for (const Loaded &l : m_loaded) {
        if (auto problem = checkReferences(l.element.kind, l.element.props, kindOf)) {
            const QString key = problem->section(QStringLiteral(": "), 0, 0);
            return at(l.path + QStringLiteral(".") + key,
                      problem->section(QStringLiteral(": "), 1, -1));
        }
    }
    return {};
}

QString lineAndColumn(const QByteArray &json, int offset)
{
    const QByteArray before = json.left(offset);
    const auto line = before.count('\n') + 1;
    const auto column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

QJsonObject elementToJson(const Design &design, const Element &e)
{
    QJsonObject o = e.props;
    o.insert(QStringLiteral("id"), e.id);
    for (ElementKind kind : childKinds(e.kind)) {
        QJsonArray items;
        for (const Element *child : design.children(e.id, kind))
            items.append(elementToJson(design, *child));
        if (!items.isEmpty())
            o.insert(kindSpec(kind).collection, items);
    }
    return o;
}

// Writes JSON with "schemaVersion", "id" and "name" first, scalars before arrays of objects
// (child collections last), so a saved document reads top-down and diffs well.
void write(QByteArray &out, const QJsonValue &v, int depth);

void writeString(QByteArray &out, const QString &s)
{
    out += '"';
    for (const char c : s.toUtf8()) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += QByteArray("\\u00") + QByteArray::number(c, 16).rightJustified(2, '0');
            else
                out += c;
        }
    }
    out += '"';
}

// Scalars written directly: going through QJsonDocument per value made saving 3x slower.
void writeScalar(QByteArray &out, const QJsonValue &v)
{
    if (v.isString())
        return writeString(out, v.toString());
    if (v.isBool()) {
        out += v.toBool() ? "true" : "false";
        return;
    }
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d == std::floor(d) && std::abs(d) < 9007199254740992.0)
            out += QByteArray::number(qint64(d));
        else
            out += QByteArray::number(d, 'g', 17);
        return;
    }
    out += "null";
}

int keyRank(const QString &key, const QJsonValue &v)
{
    if (key == QLatin1String("schemaVersion"))
        return 0;
    if (key == QLatin1String("id"))
        return 1;
    if (key == QLatin1String("name"))
        return 2;
    const bool collection = v.isArray() && !v.toArray().isEmpty() &&
                            v.toArray().first().isObject() &&
                            v.toArray().first().toObject().contains(QStringLiteral("id"));
    return collection ? 4 : 3;
}

void writeObject(QByteArray &out, const QJsonObject &o, int depth)
{
    QStringList keys = o.keys();
    std::ranges::stable_sort(keys, [&](const QString &a, const QString &b) {
        return keyRank(a, o.value(a)) < keyRank(b, o.value(b));
    });
    const QByteArray indent(qsizetype(depth + 1) * 2, ' ');
    out += '{';
    for (qsizetype i = 0; i < keys.size(); ++i) {
        out += i ? ",\n" : "\n";
        out += indent;
        writeString(out, keys[i]);
        out += ": ";
        write(out, o.value(keys[i]), depth + 1);
    }
    out += '\n' + QByteArray(qsizetype(depth) * 2, ' ') + '}';
}

void write(QByteArray &out, const QJsonValue &v, int depth)
{
    if (v.isObject())
        return writeObject(out, v.toObject(), depth);
    if (v.isArray() && std::ranges::any_of(v.toArray(), [](const QJsonValue &x) {
            return x.isObject() || x.isArray();
        })) {
        const QJsonArray a = v.toArray();
        out += '[';
        for (qsizetype i = 0; i < a.size(); ++i) {
            out += i ? ",\n" : "\n";
            out += QByteArray(qsizetype(depth + 1) * 2, ' ');
            write(out, a.at(i), depth + 1);
        }
        out += '\n' + QByteArray(qsizetype(depth) * 2, ' ') + ']';
        return;
    }
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        out += '[';
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (i)
                out += ", ";
            writeScalar(out, a.at(i));
        }
        out += ']';
        return;
    }
    writeScalar(out, v);
}

} // namespace

Result<Design> load(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return at(QStringLiteral("$"),
                  QStringLiteral("not valid JSON at %1: %2")
                      .arg(lineAndColumn(json, error.offset), error.errorString()));
    if (!doc.isObject())
        return at(QStringLiteral("$"), QStringLiteral("expected an object (a design document)"));
    return Loader().run(doc.object());
}

Result<Design> loadFile(const QString &path, QHash<QString, TextPosition> *positions)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    const QByteArray json = file.readAll();
    auto design = load(json);
    if (!design)
        design.error().message = path + QStringLiteral(": ") + design.error().message;
    else if (positions)
        *positions = elementPositions(json);
    return design;
}

QJsonObject toJson(const Design &design)
{
    QJsonObject root = design.info();
    root.insert(QStringLiteral("schemaVersion"), currentSchemaVersion);
    for (ElementKind kind : childKinds(std::nullopt)) {
        QJsonArray items;
        for (const Element *e : design.children(QString(), kind))
            items.append(elementToJson(design, *e));
        if (!items.isEmpty())
            root.insert(kindSpec(kind).collection, items);
    }
    return root;
}

QByteArray save(const Design &design)
{
    QByteArray out;
    write(out, toJson(design), 0);
    out += '\n';
    return out;
}

Result<void> saveFile(const Design &design, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(save(design)) < 0 || !file.commit())
        return fail(Error::Code::Io,
                    QStringLiteral("%1: cannot save: %2").arg(path, file.errorString()));
    return {};
}

} // namespace converge::core::designdocument
