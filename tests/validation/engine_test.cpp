// The engine: incremental re-validation gives exactly what a full run gives, after every one of
// a long sequence of random edits; suppressions; quick fixes.
#include "rulestestsupport.h"

#include "generator/designgenerator.h"

#include "core/model/commands.h"
#include "core/model/schema.h"
#include "core/validation/catalog.h"
#include "core/validation/validationengine.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QRandomGenerator>

using namespace converge::core;
using namespace converge::testing;

namespace {

// Makes random but schema-valid edits, biased towards values rules care about: a small pool
// of addresses (duplicates), VLANs, speeds, roles, references between existing elements.
class RandomEditor
{
public:
    RandomEditor(Design &design, quint32 seed)
        : m_design(design)
        , m_random(seed)
    {
    }

    Result<Edit> next()
    {
        const auto all = m_design.allElements();
        const Element &e = *all[m_random.bounded(int(all.size()))];
        const int dice = m_random.bounded(100);
        if (dice < 4 && e.kind != ElementKind::Host)
            return commands::removeElements(m_design, {e.id});
        if (dice < 10)
            return addLike(e);
        const auto &props = kindSpec(e.kind).properties;
        const PropertySpec &p = props[m_random.bounded(int(props.size()))];
        if (!p.required && m_random.bounded(6) == 0)
            return commands::setProperty(m_design, e.id, p.key, QJsonValue::Undefined);
        return commands::setProperty(m_design, e.id, p.key, value(p));
    }

private:
    Result<Edit> addLike(const Element &e)
    {
        QJsonObject props = e.props;
        props.insert(QStringLiteral("name"), QStringLiteral("copy%1").arg(++m_copies));
        return commands::addElement(m_design, e.kind, e.parent, props);
    }

    QString pick(const QStringList &options)
    {
        return options[m_random.bounded(int(options.size()))];
    }

    QString anyOf(const QList<ElementKind> &kinds)
    {
        std::vector<const Element *> candidates;
        for (ElementKind k : kinds) {
            const auto some = m_design.elements(k);
            candidates.insert(candidates.end(), some.begin(), some.end());
        }
        if (candidates.empty())
            return {};
        return candidates[m_random.bounded(int(candidates.size()))]->id;
    }

    QJsonValue value(const PropertySpec &p)
    {
        switch (p.type) {
        case PropertyType::String:
        case PropertyType::Name:
            return pick({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("LAN")});
        case PropertyType::Identifier:
            return pick({QStringLiteral("eth1"), QStringLiteral("eth9")});
        case PropertyType::Bool:
            return m_random.bounded(2) == 1;
        case PropertyType::Int: {
            const QList<double> interesting{p.min, p.max, 0,   1,    2,    5,    10,   20,
                                            30,    64,    100, 1500, 4095, 9000, 5001, 16777216};
            double v = interesting[m_random.bounded(int(interesting.size()))];
            return std::clamp(v, p.min, p.max);
        }
        case PropertyType::Bandwidth:
            return pick({QStringLiteral("1e9"), QStringLiteral("1e10"), QStringLiteral("2.5e8")})
                .toDouble();
        case PropertyType::Enum:
            return pick(p.enumValues);
        case PropertyType::IntList:
            return QJsonArray{10, 20};
        case PropertyType::Point:
            return QJsonArray{m_random.bounded(2000), m_random.bounded(2000)};
        case PropertyType::IpAddress:
            return pick({QStringLiteral("10.0.0.1"), QStringLiteral("10.0.0.2"),
                         QStringLiteral("10.1.0.1")});
        case PropertyType::IpPrefix:
            return pick({QStringLiteral("10.0.0.1/24"), QStringLiteral("10.0.0.0/16"),
                         QStringLiteral("10.1.0.5/24")});
        case PropertyType::IpAddressList:
            return QJsonArray{pick({QStringLiteral("10.0.0.1"), QStringLiteral("10.0.0.3")})};
        case PropertyType::IpPrefixList:
            return QJsonArray{pick({QStringLiteral("10.0.0.1/24"), QStringLiteral("10.0.0.2/24"),
                                    QStringLiteral("10.10.10.10/24")})};
        case PropertyType::MacAddress:
            return pick({QStringLiteral("00-15-5D-00-00-01"), QStringLiteral("00-15-5D-00-00-02")});
        case PropertyType::Ref: {
            const QString id = anyOf(p.refKinds);
            return id.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(id);
        }
        case PropertyType::RefList: {
            QJsonArray ids;
            for (int i = m_random.bounded(3); i >= 0; --i) {
                const QString id = anyOf(p.refKinds);
                if (!id.isEmpty() && !ids.contains(id))
                    ids.append(id);
            }
            return ids;
        }
        case PropertyType::Records:
            return QJsonArray{};
        }
        return {};
    }

    Design &m_design;
    QRandomGenerator m_random;
    int m_copies = 0;
};

} // namespace

TEST(ValidationEngine, IncrementalEqualsFullAfterEachOfAThousandRandomEdits)
{
    Design design = converge::bench::generateDesign(4, 3);
    ValidationEngine engine(ruleCatalog());
    engine.attach(design);
    RandomEditor editor(design, 20261121);
    int applied = 0;
    std::size_t largestFull = 0;
    for (int step = 0; applied < 1000 && step < 5000; ++step) {
        auto edit = editor.next();
        if (!edit || edit->isEmpty() || !design.apply(*edit))
            continue;
        ++applied;
        const auto full = allFindings(design);
        largestFull = std::max(largestFull, full.size());
        const auto incremental = engine.findings();
        ASSERT_EQ(incremental, full)
            << "after edit " << applied << ": " << edit->description.toStdString();
        EXPECT_LT(engine.anchorsEvaluated(), design.size()) << "an edit re-ran every anchor";
    }
    EXPECT_EQ(applied, 1000);
    EXPECT_GT(largestFull, 5u) << "the random edits should have made the design break rules";
}

TEST(ValidationEngine, ASuppressionMarksTheFindingWithItsJustification)
{
    const QByteArray doc = hostDocument(
        R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"}],
        "teams": [{"id": "t", "name": "LAN", "members": ["n1"], "queueMode": "RSS"}])",
        R"("suppressions": [{"id": "s1", "name": "lab", "rule": "TEAM-002", "elements": ["t"],
                             "justification": "Lab host with one NIC; no failover needed."}], )");
    const auto findings = findingsOf("TEAM-002", doc);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_TRUE(findings[0].isSuppressed());
    EXPECT_EQ(findings[0].justification,
              QStringLiteral("Lab host with one NIC; no failover needed."));
}

TEST(ValidationEngine, AQuickFixIsOneUndoableEditThatClearsTheFinding)
{
    Design design =
        loadDesign(hostDocument(R"("nics": [{"id": "n1", "name": "eth1", "interfaceName": "eth1"},
        {"id": "n2", "name": "eth2", "interfaceName": "eth2"}],
        "teams": [{"id": "t", "name": "LAN", "members": ["n1", "n2"]}])"));
    ValidationEngine engine(ruleCatalog());
    engine.attach(design);
    auto findings = engine.findings();
    const auto it = std::ranges::find(findings, QStringLiteral("TEAM-007"), &Finding::ruleId);
    ASSERT_NE(it, findings.end());
    ASSERT_TRUE(it->fix);
    EditHistory history(design);
    auto edit = quickFixEdit(design, *it->fix);
    ASSERT_TRUE(edit);
    ASSERT_TRUE(history.push(*edit));
    findings = engine.findings();
    EXPECT_EQ(std::ranges::count(findings, QStringLiteral("TEAM-007"), &Finding::ruleId), 0);
    ASSERT_TRUE(history.undo());
    findings = engine.findings();
    EXPECT_EQ(std::ranges::count(findings, QStringLiteral("TEAM-007"), &Finding::ruleId), 1);
}

TEST(RuleCatalog, EveryRuleHasAnEntryAndIdsAreUnique)
{
    QStringList ids;
    for (const Rule &r : ruleCatalog()) {
        EXPECT_FALSE(ids.contains(r.info.id)) << r.info.id.toStdString();
        ids << r.info.id;
        EXPECT_FALSE(r.info.title.isEmpty()) << r.info.id.toStdString();
        EXPECT_FALSE(r.info.rationale.isEmpty()) << r.info.id.toStdString();
        EXPECT_FALSE(r.info.source.isEmpty()) << r.info.id.toStdString();
        EXPECT_TRUE(r.check) << r.info.id.toStdString();
    }
}
