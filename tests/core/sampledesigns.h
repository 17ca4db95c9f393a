#pragma once

#include "core/io/designdocument.h"

#include <gtest/gtest.h>

#include <QFile>

// The shipped sample designs (resources/samples), loaded for tests that edit real templates.
inline converge::core::Design loadSample(const char *name)
{
    QFile f(QStringLiteral(CONVERGE_SOURCE_DIR "/resources/samples/%1.converge.json")
                .arg(QLatin1String(name)));
    EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << name;
    auto design = converge::core::designdocument::load(f.readAll());
    EXPECT_TRUE(design) << name << ": " << (design ? "" : design.error().message.toStdString());
    return design ? std::move(*design) : converge::core::Design();
}
