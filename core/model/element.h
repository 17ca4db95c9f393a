#pragma once

#include "elementkind.h"
#include "propertykeys.h"

#include <QJsonObject>
#include <QString>

namespace converge::core {

// One element of a design: a stable id, its kind, its owner and its typed properties
// (checked against schema.h). Plain value; the Design owns all of them.
struct Element
{
    QString id;
    ElementKind kind = ElementKind::Host;
    QString parent; // owning element's id; empty at the top level
    qint64 seq = 0; // creation order, keeps document order stable across undo and reload
    QJsonObject props;

    QString name() const { return props.value(key::name).toString(); }
    QJsonValue value(const QString &key) const { return props.value(key); }
    QJsonValue value(QLatin1StringView key) const { return props.value(key); } // no allocation
    friend bool operator==(const Element &, const Element &) = default;
};

} // namespace converge::core
