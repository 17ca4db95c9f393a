#pragma once

#include "core/metering/alerts.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QWidget>

#include <map>
#include <utility>
#include <vector>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

// The alerts view (issue 15, item 5): open and lately cleared alerts, one row per rule and
// series, fed by the events the console's evaluator emits (addEvents, a slot: connect a signal
// carrying std::vector<AlertEvent>, queued from the feed's thread), never by polling. The model
// also counts open alerts per host and interface for the dashboards.
namespace converge::views::metering {

class AlertsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        StateColumn,
        SinceColumn,
        HostColumn,
        EntityColumn,
        RuleColumn,
        ReasonColumn,
        ColumnCount
    };
    // What sorting uses: since as milliseconds, state with open first; text otherwise.
    static constexpr int sortRole = Qt::UserRole + 1;
    // Cleared rows kept: past this, the oldest cleared go, so a flapping alert cannot grow the
    // list without end. Open rows always stay (the evaluator caps those).
    static constexpr int maxClearedRows = 1000;

    explicit AlertsModel(QObject *parent = nullptr);

    // Rule names for the Rule column (a rule not known shows its id).
    void setRules(const std::vector<core::metering::AlertRule> &rules);
    // After a restart: the open alerts the store read back (AlertStore::openAlerts), replacing
    // the rows.
    void setOpenAlerts(const std::vector<core::metering::OpenAlert> &open);

    int openCount() const { return m_openCount; }
    QHash<QString, int> openPerHost() const;
    // Open alerts on interfaces ("if/..." and "vnic/..." entities), by (host, entity).
    std::map<std::pair<QString, QString>, int> openPerInterface() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

public Q_SLOTS:
    // Raised: a new row, or the rule and series' cleared row open again; cleared: its row
    // turns cleared. Events of one batch in order.
    void addEvents(const std::vector<core::metering::AlertEvent> &events);

Q_SIGNALS:
    void openCountChanged(int open);

private:
    struct Row
    {
        QString ruleId;
        core::metering::SeriesKey key;
        bool open = true;
        qint64 sinceMs = 0; // raised (open) or cleared
        double value = 0;
        QString reason;
    };
    void apply(const core::metering::AlertEvent &event);
    void dropOldCleared();
    void reindex();
    QVariant display(const Row &row, int column) const;
    QVariant sortKey(const Row &row, int column) const;
    static QString indexKey(const QString &ruleId, const core::metering::SeriesKey &key);

    std::vector<Row> m_rows;
    QHash<QString, int> m_index; // (rule, series) -> row
    QHash<QString, QString> m_ruleNames;
    int m_openCount = 0;
};

// The model in a sortable table with a filter field (any column, case-insensitive) and a count
// line ("2 open, 5 cleared").
class AlertsView : public QWidget
{
    Q_OBJECT

public:
    explicit AlertsView(AlertsModel *model, QWidget *parent = nullptr);

    AlertsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *filterField() const { return m_filter; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QString summary() const;

private:
    void updateSummary();

    AlertsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QLabel *m_summary;
};

} // namespace converge::views::metering
