#include "edit.h"

#include "schema.h"

#include <QJsonArray>
#include <QJsonObject>

#include <ranges>

namespace converge::core {

namespace {

QJsonObject elementToJson(const Element &e)
{
    return QJsonObject{{QStringLiteral("id"), e.id},
                       {QStringLiteral("kind"), kindName(e.kind)},
                       {QStringLiteral("parent"), e.parent},
                       {QStringLiteral("seq"), double(e.seq)},
                       {QStringLiteral("props"), e.props}};
}

Result<Element> elementFromJson(const QJsonObject &o)
{
    const auto kind = kindFromName(o.value(QStringLiteral("kind")).toString());
    if (!kind || !o.value(QStringLiteral("id")).isString() ||
        !o.value(QStringLiteral("props")).isObject())
        return invalid(QStringLiteral("edit record: malformed element"));
    return Element{o.value(QStringLiteral("id")).toString(), *kind,
                   o.value(QStringLiteral("parent")).toString(),
                   qint64(o.value(QStringLiteral("seq")).toDouble()),
                   o.value(QStringLiteral("props")).toObject()};
}

QJsonValue wrapOptional(const QJsonValue &v)
{
    // Undefined cannot be stored in JSON; wrap values so "absent" survives a round trip.
    return v.isUndefined() ? QJsonValue(QJsonArray{}) : QJsonValue(QJsonArray{v});
}

QJsonValue unwrapOptional(const QJsonValue &v)
{
    const QJsonArray a = v.toArray();
    return a.isEmpty() ? QJsonValue(QJsonValue::Undefined) : a.first();
}

} // namespace

Op Op::inverted() const
{
    Op op = *this;
    switch (type) {
    case Type::Add:
        op.type = Type::Remove;
        break;
    case Type::Remove:
        op.type = Type::Add;
        break;
    case Type::Set:
        std::swap(op.before, op.after);
        break;
    }
    return op;
}

QJsonObject Op::toJson() const
{
    switch (type) {
    case Type::Add:
    case Type::Remove:
        return QJsonObject{{QStringLiteral("op"),
                            type == Type::Add ? QStringLiteral("add") : QStringLiteral("remove")},
                           {QStringLiteral("element"), elementToJson(element)}};
    case Type::Set:
        break;
    }
    return QJsonObject{{QStringLiteral("op"), QStringLiteral("set")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("key"), key},
                       {QStringLiteral("before"), wrapOptional(before)},
                       {QStringLiteral("after"), wrapOptional(after)}};
}

Result<Op> Op::fromJson(const QJsonObject &json)
{
    const QString name = json.value(QStringLiteral("op")).toString();
    Op op;
    if (name == QLatin1String("set")) {
        op.id = json.value(QStringLiteral("id")).toString();
        op.key = json.value(QStringLiteral("key")).toString();
        op.before = unwrapOptional(json.value(QStringLiteral("before")));
        op.after = unwrapOptional(json.value(QStringLiteral("after")));
        return op;
    }
    if (name != QLatin1String("add") && name != QLatin1String("remove"))
        return invalid(QStringLiteral("edit record: unknown op '%1'").arg(name));
    auto element = elementFromJson(json.value(QStringLiteral("element")).toObject());
    if (!element)
        return std::unexpected(element.error());
    op.type = name == QLatin1String("add") ? Type::Add : Type::Remove;
    op.element = *element;
    return op;
}

Edit Edit::inverted() const
{
    Edit e{description, {}};
    e.ops.reserve(ops.size());
    for (const Op &op : ops | std::views::reverse)
        e.ops.push_back(op.inverted());
    return e;
}

QJsonObject Edit::toJson() const
{
    QJsonArray list;
    for (const Op &op : ops)
        list.append(op.toJson());
    return QJsonObject{{QStringLiteral("description"), description}, {QStringLiteral("ops"), list}};
}

Result<Edit> Edit::fromJson(const QJsonObject &json)
{
    Edit e{json.value(QStringLiteral("description")).toString(), {}};
    for (const QJsonValue v : json.value(QStringLiteral("ops")).toArray()) {
        auto op = Op::fromJson(v.toObject());
        if (!op)
            return std::unexpected(op.error());
        e.ops.push_back(*op);
    }
    return e;
}

} // namespace converge::core
