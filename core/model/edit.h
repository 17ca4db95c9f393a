#pragma once

#include "element.h"

#include "../util/result.h"

#include <QJsonValue>

#include <vector>

namespace converge::core {

// A primitive change. Add and Remove carry the whole element; Set carries the value before and
// after (QJsonValue::Undefined means "absent"). A Set with an empty id edits the design's own
// information (name, description, source).
struct Op
{
    enum class Type { Add, Remove, Set };
    Type type = Type::Set;
    Element element;   // Add, Remove
    QString id;        // Set
    QString key;       // Set
    QJsonValue before; // Set
    QJsonValue after;  // Set

    Op inverted() const;
    QJsonObject toJson() const;
    static Result<Op> fromJson(const QJsonObject &json);
};

// One user-visible edit (one undo step): a description and the ops that make it.
struct Edit
{
    QString description;
    std::vector<Op> ops;

    Edit inverted() const;
    bool isEmpty() const { return ops.empty(); }
    QJsonObject toJson() const;
    static Result<Edit> fromJson(const QJsonObject &json);
};

// What listeners are told after an edit is applied (or undone).
struct Change
{
    enum class Type { Added, Removed, PropertyChanged };
    Type type;
    QString id; // empty for the design's own information
    ElementKind kind = ElementKind::Host;
    QString key;    // PropertyChanged
    QString parent; // Added, Removed: the element's owner
};

} // namespace converge::core
