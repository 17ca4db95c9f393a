#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "views/diagram/designscene.h"

#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSignalSpy>

#include <iostream>

using namespace converge;
using namespace converge::views;
using core::ElementKind;

namespace {

int itemsOfType(const QGraphicsScene &scene, int type)
{
    return int(std::ranges::count_if(scene.items(),
                                     [type](const QGraphicsItem *i) { return i->type() == type; }));
}

class SampleScene : public testing::TestWithParam<std::string>
{
};

TEST_P(SampleScene, DrawsEveryHostSwitchAndCable)
{
    auto design = test::loadSample(GetParam());
    ASSERT_TRUE(design);
    DesignScene scene;
    scene.setDesign(&*design);
    const auto hosts = design->elements(ElementKind::Host);
    EXPECT_EQ(itemsOfType(scene, DesignScene::HostItemType), int(hosts.size()));
    EXPECT_EQ(itemsOfType(scene, DesignScene::PhysicalSwitchItemType),
              int(design->count(ElementKind::PhysicalSwitch)));
    EXPECT_EQ(itemsOfType(scene, DesignScene::LinkItemType), int(design->count(ElementKind::Link)));
    const QStringList labels = scene.labels();
    for (const core::Element *nic : design->elements(ElementKind::PhysicalNic)) {
        EXPECT_TRUE(labels.contains(nic->name())) << nic->name().toStdString();
        const QGraphicsItem *host = scene.itemFor(nic->parent);
        ASSERT_NE(host, nullptr);
        EXPECT_EQ(scene.itemFor(nic->id), host);
    }
    for (const core::Element *vm : design->elements(ElementKind::VirtualMachine))
        EXPECT_TRUE(labels.contains(vm->name())) << vm->name().toStdString();
}

// What makes labels legible: no two boxes overlap, and inside a host no two of the things
// drawn (NICs, teams, switches, vNIC and VM rows) overlap.
TEST_P(SampleScene, NothingOverlaps)
{
    auto design = test::loadSample(GetParam());
    ASSERT_TRUE(design);
    DesignScene scene;
    scene.setDesign(&*design);
    std::vector<const core::Element *> boxes = design->elements(ElementKind::Host);
    const auto switches = design->elements(ElementKind::PhysicalSwitch);
    boxes.insert(boxes.end(), switches.begin(), switches.end());
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        for (std::size_t j = i + 1; j < boxes.size(); ++j)
            EXPECT_FALSE(
                scene.elementRect(boxes[i]->id).intersects(scene.elementRect(boxes[j]->id)))
                << boxes[i]->name().toStdString() << " / " << boxes[j]->name().toStdString();
        std::vector<const core::Element *> parts;
        for (const core::Element *child : design->children(boxes[i]->id)) {
            parts.push_back(child);
            for (const core::Element *vnic : design->children(child->id))
                parts.push_back(vnic);
        }
        for (std::size_t a = 0; a < parts.size(); ++a) {
            const QRectF ra = scene.elementRect(parts[a]->id);
            EXPECT_FALSE(ra.isNull()) << parts[a]->id.toStdString();
            for (std::size_t b = a + 1; b < parts.size(); ++b)
                EXPECT_FALSE(ra.intersects(scene.elementRect(parts[b]->id)))
                    << parts[a]->id.toStdString() << " / " << parts[b]->id.toStdString();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleScene, testing::ValuesIn(test::sampleKeys),
                         test::sampleTestName);

TEST(DesignScene, FindsTheElementUnderThePointer)
{
    auto design = test::loadSample("smb-converged");
    ASSERT_TRUE(design);
    DesignScene scene;
    scene.setDesign(&*design);
    for (const char *id : {"h1.eth3", "h1.team", "h1.vsSAN1", "h2.mgmt", "h1.g1", "lan1.p2"}) {
        const QString element = QString::fromLatin1(id);
        EXPECT_EQ(scene.elementAt(scene.elementRect(element).center()), element);
    }
    scene.setHighlighted(QStringLiteral("h1.eth3"));
    EXPECT_EQ(scene.highlighted(), QStringLiteral("h1.eth3"));
    EXPECT_TRUE(scene.elementRect(QStringLiteral("subnet-that-is-not-drawn")).isNull());
}

TEST(DesignScene, FollowsEdits)
{
    auto design = test::loadSample("smb-converged");
    ASSERT_TRUE(design);
    DesignScene scene;
    scene.setDesign(&*design);
    QSignalSpy rebuilt(&scene, &DesignScene::rebuilt);
    auto edit = core::commands::setProperty(*design, QStringLiteral("h2.eth4"),
                                            QStringLiteral("name"), QStringLiteral("san-b"));
    ASSERT_TRUE(edit && design->apply(*edit));
    ASSERT_TRUE(rebuilt.wait(2000));
    EXPECT_TRUE(scene.labels().contains(QStringLiteral("san-b (eth4)")));

    auto remove = core::commands::removeElements(*design, {QStringLiteral("h2")});
    ASSERT_TRUE(remove && design->apply(*remove));
    ASSERT_TRUE(rebuilt.wait(2000));
    EXPECT_EQ(itemsOfType(scene, DesignScene::HostItemType), 1);
    EXPECT_EQ(scene.itemFor(QStringLiteral("h2")), nullptr);
}

// Edits of every sort the diagram shows, at random: renames, VLANs, rows added and removed,
// boxes moved, cables removed. After each, the scene updated in place must draw exactly what
// a scene built from scratch draws.
TEST(DesignScene, UpdatesInPlaceExactlyAsARebuildWould)
{
    for (const std::string key : {"smb-converged", "broken-lab", "multitenant-overlay"}) {
        auto design = test::loadSample(key);
        ASSERT_TRUE(design);
        DesignScene scene;
        scene.setDesign(&*design);
        QSignalSpy rebuilt(&scene, &DesignScene::rebuilt);
        QRandomGenerator random(7);
        int applied = 0;
        for (int i = 0; i < 60; ++i) {
            const auto pick = [&](ElementKind kind) -> const core::Element * {
                const auto all = design->elements(kind);
                return all.empty() ? nullptr : all[random.bounded(int(all.size()))];
            };
            core::Result<core::Edit> edit = core::invalid(QStringLiteral("none"));
            switch (i % 6) {
            case 0:
                if (const auto *nic = pick(ElementKind::PhysicalNic))
                    edit = core::commands::setProperty(*design, nic->id, QStringLiteral("name"),
                                                       QStringLiteral("n%1").arg(i));
                break;
            case 1:
                if (const auto *vnic = pick(ElementKind::VirtualNic))
                    edit = core::commands::setProperty(*design, vnic->id,
                                                       QStringLiteral("accessVlan"), 10 + i);
                break;
            case 2:
                if (const auto *vm = pick(ElementKind::VirtualMachine))
                    edit = core::commands::addElement(
                        *design, ElementKind::VirtualNic, vm->id,
                        {{QStringLiteral("name"), QStringLiteral("extra%1").arg(i)}});
                break;
            case 3:
                if (const auto *vnic = pick(ElementKind::VirtualNic))
                    edit = core::commands::removeElements(*design, {vnic->id});
                break;
            case 4:
                if (const auto *host = pick(ElementKind::Host))
                    edit =
                        core::commands::setProperty(*design, host->id, QStringLiteral("position"),
                                                    QJsonArray{10 * i, -400 - 10 * i});
                break;
            default:
                if (const auto *link = pick(ElementKind::Link))
                    edit = core::commands::removeElements(*design, {link->id});
                break;
            }
            if (!edit || edit->isEmpty() || !design->apply(*edit))
                continue;
            ++applied;
            ASSERT_TRUE(rebuilt.wait(2000)) << key << " edit " << i;
            DesignScene fresh;
            fresh.setDesign(&*design);
            ASSERT_EQ(test::sceneDrawing(scene), test::sceneDrawing(fresh))
                << key << " after edit " << i << ": " << edit->description.toStdString();
        }
        EXPECT_GT(applied, 30) << key;
    }
}

} // namespace
