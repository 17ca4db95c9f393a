// The views need a QApplication: one for the whole run, created before the first test.
#include <QApplication>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>

#include <gtest/gtest.h>

#include <memory>

namespace {

class QtEnvironment : public testing::Environment
{
public:
    void SetUp() override
    {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QStandardPaths::setTestModeEnabled(true); // recent files go to a test location
        static int argc = 1;
        static char name[] = "views_test";
        static char *argv[] = {name, nullptr};
        m_app = std::make_unique<QApplication>(argc, argv);
        QApplication::setOrganizationName(QStringLiteral("ConvergeTest"));
        // ctest runs each test in its own process, two at a time: give each process its own
        // settings so recent-file lists don't race.
        QApplication::setApplicationName(
            QStringLiteral("views_test-%1").arg(QCoreApplication::applicationPid()));
        QSettings().clear();
    }

    void TearDown() override
    {
        QSettings settings;
        settings.clear();
        settings.sync();
        QFile::remove(settings.fileName());
        m_app.reset();
    }

private:
    std::unique_ptr<QApplication> m_app;
};

[[maybe_unused]] testing::Environment *const environment =
    testing::AddGlobalTestEnvironment(new QtEnvironment);

} // namespace
