#include "meteringpanel.h"

#include "meteringchart.h"
#include "meteringunits.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace converge::views::metering {

using core::metering::SeriesKey;

namespace {

int familyRank(const QString &family)
{
    static const QStringList order{QStringLiteral("cpu"), QStringLiteral("memory"),
                                   QStringLiteral("traffic"), QStringLiteral("packets"),
                                   QStringLiteral("operations")};
    const qsizetype i = order.indexOf(family);
    return i < 0 ? int(order.size()) : int(i);
}

QString familyOf(const SeriesKey &key)
{
    const core::metering::MetricInfo *info = core::metering::metricInfo(key.metric);
    return unitFamily(info ? info->unit : key.metric);
}

} // namespace

std::vector<ChartGroup> groupByUnit(const std::vector<SeriesKey> &keys)
{
    std::vector<ChartGroup> groups;
    for (const SeriesKey &key : keys) {
        const QString family = familyOf(key);
        auto it = std::ranges::find(groups, family, &ChartGroup::family);
        if (it == groups.end())
            it = groups.insert(groups.end(), ChartGroup{family, familyTitle(family), {}});
        it->keys.push_back(key);
    }
    std::ranges::stable_sort(groups, {}, [](const ChartGroup &g) { return familyRank(g.family); });
    return groups;
}

MeteringPanel::MeteringPanel(core::metering::MetricsSource *source, const QString &host,
                             const QString &entity, const QString &title, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_host(host)
    , m_entity(entity)
    , m_title(title.isEmpty() ? entityTitle(host, entity) : title)
{
    auto *layout = new QVBoxLayout(this);
    auto *heading = new QLabel(QStringLiteral("<b>Metering: %1</b>").arg(m_title.toHtmlEscaped()));
    layout->addWidget(heading);
    layout->addWidget(buildToolBar());
    m_empty = new QLabel;
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_empty);
    m_chartLayout = new QVBoxLayout;
    layout->addLayout(m_chartLayout, 1);
    m_status = new QLabel;
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    reload();
    connect(source, &core::metering::MetricsSource::samplesArrived, this,
            &MeteringPanel::seriesMayHaveChanged);
}

QWidget *MeteringPanel::buildToolBar()
{
    auto *bar = new QWidget;
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    const std::pair<const char *, qint64> presets[] = {{"5 min", qint64(5) * 60'000},
                                                       {"1 h", qint64(3'600'000)},
                                                       {"24 h", qint64(24) * 3'600'000},
                                                       {"7 d", qint64(7) * 24 * 3'600'000}};
    for (const auto &[text, span] : presets) {
        auto *button = new QToolButton;
        button->setText(QString::fromUtf8(text));
        button->setToolTip(QStringLiteral("Show the last %1, following now").arg(button->text()));
        connect(button, &QToolButton::clicked, this, [this, span] { showLast(span); });
        row->addWidget(button);
    }
    m_liveButton = new QToolButton;
    m_liveButton->setText(QStringLiteral("Live"));
    m_liveButton->setCheckable(true);
    m_liveButton->setChecked(true);
    m_liveButton->setToolTip(QStringLiteral("Follow now as samples arrive (L; Home goes back)"));
    connect(m_liveButton, &QToolButton::toggled, this, &MeteringPanel::setLive);
    row->addWidget(m_liveButton);
    row->addStretch(1);
    return bar;
}

void MeteringPanel::setMembers(std::vector<std::pair<QString, QString>> members)
{
    m_members = std::move(members);
    reload();
}

std::vector<SeriesKey> MeteringPanel::seriesShown() const
{
    std::vector<SeriesKey> mine;
    if (!m_members.empty()) {
        for (const auto &[host, entity] : m_members)
            for (const SeriesKey &key : m_source->series(host))
                if (key.entity == entity)
                    mine.push_back(key);
        return mine;
    }
    for (const SeriesKey &key : m_source->series(m_host)) {
        // The host itself is its memory, its total CPU and its interfaces' traffic; cores and
        // each interface's packets and errors have their own panels.
        const bool hostTraffic = m_entity.isEmpty() && key.entity.startsWith(u"if/") &&
                                 key.entity != u"if/lo" &&
                                 (key.metric == u"net_receive_bytes_per_second" ||
                                  key.metric == u"net_transmit_bytes_per_second");
        if (key.host == m_host &&
            (key.entity == m_entity || hostTraffic || (m_entity.isEmpty() && key.entity == u"cpu")))
            mine.push_back(key);
    }
    return mine;
}

// Series appear as agents start sending them (a vNIC's ACL series after its first packets):
// while the panel has none it looks at every arrival, else every 10 s.
void MeteringPanel::seriesMayHaveChanged()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!m_keys.empty() && now - m_lastSeriesCheckMs < 10'000)
        return;
    m_lastSeriesCheckMs = now;
    if (seriesShown() != m_keys)
        reload();
}

void MeteringPanel::reload()
{
    const std::vector<SeriesKey> mine = seriesShown();
    m_keys = mine;
    m_lastSeriesCheckMs = QDateTime::currentMSecsSinceEpoch();
    qDeleteAll(m_charts);
    m_charts.clear();
    for (const ChartGroup &group : groupByUnit(mine)) {
        auto *chart = new MeteringChart(m_source);
        chart->chart()->setTitle(group.title);
        chart->setMinimumHeight(170);
        chart->setSeries(group.keys);
        connect(
            chart, &MeteringChart::rangeChanged, this,
            [this, chart](qint64 from, qint64 to, bool live) { follow(chart, from, to, live); });
        connect(chart, &MeteringChart::hoverTextChanged, m_status, &QLabel::setText);
        m_chartLayout->addWidget(chart, 1);
        m_charts.push_back(chart);
    }
    m_empty->setText(mine.empty() ? QStringLiteral("No samples yet for %1: the agent sends them "
                                                   "every second once metering runs")
                                        .arg(m_title)
                                  : QString());
    m_empty->setVisible(mine.empty());
}

QString MeteringPanel::emptyText() const
{
    return m_empty->text();
}

void MeteringPanel::follow(MeteringChart *from, qint64 fromMs, qint64 toMs, bool live)
{
    if (m_following)
        return;
    m_following = true; // the others' rangeChanged would echo back
    for (MeteringChart *chart : m_charts) {
        if (chart == from)
            continue;
        if (live)
            chart->showLast(toMs - fromMs);
        else
            chart->setTimeRange(fromMs, toMs);
    }
    m_liveButton->setChecked(live);
    m_following = false;
}

void MeteringPanel::showLast(qint64 spanMs)
{
    if (!m_charts.empty())
        m_charts.front()->showLast(spanMs); // the others follow
}

void MeteringPanel::setLive(bool live)
{
    if (m_following || m_charts.empty() || m_charts.front()->isLive() == live)
        return;
    m_charts.front()->setLive(live);
}

} // namespace converge::views::metering
