#include "meteringdock.h"

#include "meteringpanel.h"

#include <QTabWidget>

namespace converge::views::metering {

MeteringDock::MeteringDock(core::metering::MetricsSource *source, QWidget *parent)
    : QDockWidget(QStringLiteral("Metering"), parent)
    , m_source(source)
    , m_tabs(new QTabWidget)
{
    setObjectName(QStringLiteral("meteringDock"));
    m_tabs->setTabsClosable(true);
    m_tabs->setDocumentMode(true);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        QWidget *panel = m_tabs->widget(index);
        m_tabs->removeTab(index);
        m_sources.remove(panel);
        delete panel;
    });
    setWidget(m_tabs);
}

MeteringPanel *MeteringDock::openMeteringFor(const QString &host, const QString &entity,
                                             const QString &title)
{
    return openMeteringFor(m_source, host, entity, title);
}

void MeteringDock::closePanelsOf(const core::metering::MetricsSource *source)
{
    for (int i = m_tabs->count() - 1; i >= 0; --i) {
        QWidget *panel = m_tabs->widget(i);
        if (m_sources.value(panel) == source) {
            m_tabs->removeTab(i);
            m_sources.remove(panel);
            delete panel;
        }
    }
}

MeteringPanel *
MeteringDock::openMeteringFor(core::metering::MetricsSource *source, const QString &host,
                              const QString &entity, const QString &title,
                              const std::vector<std::pair<QString, QString>> &members)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto *panel = qobject_cast<MeteringPanel *>(m_tabs->widget(i));
        if (panel && m_sources.value(panel) == source && panel->host() == host &&
            panel->entity() == entity) {
            m_tabs->setCurrentIndex(i);
            show();
            raise();
            return panel;
        }
    }
    auto *panel = new MeteringPanel(source, host, entity, title);
    if (!members.empty())
        panel->setMembers(members);
    m_sources.insert(panel, source);
    m_tabs->setCurrentIndex(m_tabs->addTab(panel, panel->title()));
    show();
    raise();
    return panel;
}

int MeteringDock::panelCount() const
{
    return m_tabs->count();
}

} // namespace converge::views::metering
