#pragma once

#include "views/mainwindow.h"

#include <QScrollArea>

class QVBoxLayout;

namespace converge::views {

// The page shown while no design is open: Open Design, one button per bundled sample and the
// designs opened last. It only says what was chosen; the window opens it.
class StartPage : public QScrollArea
{
    Q_OBJECT

public:
    explicit StartPage(const QList<MainWindow::Sample> &samples, QWidget *parent = nullptr);

    void setRecentFiles(const QStringList &files); // shows the first five

Q_SIGNALS:
    void openClicked();
    void sampleChosen(const QString &resourcePath);
    void recentChosen(const QString &path);

private:
    QVBoxLayout *m_recent = nullptr;
};

} // namespace converge::views
