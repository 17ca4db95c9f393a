#pragma once

#include "core/metering/metricssource.h"

#include <QDockWidget>

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
    int panelCount() const;

private:
    core::metering::MetricsSource *m_source;
    QTabWidget *m_tabs;
};

} // namespace converge::views::metering
