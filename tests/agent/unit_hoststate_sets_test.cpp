// The keyed lists of the host-state form (core/realize/hoststatejson.cpp): a key listed twice is
// refused. 17 PVLAN domains with one primary, or 17 tunnel endpoints with one address, were
// accepted, and normalize() (sorting by the key) left them in no particular order, so the state
// read back from its own JSON was not equal to itself: fuzz_hoststate's invariant fails on them
// (tests/fuzz/corpus/fuzz_hoststate/*-twice).
#include "core/realize/hoststate.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>

using namespace converge::core::realize;

namespace {

QJsonObject bridgeState(const QJsonObject &bridge)
{
    return {{QStringLiteral("host"), QStringLiteral("h")},
            {QStringLiteral("bridges"), QJsonArray{bridge}}};
}

// Domains of primary VLAN 200 with isolated VLANs 1..n.
QJsonObject pvlanDomains(int n)
{
    QJsonArray domains;
    for (int i = 1; i <= n; ++i)
        domains.append(QJsonObject{{QStringLiteral("primary"), 200},
                                   {QStringLiteral("isolated"), QJsonArray{i}}});
    return bridgeState(
        {{QStringLiteral("name"), QStringLiteral("br")}, {QStringLiteral("pvlans"), domains}});
}

// An overlay whose remotes all have address 10.0.0.1, one MAC each.
QJsonObject tunnelEndpoints(int n)
{
    QJsonArray remotes;
    for (int i = 1; i <= n; ++i) {
        const QString mac = QStringLiteral("02:00:00:00:00:%1").arg(i, 2, 16, QLatin1Char('0'));
        remotes.append(QJsonObject{{QStringLiteral("address"), QStringLiteral("10.0.0.1")},
                                   {QStringLiteral("macs"), QJsonArray{mac}}});
    }
    const QJsonObject overlay{{QStringLiteral("vsid"), 5},
                              {QStringLiteral("encapsulation"), QStringLiteral("vxlan")},
                              {QStringLiteral("remotes"), remotes}};
    const QJsonObject tunnel{{QStringLiteral("name"), QStringLiteral("cv-vxlan")},
                             {QStringLiteral("type"), QStringLiteral("vxlan")}};
    return bridgeState({{QStringLiteral("name"), QStringLiteral("br")},
                        {QStringLiteral("ports"), QJsonArray{tunnel}},
                        {QStringLiteral("overlays"), QJsonArray{overlay}}});
}

} // namespace

TEST(HostStateSets, APvlanDomainIsListedOncePerPrimary)
{
    ASSERT_TRUE(HostState::fromJson(pvlanDomains(1)));
    for (int n : {2, 17}) {
        auto r = HostState::fromJson(pvlanDomains(n));
        ASSERT_FALSE(r) << n;
        EXPECT_EQ(r.error().message,
                  QStringLiteral("bridges[0].pvlans[1]: primary VLAN 200 is listed twice"));
    }
}

TEST(HostStateSets, ATunnelEndpointIsListedOncePerAddress)
{
    ASSERT_TRUE(HostState::fromJson(tunnelEndpoints(1)));
    for (int n : {2, 17}) {
        auto r = HostState::fromJson(tunnelEndpoints(n));
        ASSERT_FALSE(r) << n;
        EXPECT_EQ(r.error().message, QStringLiteral("bridges[0].overlays[0].remotes[1]: address "
                                                    "10.0.0.1 is listed twice"));
    }
}
