#pragma once

#include "core/model/elementkind.h"
#include "core/validation/finding.h"

#include <QIcon>
#include <QPixmap>
#include <QString>

// The icon set (resources/icons, ":/icons/..."): one flat SVG per element kind, the severity
// badges and the port-ACL badge. The pixmaps are rendered once per (icon, size, device pixel
// ratio) and cached, so an item painting its icon every frame costs a hash lookup. GUI thread
// only, like QPixmap.
namespace converge::views::icons {

QIcon forKind(core::ElementKind kind);
QIcon severity(core::Severity s);
QIcon acl();

// A logicalSize x logicalSize pixmap carrying devicePixelRatio (so it is drawn at logicalSize
// device-independent pixels and is sharp on high-DPI screens).
QPixmap pixmap(core::ElementKind kind, int logicalSize, qreal devicePixelRatio);
QPixmap severityPixmap(core::Severity s, int logicalSize, qreal devicePixelRatio);
QPixmap aclPixmap(int logicalSize, qreal devicePixelRatio);

// The resource each icon is drawn from (":/icons/physical-nic.svg").
QString path(core::ElementKind kind);
QString severityPath(core::Severity s);
QString aclPath();

} // namespace converge::views::icons
