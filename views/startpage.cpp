#include "startpage.h"

#include "core/io/designdocument.h"

#include <QCommandLinkButton>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace converge::views {

namespace {

QLabel *heading(const QString &text, qreal scale)
{
    auto *label = new QLabel(text);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * scale);
    font.setBold(true);
    label->setFont(font);
    return label;
}

void clearLayout(QLayout *layout)
{
    while (QLayoutItem *item = layout->takeAt(0)) {
        if (QWidget *widget = item->widget())
            widget->deleteLater(); // it may be the button whose click got us here
        delete item;
    }
}

} // namespace

StartPage::StartPage(const QList<MainWindow::Sample> &samples, QWidget *parent)
    : QScrollArea(parent)
{
    auto *content = new QWidget;
    content->setMaximumWidth(860);
    auto *layout = new QVBoxLayout(content);
    layout->setSpacing(10);
    layout->addWidget(heading(tr("Converge"), 2.0));
    layout->addWidget(
        new QLabel(tr("Draw, validate and deploy the networks of virtualization hosts.")));
    auto *openRow = new QHBoxLayout;
    auto *openButton = new QPushButton(tr("Open Design\u2026"));
    connect(openButton, &QPushButton::clicked, this, &StartPage::openClicked);
    openRow->addWidget(openButton);
    openRow->addWidget(new QLabel(tr("or drop a *%1 file on this window.")
                                      .arg(QLatin1String(core::designdocument::fileSuffix))));
    openRow->addStretch();
    layout->addLayout(openRow);
    layout->addSpacing(12);
    layout->addWidget(heading(tr("Samples"), 1.25));
    for (const MainWindow::Sample &sample : samples) {
        auto *button = new QCommandLinkButton(sample.name, sample.summary());
        button->setObjectName(QStringLiteral("sample-") + sample.key);
        button->setToolTip(sample.description);
        connect(button, &QCommandLinkButton::clicked, this,
                [this, path = sample.resourcePath] { Q_EMIT sampleChosen(path); });
        layout->addWidget(button);
    }
    layout->addSpacing(12);
    layout->addWidget(heading(tr("Recent designs"), 1.25));
    m_recent = new QVBoxLayout;
    layout->addLayout(m_recent);
    layout->addStretch();

    auto *centred = new QWidget;
    auto *row = new QHBoxLayout(centred);
    row->addStretch();
    row->addWidget(content, 1);
    row->addStretch();
    setWidget(centred);
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
}

void StartPage::setRecentFiles(const QStringList &files)
{
    clearLayout(m_recent);
    for (const QString &path : files.mid(0, 5)) {
        const QFileInfo info(path);
        auto *button =
            new QCommandLinkButton(info.fileName(), QDir::toNativeSeparators(info.absolutePath()));
        connect(button, &QCommandLinkButton::clicked, this,
                [this, path] { Q_EMIT recentChosen(path); });
        m_recent->addWidget(button);
    }
    if (files.isEmpty())
        m_recent->addWidget(new QLabel(tr("Designs you open appear here.")));
}

} // namespace converge::views
