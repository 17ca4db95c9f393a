#pragma once

// The designs the agent's unit tests plan from, and edits to them (one home for what each test
// file would otherwise load and set by itself).
#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/model/design.h"
#include "core/realize/desiredstate.h"

#include <gtest/gtest.h>

namespace converge::testing {

// The design at PATH (relative to the source tree); an empty design, and a test failure, if it
// does not load.
inline core::Design sourceDesign(const char *path)
{
    auto d = core::designdocument::loadFile(QStringLiteral(CONVERGE_SOURCE_DIR "/") +
                                            QLatin1String(path));
    EXPECT_TRUE(d) << path << ": " << (d ? "" : d.error().message.toStdString());
    return d ? std::move(*d) : core::Design();
}

// HOST's desired state with every bridge on DATAPATH (empty: as the design leaves it).
inline core::realize::HostState desiredOn(const core::Design &d, const QString &host,
                                          const QString &datapath = {})
{
    auto s = core::realize::desiredState(d, host);
    EXPECT_TRUE(s) << host.toStdString() << ": " << (s ? "" : s.error().message.toStdString());
    if (!s)
        return {};
    if (!datapath.isEmpty())
        for (core::realize::Bridge &b : s->bridges)
            b.datapathType = datapath;
    return *s;
}

// Sets (QJsonValue::Undefined: clears) property KEY of element ID, as an undoable edit would.
inline void setProperty(core::Design &d, const char *id, const char *key, const QJsonValue &v)
{
    auto e = core::commands::setProperty(d, QLatin1String(id), QLatin1String(key), v);
    ASSERT_TRUE(e) << id << "." << key << ": " << e.error().message.toStdString();
    ASSERT_TRUE(d.apply(*e));
}

} // namespace converge::testing
