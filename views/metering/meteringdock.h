#pragma once

#include "core/metering/metricssource.h"

#include <QDockWidget>
#include <QHash>

class QTabWidget;

// Where "Show Metering" on a diagram element lands: one tab per element's MeteringPanel,
// opened once and raised when asked again.
namespace converge::views::metering {

class MeteringPanel;

class MeteringDock : public QDockWidget
{
    Q_OBJECT

public:
    // The source must outlive the dock.
    explicit MeteringDock(core::metering::MetricsSource *source, QWidget *parent = nullptr);

    // The panel of (host, entity), made current and shown; title as MeteringPanel's.
    MeteringPanel *openMeteringFor(const QString &host, const QString &entity,
                                   const QString &title = {});
    // The same from another source (the project's store beside this machine's); SOURCE must
    // outlive the panel or be passed to closePanelsOf() first.
    // MEMBERS: a group's (host, entity) pairs (a resource pool's VMs), charted side by side.
    MeteringPanel *openMeteringFor(core::metering::MetricsSource *source, const QString &host,
                                   const QString &entity, const QString &title = {},
                                   const std::vector<std::pair<QString, QString>> &members = {});
    void closePanelsOf(const core::metering::MetricsSource *source);
    int panelCount() const;

private:
    core::metering::MetricsSource *m_source;
    QTabWidget *m_tabs;
    QHash<const QWidget *, const core::metering::MetricsSource *> m_sources; // by panel
};

} // namespace converge::views::metering
