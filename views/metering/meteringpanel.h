#pragma once

#include "core/metering/metricssource.h"

#include <QWidget>

#include <vector>

class QLabel;
class QToolButton;
class QVBoxLayout;

// The metering of one design element (a host, VM, vNIC, interface or resource pool): its
// series from the MetricsSource, one chart per unit family (CPU, memory and space, traffic in
// bit/s, packets and errors, disk operations), their time ranges kept together, with range
// presets, a live toggle and a status line with the value under the pointer.
namespace converge::views::metering {

class MeteringChart;

struct ChartGroup
{
    QString family; // meteringunits.h unitFamily()
    QString title;
    std::vector<core::metering::SeriesKey> keys;
};

// One group per unit family, CPU first, then memory, traffic, packets and errors, operations,
// then any other unit; keys keep their order inside a group.
std::vector<ChartGroup> groupByUnit(const std::vector<core::metering::SeriesKey> &keys);

class MeteringPanel : public QWidget
{
    Q_OBJECT

public:
    // entity as in SeriesKey ("if/eth0", "vm/ID"; empty: the host itself, with its total CPU).
    // title: what the panel is called (the element's name); empty: "web1 / eth0".
    MeteringPanel(core::metering::MetricsSource *source, const QString &host, const QString &entity,
                  const QString &title = {}, QWidget *parent = nullptr);

    QString host() const { return m_host; }
    QString entity() const { return m_entity; }
    QString title() const { return m_title; }
    const std::vector<MeteringChart *> &charts() const { return m_charts; }
    QString emptyText() const; // shown when the source has no series for the entity
    // A group (a resource pool): the series of each (host, entity) member, side by side, instead
    // of the panel's own entity.
    void setMembers(std::vector<std::pair<QString, QString>> members);

public Q_SLOTS:
    void reload(); // reads the entity's series again (an interface appeared)
    void showLast(qint64 spanMs);
    void setLive(bool live);

private:
    std::vector<core::metering::SeriesKey> seriesShown() const;
    void seriesMayHaveChanged();
    QWidget *buildToolBar();
    void follow(MeteringChart *from, qint64 fromMs, qint64 toMs, bool live);

    core::metering::MetricsSource *m_source;
    QString m_host;
    QString m_entity;
    QString m_title;
    QVBoxLayout *m_chartLayout = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_status = nullptr;
    QToolButton *m_liveButton = nullptr;
    std::vector<MeteringChart *> m_charts;
    std::vector<core::metering::SeriesKey> m_keys; // what the charts show
    qint64 m_lastSeriesCheckMs = 0;
    std::vector<std::pair<QString, QString>> m_members; // (host, entity); empty: not a group
    bool m_following = false;
};

} // namespace converge::views::metering
