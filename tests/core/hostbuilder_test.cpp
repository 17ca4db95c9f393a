#include "printers.h"
#include "sampledesigns.h"

#include "core/io/designdocument.h"
#include "core/model/commands.h"
#include "core/model/hostbuilder.h"
#include "core/model/schema.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <gtest/gtest.h>

#include <QJsonArray>

#include <map>

using namespace converge::core;
using Placement = HostPlan::Placement;

namespace {

QString errorOf(const Result<Edit> &r)
{
    return r ? QString() : r.error().message;
}

// The plans behind the three templates (003 §4.3), with the addresses of Tables 8 and 10.
HostPlan converged()
{
    HostPlan p;
    p.name = QStringLiteral("HV01");
    p.cluster = QStringLiteral("SMB-Cluster");
    p.managementAddress = QStringLiteral("10.127.4.50/22");
    p.gateway = QStringLiteral("10.127.4.1");
    p.liveMigrationAddress = QStringLiteral("192.168.10.30/24");
    p.clusterAddress = QStringLiteral("172.126.5.1/16");
    p.iscsiAddresses = {QStringLiteral("10.10.6.200/16"), QStringLiteral("10.10.6.211/16")};
    return p;
}

HostPlan basic()
{
    HostPlan p;
    p.name = QStringLiteral("HV01");
    p.nics = 3;
    p.liveMigration = Placement::None;
    p.clusterTraffic = Placement::None;
    p.managementAddress = QStringLiteral("10.127.4.50/22");
    p.gateway = QStringLiteral("10.127.4.1");
    p.iscsiAddresses = {QStringLiteral("10.10.6.210/16"), QStringLiteral("10.10.6.211/16")};
    return p;
}

HostPlan highPerformance()
{
    HostPlan p = converged();
    p.iscsiSriov = true;
    return p;
}

// An element as the templates write it, without ids: references by name, no notes or MACs.
QJsonObject comparable(const Design &d, const Element &e)
{
    QJsonObject props = e.props;
    props.remove(QStringLiteral("description"));
    props.remove(QStringLiteral("mac"));
    for (const PropertySpec &p : kindSpec(e.kind).properties) {
        if (p.type == PropertyType::Ref && props.contains(p.key))
            props.insert(p.key, d.find(props.value(p.key).toString())->name());
        if (p.type == PropertyType::RefList && props.contains(p.key)) {
            QJsonArray names;
            for (const QJsonValue id : props.value(p.key).toArray())
                names.append(d.find(id.toString())->name());
            props.insert(p.key, names);
        }
    }
    return props;
}

// The host's elements (not its VMs) by kind and name.
std::map<std::pair<int, QString>, QJsonObject> hostElements(const Design &d, const Element &host)
{
    std::map<std::pair<int, QString>, QJsonObject> out{
        {{int(host.kind), host.name()}, comparable(d, host)}};
    for (const Element *e : d.children(host.id))
        if (e->kind != ElementKind::VirtualMachine)
            out[{int(e->kind), e->name()}] = comparable(d, *e);
    return out;
}

Design built(const HostPlan &plan, Design d = {})
{
    auto edit = commands::addHost(d, plan);
    EXPECT_TRUE(edit) << errorOf(edit).toStdString();
    if (edit) {
        EXPECT_TRUE(d.apply(*edit));
    }
    return d;
}

std::vector<Finding> problems(const Design &d)
{
    ValidationEngine engine(ruleCatalog());
    engine.validate(d);
    std::vector<Finding> out;
    for (const Finding &f : engine.findings())
        if (f.severity != Severity::Info)
            out.push_back(f);
    return out;
}

struct Template
{
    const char *sample;
    HostPlan (*plan)();
};

class BuiltHost : public ::testing::TestWithParam<Template>
{
};

} // namespace

namespace converge::core {
inline void PrintTo(const Finding &f, std::ostream *os)
{
    *os << f.ruleId.toStdString() << ' ' << f.message.toStdString();
}
} // namespace converge::core

TEST_P(BuiltHost, MatchesTheTemplateSample)
{
    const Design sample = loadSample(GetParam().sample);
    const Design d = built(GetParam().plan());
    ASSERT_EQ(d.count(ElementKind::Host), 1u);
    auto expected = hostElements(sample, *sample.find(QStringLiteral("h1")));
    // The samples' hosts also carry a description; the builder leaves notes to the admin.
    expected.begin()->second.remove(QStringLiteral("description"));
    const auto actual = hostElements(d, *d.elements(ElementKind::Host).front());
    for (const auto &[key, props] : expected) {
        const auto it = actual.find(key);
        ASSERT_NE(it, actual.end())
            << kindName(ElementKind(key.first)).toStdString() << " " << key.second.toStdString();
        EXPECT_EQ(it->second, props) << key.second.toStdString();
    }
    EXPECT_EQ(actual.size(), expected.size());
}

INSTANTIATE_TEST_SUITE_P(Templates, BuiltHost,
                         ::testing::Values(Template{"smb-basic", basic},
                                           Template{"smb-converged", converged},
                                           Template{"smb-iscsi-highperf", highPerformance}),
                         [](const auto &p) {
                             std::string name = p.param.sample;
                             std::erase(name, '-');
                             return name;
                         });

TEST(HostBuilder, PlansValidateWithoutErrorsOrWarnings)
{
    HostPlan dedicated = converged();
    dedicated.nics = 6;
    dedicated.liveMigration = Placement::Dedicated;
    dedicated.clusterTraffic = Placement::Dedicated;
    HostPlan noIscsi;
    noIscsi.name = QStringLiteral("HV01");
    noIscsi.nics = 2;
    noIscsi.iscsi = Placement::None;
    HostPlan untouched; // the wizard's defaults, with no addresses yet
    untouched.name = QStringLiteral("HV01");
    HostPlan untidy = basic(); // four NICs without a team: the LAN uses one, one is spare
    untidy.nics = 4;
    untidy.team = false;
    HostPlan ovs = noIscsi;
    ovs.platform = QStringLiteral("linux-ovs");
    ovs.speed = 1'000'000'000;
    for (const HostPlan &plan :
         {basic(), converged(), highPerformance(), dedicated, noIscsi, untouched, untidy, ovs}) {
        const Design d = built(plan);
        EXPECT_GT(d.size(), 4u);
        for (const Finding &f : problems(d))
            ADD_FAILURE() << "plan with " << plan.nics << " NICs: " << ::testing::PrintToString(f);
    }
    // The check sees real problems: the converged host without MPIO breaks ISCSI-002.
    Design d = built(converged());
    auto noMpio = commands::setProperty(d, d.elements(ElementKind::Host).front()->id,
                                        QStringLiteral("mpio"), false);
    ASSERT_TRUE(noMpio && d.apply(*noMpio));
    const auto found = problems(d);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found.front().ruleId, QStringLiteral("ISCSI-002"));
}

TEST(HostBuilder, AThirdClusterNodeJoinsTheConvergedSampleCleanly)
{
    HostPlan plan = converged();
    plan.name = QStringLiteral("HV03");
    plan.managementAddress = QStringLiteral("10.127.4.70/22");
    plan.liveMigrationAddress = QStringLiteral("192.168.10.32/24");
    plan.clusterAddress = QStringLiteral("172.126.5.3/16");
    plan.iscsiAddresses = {QStringLiteral("10.10.6.202/16"), QStringLiteral("10.10.6.213/16")};
    Design d = loadSample("smb-converged");
    const QByteArray before = designdocument::save(d);
    auto edit = commands::addHost(d, plan);
    ASSERT_TRUE(edit) << errorOf(edit).toStdString();
    EXPECT_EQ(edit->description, QStringLiteral("Add host 'HV03'"));
    ASSERT_TRUE(d.apply(*edit));
    EXPECT_EQ(d.count(ElementKind::Host), 3u);
    for (const Finding &f : problems(d))
        ADD_FAILURE() << ::testing::PrintToString(f);
    ASSERT_TRUE(d.apply(edit->inverted()));
    EXPECT_EQ(designdocument::save(d), before);
}

TEST(HostBuilder, DedicatedTrafficGetsItsOwnNicSwitchAndVnic)
{
    HostPlan plan = converged();
    plan.nics = 5;
    plan.liveMigration = Placement::Dedicated;
    const Design d = built(plan);
    const Element *host = d.elements(ElementKind::Host).front();
    const auto nics = d.children(host->id, ElementKind::PhysicalNic);
    ASSERT_EQ(nics.size(), 5u);
    EXPECT_EQ(nics[4]->value(QStringLiteral("role")), QStringLiteral("LiveMigration"));
    const Element *sw = d.children(host->id, ElementKind::VirtualSwitch).back();
    EXPECT_EQ(sw->name(), QStringLiteral("vsLiveMigration"));
    EXPECT_EQ(sw->value(QStringLiteral("uplink")), nics[4]->id);
    for (const Element *v : d.children(host->id, ElementKind::VirtualNic)) {
        if (v->name() == QLatin1String("LiveMigration")) {
            EXPECT_EQ(v->value(QStringLiteral("switch")), sw->id);
            EXPECT_FALSE(v->props.contains(QStringLiteral("minimumBandwidthWeight")));
        }
        if (v->name() == QLatin1String("Cluster")) {
            EXPECT_EQ(v->value(QStringLiteral("minimumBandwidthWeight")), 20);
        }
    }
}

TEST(HostBuilder, PlansThatCannotBeBuiltSayWhatToChange)
{
    Design d = loadSample("smb-converged");
    const QByteArray before = designdocument::save(d);
    const auto refusal = [&d](HostPlan plan, auto change) {
        if (plan.name == QLatin1String("HV01"))
            plan.name = QStringLiteral("HV09");
        change(plan);
        return errorOf(commands::addHost(d, plan));
    };
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.nics = 2; }),
              QStringLiteral("the plan needs at least 3 NICs (2 for iSCSI, and 1 for the LAN) but "
                             "has 2"));
    EXPECT_EQ(refusal(converged(),
                      [](HostPlan &p) {
                          p.nics = 4;
                          p.liveMigration = Placement::Dedicated;
                          p.clusterTraffic = Placement::Dedicated;
                      }),
              QStringLiteral("the plan needs at least 5 NICs (2 for iSCSI, 1 for live migration, "
                             "1 for cluster traffic, and 1 for the LAN) but has 4"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.iscsi = Placement::Converged; }),
              QStringLiteral("iSCSI cannot share the converged LAN switch: it needs NICs of its "
                             "own, each with its own switch, and uses MPIO instead of a team "
                             "(003_8b87448cefe986c9.txt §4.1.2)"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.iscsiPaths = 1; }),
              QStringLiteral("iSCSI needs two or more dedicated NICs (paths) used with MPIO; the "
                             "plan has 1"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.name = QStringLiteral("HV02"); }),
              QStringLiteral("a host named 'HV02' exists"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.name = QStringLiteral(" "); }),
              QStringLiteral("the host needs a name"));
    EXPECT_EQ(refusal(converged(),
                      [](HostPlan &p) {
                          p.cluster.clear();
                          p.liveMigration = Placement::None;
                      }),
              QStringLiteral("the plan gives a live-migration address but no live-migration "
                             "traffic"));
    EXPECT_EQ(refusal(basic(), [](HostPlan &p) { p.cluster = QStringLiteral("C1"); }),
              QStringLiteral("host 'HV09' is in cluster 'C1' and needs live migration: put it on "
                             "the converged switch or on a NIC of its own"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.iscsiAddresses.removeLast(); }),
              QStringLiteral("give one iSCSI address per path (2) or none; the plan has 1"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.nics = 65; }),
              QStringLiteral("a host has at most 64 NICs; the plan has 65"));
    EXPECT_EQ(refusal(converged(),
                      [](HostPlan &p) { p.managementAddress = QStringLiteral("10.127.4.300/22"); }),
              QStringLiteral("vNIC 'Mgmt': addresses: expected an array of IP prefixes such as "
                             "10.0.0.5/24"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.platform = QStringLiteral("esxi"); }),
              QStringLiteral("host 'HV09': platform: expected one of linux-ovs, hyperv"));
    EXPECT_EQ(refusal(converged(), [](HostPlan &p) { p.speed = 0; }),
              QStringLiteral("physical NIC 'eth1': speed: expected a positive number (bits per "
                             "second)"));
    EXPECT_EQ(designdocument::save(d), before);
}
