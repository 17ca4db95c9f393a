#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "generator/designgenerator.h"
#include "views/diagram/designscene.h"
#include "views/diagram/designview.h"
#include "views/diagram/overviewmap.h"

#include <QElapsedTimer>
#include <QGraphicsView>
#include <QImage>
#include <QMouseEvent>
#include <QScrollBar>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace converge;
using namespace converge::views;
using core::ElementKind;

namespace {

bool processUntil(const std::function<bool()> &done, int timeoutMs = 5000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

void expectNear(QPointF actual, QPointF expected, qreal tolerance)
{
    EXPECT_NEAR(actual.x(), expected.x(), tolerance);
    EXPECT_NEAR(actual.y(), expected.y(), tolerance);
}

QPointF viewCentre(const DesignView &view)
{
    return view.mapToScene(view.viewport()->rect()).boundingRect().center();
}

void sendMouse(QWidget *to, QEvent::Type type, QPoint at, Qt::MouseButton button,
               Qt::MouseButtons buttons)
{
    QMouseEvent event(type, QPointF(at), QPointF(to->mapToGlobal(at)), button, buttons,
                      Qt::NoModifier);
    QCoreApplication::sendEvent(to, &event);
}

// Counts and times the paint events of a widget: the filter delivers the event itself.
class PaintProbe : public QObject
{
public:
    explicit PaintProbe(QWidget *widget) { widget->installEventFilter(this); }

    std::vector<double> ms;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Paint || m_inside)
            return false;
        m_inside = true;
        QElapsedTimer timer;
        timer.start();
        QCoreApplication::sendEvent(watched, event);
        ms.push_back(double(timer.nsecsElapsed()) / 1e6);
        m_inside = false;
        return true;
    }

private:
    bool m_inside = false;
};

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::ranges::sort(v);
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// A diagram in a view and its map, both shown.
class OverviewMapTest : public testing::Test
{
protected:
    void show(const std::string &sample, QSize viewSize = {400, 300})
    {
        auto loaded = test::loadSample(sample);
        ASSERT_TRUE(loaded);
        show(std::move(*loaded), viewSize);
    }

    void show(core::Design loaded, QSize viewSize = {400, 300})
    {
        design = std::move(loaded);
        scene.setDesign(&design);
        view.setScene(&scene);
        view.resize(viewSize);
        view.show();
        map = std::make_unique<OverviewMap>(&view);
        map->resize(240, 180);
        map->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
        ASSERT_TRUE(QTest::qWaitForWindowExposed(map.get()));
        QCoreApplication::processEvents();
    }

    // Zoomed in on the middle of the diagram, so that the view can scroll every way.
    void zoomInOnMiddle()
    {
        view.setZoom(1.0);
        view.centerOn(scene.sceneRect().center());
        QCoreApplication::processEvents();
    }

    core::Design design; // outlives the scene, which listens to it
    DesignScene scene;
    DesignView view;
    std::unique_ptr<OverviewMap> map;
};

TEST_F(OverviewMapTest, ShowsTheWholeScene)
{
    show("smb-converged");
    const QRectF rect = scene.sceneRect();
    ASSERT_FALSE(rect.isEmpty());
    EXPECT_EQ(map->sceneRect(), rect);
    EXPECT_EQ(map->scene(), nullptr); // it renders the view's scene, it does not show it
    const QRect inside = map->viewport()->rect();
    for (QPointF corner : {rect.topLeft(), rect.topRight(), rect.bottomLeft(), rect.bottomRight()})
        EXPECT_TRUE(inside.contains(map->mapFromScene(corner))) << corner.x() << "," << corner.y();
    // Scaled to fit, aspect kept: one side fills the map (but for the margin).
    const QRectF shown = map->viewportTransform().mapRect(rect);
    EXPECT_NEAR(shown.width() / shown.height(), rect.width() / rect.height(), 0.01);
    EXPECT_TRUE(shown.width() >= inside.width() - 10 || shown.height() >= inside.height() - 10);
    EXPECT_NEAR(shown.center().x(), inside.width() / 2.0, 1.5);
    EXPECT_NEAR(shown.center().y(), inside.height() / 2.0, 1.5);
    EXPECT_FALSE(map->isInteractive());
    EXPECT_EQ(map->dragMode(), QGraphicsView::NoDrag);
    EXPECT_FALSE(map->horizontalScrollBar()->isVisible());
    EXPECT_FALSE(map->verticalScrollBar()->isVisible());

    // Still fits once resized.
    map->resize(120, 300);
    QCoreApplication::processEvents();
    for (QPointF corner : {rect.topLeft(), rect.bottomRight()})
        EXPECT_TRUE(map->viewport()->rect().contains(map->mapFromScene(corner)));
}

TEST_F(OverviewMapTest, RectangleFollowsScrollAndZoom)
{
    show("smb-converged");
    zoomInOnMiddle();
    const auto visible = [this] {
        return view.mapToScene(view.viewport()->rect()).boundingRect();
    };
    EXPECT_EQ(map->visibleSceneRect(), visible());

    view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + 120);
    view.verticalScrollBar()->setValue(view.verticalScrollBar()->value() - 40);
    QCoreApplication::processEvents();
    EXPECT_EQ(map->visibleSceneRect(), visible());
    view.zoomOut();
    QCoreApplication::processEvents();
    EXPECT_EQ(map->visibleSceneRect(), visible());
    EXPECT_NEAR(map->visibleSceneRect().width(), view.viewport()->width() / view.zoom(), 1);

    // Drawn there: the middle of the rectangle is tinted blue, outside it is not.
    const QImage image = map->viewport()->grab().toImage();
    const QPoint middle = map->mapFromScene(visible().center());
    const QColor tinted = image.pixelColor(middle);
    const QColor plain = map->picture().toImage().pixelColor(middle);
    EXPECT_GT(tinted.blue() - tinted.red(), plain.blue() - plain.red() + 5);
    const QRect marker = map->mapFromScene(visible()).boundingRect();
    const QPoint outside(marker.right() + 8, marker.center().y());
    ASSERT_TRUE(map->viewport()->rect().contains(outside));
    EXPECT_EQ(image.pixelColor(outside), map->picture().toImage().pixelColor(outside));
}

TEST_F(OverviewMapTest, ScrollingRepaintsOnlyTheRectangle)
{
    show("smb-converged");
    zoomInOnMiddle();
    map->viewport()->repaint();
    const int pictures = map->pictureCount();
    PaintProbe probe(map->viewport());
    for (int i = 0; i < 5; ++i) {
        view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + 30);
        QCoreApplication::processEvents();
    }
    EXPECT_FALSE(probe.ms.empty());           // the map followed
    EXPECT_EQ(map->pictureCount(), pictures); // from its cached picture
}

TEST_F(OverviewMapTest, ClickAndDragCentreTheView)
{
    show("smb-converged");
    view.setZoom(1.0); // leaves the automatic overview on
    QCoreApplication::processEvents();

    const QRectF rect = scene.sceneRect();
    const QPoint click = map->mapFromScene(rect.center() + QPointF(rect.width() / 8, 0));
    QTest::mouseClick(map->viewport(), Qt::LeftButton, {}, click);
    expectNear(viewCentre(view), map->mapToScene(click), 2);

    // Dragging follows the mouse.
    const QPoint from = map->mapFromScene(rect.center());
    const QPoint to = from + QPoint(-12, 6);
    sendMouse(map->viewport(), QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    expectNear(viewCentre(view), map->mapToScene(from), 2);
    sendMouse(map->viewport(), QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
    expectNear(viewCentre(view), map->mapToScene(to), 2);
    sendMouse(map->viewport(), QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    // Moving without the button does nothing.
    sendMouse(map->viewport(), QEvent::MouseMove, from, Qt::NoButton, Qt::NoButton);
    expectNear(viewCentre(view), map->mapToScene(to), 2);

    // The user navigated: resizing the view no longer goes back to the automatic overview.
    view.resize(460, 320);
    QCoreApplication::processEvents();
    EXPECT_DOUBLE_EQ(view.zoom(), 1.0);
    expectNear(viewCentre(view), map->mapToScene(to), 2);
}

TEST_F(OverviewMapTest, FollowsDesignChanges)
{
    show("smb-converged");
    map->viewport()->repaint();
    const int pictures = map->pictureCount();
    const QImage before = map->picture().toImage();

    auto add = core::commands::addElement(design, ElementKind::Host, {},
                                          {{QStringLiteral("name"), QStringLiteral("hv-new")},
                                           {QStringLiteral("platform"), "hyperv"}},
                                          QStringLiteral("hnew"));
    ASSERT_TRUE(add && design.apply(*add));
    ASSERT_TRUE(processUntil([&] { return scene.itemFor(QStringLiteral("hnew")) != nullptr; }));
    ASSERT_TRUE(processUntil([&] { return map->pictureCount() > pictures; }));
    const QImage after = map->picture().toImage();
    EXPECT_NE(after, before);
    // The new host is on the picture: its box is white where the background was grey.
    const QPoint host = map->mapFromScene(scene.elementRect(QStringLiteral("hnew")).center());
    EXPECT_EQ(after.pixelColor(host), QColor(Qt::white));

    // A selection is drawn too (a scene change without a new layout).
    const int beforeSelection = map->pictureCount();
    scene.setSelectedElements({QStringLiteral("hnew")});
    EXPECT_TRUE(processUntil([&] { return map->pictureCount() > beforeSelection; }));

    // Hidden, it does not draw; shown again, it catches up.
    map->hide();
    const int hidden = map->pictureCount();
    scene.setSelectedElements({});
    QTest::qWait(OverviewMap::refreshInterval + 50);
    EXPECT_EQ(map->pictureCount(), hidden);
    map->show();
    EXPECT_TRUE(processUntil([&] { return map->pictureCount() > hidden; }));
}

// The 1,000-host design: the map scrolls from its cached picture, and the picture is cheap to
// make again because the boxes paint as plain boxes at its scale. Prints the figures.
TEST_F(OverviewMapTest, ThousandHostsStayCheap)
{
    show(bench::generateDesign(1000), {1280, 800});
    // The view itself is not measured here (at 100 % it takes far longer to paint than the map):
    // it scrolls and tells the map, but does not paint.
    view.viewport()->setUpdatesEnabled(false);
    zoomInOnMiddle();
    map->viewport()->repaint();
    ASSERT_GE(map->pictureCount(), 1);

    // Making the picture again (a resize of one pixel forces it).
    std::vector<double> pictureMs;
    for (int i = 0; i < 7; ++i) {
        map->resize(240 + (i % 2), 180);
        QCoreApplication::processEvents();
        map->viewport()->repaint();
        pictureMs.push_back(map->lastPictureMs());
    }

    // Scrolling the view: what one map repaint costs.
    const int pictures = map->pictureCount();
    PaintProbe probe(map->viewport());
    std::vector<double> partialMs, fullMs;
    for (int i = 0; i < 40; ++i) {
        QScrollBar *bar = i % 2 ? view.verticalScrollBar() : view.horizontalScrollBar();
        bar->setValue(bar->value() + (i % 4 < 2 ? 90 : -60));
        const std::size_t seen = probe.ms.size();
        QCoreApplication::processEvents(); // the map repaints where the rectangle was and is
        partialMs.insert(partialMs.end(), probe.ms.begin() + std::ptrdiff_t(seen), probe.ms.end());
        QElapsedTimer timer;
        timer.start();
        map->viewport()->repaint(); // the whole map, for the worst case
        fullMs.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    EXPECT_EQ(map->pictureCount(), pictures);
    EXPECT_FALSE(partialMs.empty());

    // What a plain view of the same scene at the map's scale costs per repaint, for scale.
    QGraphicsView plain(&scene);
    plain.setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    plain.setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    plain.setRenderHint(QPainter::Antialiasing);
    plain.resize(map->size());
    plain.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plain));
    plain.fitInView(scene.sceneRect(), Qt::KeepAspectRatio);
    std::vector<double> plainMs;
    for (int i = 0; i < 7; ++i) {
        QElapsedTimer timer;
        timer.start();
        plain.viewport()->repaint();
        plainMs.push_back(double(timer.nsecsElapsed()) / 1e6);
    }

    std::printf("[ figures  ] 1000 hosts, %lld items, map %dx%d: picture %.2f ms (median of %zu); "
                "map paint while scrolling %.3f ms (median of %zu, partial), whole-map repaint "
                "%.3f ms (median), max %.3f ms; uncached QGraphicsView repaint %.2f ms\n",
                static_cast<long long>(scene.items().size()), map->viewport()->width(),
                map->viewport()->height(), median(pictureMs), pictureMs.size(), median(partialMs),
                partialMs.size(), median(fullMs), *std::ranges::max_element(fullMs),
                median(plainMs));
    EXPECT_LT(median(fullMs), median(pictureMs)); // the picture is not made while scrolling
}

} // namespace
