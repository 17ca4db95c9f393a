#pragma once

#include "core/model/element.h"
#include "core/util/result.h"

#include <QHash>
#include <QSet>
#include <QString>

namespace converge::core {
class Design;
}

namespace converge::core::realize {

// Hands out the interface names of one host's bridges and ports (desiredstate.cpp), each once:
// the element's preferred name when it is a valid interface name and free, else "cv" and a
// digest of its id.
class InterfaceNames
{
public:
    explicit InterfaceNames(const core::Design &design);

    // Fails when the element's digest name is taken too.
    core::Result<QString> claim(const core::Element &e);
    QString of(const QString &elementId) const; // empty if not claimed

private:
    const core::Design &m_design;
    QSet<QString> m_used;
    QHash<QString, QString> m_byId;
};

} // namespace converge::core::realize
