// The validation panel inside the main window: findings by severity, live as the design
// changes, selection that finds the element, quick fixes.
#include "viewstestsupport.h"

#include "core/model/commands.h"
#include "views/diagram/designscene.h"
#include "views/mainwindow.h"
#include "views/session/designsession.h"
#include "views/tree/designtreemodel.h"
#include "views/validation/validationpanel.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QGraphicsSceneMouseEvent>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTreeView>

using namespace converge;
using views::FindingsModel;
using views::MainWindow;

namespace {

QModelIndex firstFinding(const FindingsModel &model, const QString &ruleId)
{
    for (int g = 0; g < model.rowCount(); ++g) {
        const QModelIndex group = model.index(g, 0);
        for (int r = 0; r < model.rowCount(group); ++r) {
            const QModelIndex i = model.index(r, 0, group);
            if (model.data(i).toString() == ruleId)
                return i;
        }
    }
    return {};
}

} // namespace

TEST(ValidationPanelTest, ShowsTheBrokenSampleFindingsBySeverity)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    FindingsModel *model = window.validationPanel()->model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    EXPECT_GT(model->count(core::Severity::Error), 15);
    EXPECT_TRUE(model->data(model->index(0, 0)).toString().startsWith(QStringLiteral("Errors (")));
    EXPECT_TRUE(firstFinding(*model, QStringLiteral("TEAM-007")).isValid());
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("validationDock"));
    ASSERT_NE(dock, nullptr);
    EXPECT_TRUE(dock->windowTitle().startsWith(
        QStringLiteral("Validation: %1 errors").arg(model->count(core::Severity::Error))));
}

TEST(ValidationPanelTest, TheSmbSamplesHaveNoErrors)
{
    for (const std::string &key : views::test::sampleKeys) {
        MainWindow window;
        ASSERT_TRUE(window.openSample(views::test::samplePath(key)));
        EXPECT_EQ(window.validationPanel()->model()->count(core::Severity::Error), 0) << key;
    }
}

TEST(ValidationPanelTest, SelectingAFindingSelectsItsElementInTheTree)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    auto *panel = window.validationPanel();
    QSignalSpy selected(panel, &views::ValidationPanel::elementsSelected);
    const QModelIndex finding = firstFinding(*panel->model(), QStringLiteral("TEAM-007"));
    ASSERT_TRUE(finding.isValid());
    panel->view()->setCurrentIndex(finding);
    ASSERT_EQ(selected.count(), 1);
    EXPECT_EQ(selected.at(0).at(0).toStringList().value(0), QStringLiteral("lab.team"));
    EXPECT_EQ(window.treeModel()->idForIndex(window.treeView()->currentIndex()),
              QStringLiteral("lab.team"));
    EXPECT_TRUE(window.scene()->selectedElements().contains(QStringLiteral("lab.team")))
        << "and on the drawing";
}

TEST(ValidationPanelTest, SelectingAnElementOnTheDrawingShowsItsFinding)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    auto *panel = window.validationPanel();
    QSignalSpy announced(panel, &views::ValidationPanel::elementsSelected);
    QGraphicsSceneMouseEvent press(QEvent::GraphicsSceneMousePress);
    press.setScenePos(window.scene()->elementRect(QStringLiteral("lab.team")).center());
    press.setButton(Qt::LeftButton);
    press.setButtons(Qt::LeftButton);
    QCoreApplication::sendEvent(window.scene(), &press);
    const core::Finding *shown = panel->model()->findingAt(panel->view()->currentIndex());
    ASSERT_NE(shown, nullptr);
    EXPECT_TRUE(shown->elements.contains(QStringLiteral("lab.team")));
    EXPECT_EQ(window.session()->selection(), QStringList{QStringLiteral("lab.team")})
        << "showing the finding does not select its other elements";
    EXPECT_EQ(announced.count(), 0);
}

TEST(ValidationPanelTest, QuickFixAndEditsUpdateTheFindingsLive)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    auto *panel = window.validationPanel();
    const int errors = panel->model()->count(core::Severity::Error);
    panel->view()->setCurrentIndex(firstFinding(*panel->model(), QStringLiteral("TEAM-007")));
    ASSERT_TRUE(panel->applyQuickFix());
    QCoreApplication::processEvents();
    EXPECT_FALSE(firstFinding(*panel->model(), QStringLiteral("TEAM-007")).isValid());
    EXPECT_EQ(panel->model()->count(core::Severity::Error), errors - 1);
    EXPECT_EQ(window.design()
                  ->find(QStringLiteral("lab.team"))
                  ->value(QStringLiteral("queueMode"))
                  .toString(),
              QStringLiteral("dVMQ"));
    // An edit made elsewhere (here through a command) shows up too.
    auto edit = core::commands::setProperty(*window.design(), QStringLiteral("lab"),
                                            QStringLiteral("hardwareVirtualization"), true);
    ASSERT_TRUE(edit && window.design()->apply(*edit));
    QCoreApplication::processEvents();
    EXPECT_FALSE(firstFinding(*panel->model(), QStringLiteral("HOST-001")).isValid());
}

TEST(ValidationPanelTest, AcceptingAFindingKeepsItListedWithItsJustification)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    auto *panel = window.validationPanel();
    const int errors = panel->model()->count(core::Severity::Error);
    panel->view()->setCurrentIndex(firstFinding(*panel->model(), QStringLiteral("HOST-002")));
    EXPECT_FALSE(panel->acceptSelected(QStringLiteral("   "))) << "a justification is required";
    ASSERT_TRUE(panel->acceptSelected(QStringLiteral("Lab host: licensed per VM elsewhere.")));
    QCoreApplication::processEvents();
    const QModelIndex accepted = firstFinding(*panel->model(), QStringLiteral("HOST-002"));
    ASSERT_TRUE(accepted.isValid()) << "accepted findings stay listed";
    const core::Finding *f = panel->model()->findingAt(accepted);
    EXPECT_EQ(f->justification, QStringLiteral("Lab host: licensed per VM elsewhere."));
    EXPECT_TRUE(panel->model()
                    ->data(panel->model()->index(accepted.row(), FindingsModel::MessageColumn,
                                                 accepted.parent()))
                    .toString()
                    .startsWith(QStringLiteral("[accepted]")));
    EXPECT_EQ(panel->model()->count(core::Severity::Error), errors)
        << "still counted, shown as accepted";
    EXPECT_EQ(window.design()->count(core::ElementKind::Suppression), 1u);
}

namespace {

TEST(ValidationPanelTest, TheFindingBeingReadStaysCurrentAcrossAnUnrelatedEdit)
{
    MainWindow window;
    ASSERT_TRUE(window.openSample(QStringLiteral(":/samples/broken-lab.converge.json")));
    auto *panel = window.validationPanel();
    const QModelIndex finding = firstFinding(*panel->model(), QStringLiteral("TEAM-007"));
    ASSERT_TRUE(finding.isValid());
    panel->view()->setCurrentIndex(finding);
    QSignalSpy announced(panel, &views::ValidationPanel::elementsSelected);
    // Moving the host changes nothing the finding is about.
    ASSERT_TRUE(window.session()->apply(core::commands::setProperty(
        *window.design(), QStringLiteral("lab"), QStringLiteral("position"), QJsonArray{40, 300})));
    QCoreApplication::processEvents();
    const core::Finding *shown = panel->model()->findingAt(panel->view()->currentIndex());
    ASSERT_NE(shown, nullptr);
    EXPECT_EQ(shown->ruleId, QStringLiteral("TEAM-007"));
    EXPECT_EQ(announced.count(), 0) << "kept, not chosen again";
}

} // namespace
