#pragma once

// A test with a private ovsdb-server and ovs-vswitchd in a network namespace of its own (root:
// skipped with the reason otherwise); `ns` and `ovs` are ready in the test body.
#include "ovsenv.h"

#include <gtest/gtest.h>

#include <memory>

namespace converge::testing {

class OvsHostTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString why;
        if (!haveRootAndOvs(&why))
            GTEST_SKIP() << why.toStdString();
        ns = std::make_unique<NetNs>();
        ASSERT_TRUE(ns->isValid()) << ns->error().toStdString();
        ovs = std::make_unique<OvsInstance>(*ns);
        ASSERT_TRUE(ovs->isValid()) << ovs->error().toStdString();
    }
    void TearDown() override
    {
        ovs.reset();
        ns.reset();
    }

    std::unique_ptr<NetNs> ns;
    std::unique_ptr<OvsInstance> ovs;
};

} // namespace converge::testing
