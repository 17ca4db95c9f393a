#include "alertsview.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace converge::views::metering {

using core::metering::AlertEvent;
using core::metering::AlertRule;
using core::metering::OpenAlert;

namespace {

bool isInterface(const QString &entity)
{
    return entity.startsWith(QLatin1String("if/")) || entity.startsWith(QLatin1String("vnic/"));
}

} // namespace

AlertsModel::AlertsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString AlertsModel::indexKey(const QString &ruleId, const core::metering::SeriesKey &key)
{
    return ruleId + QLatin1Char('\n') + key.toString();
}

void AlertsModel::setRules(const std::vector<AlertRule> &rules)
{
    m_ruleNames.clear();
    for (const AlertRule &rule : rules)
        m_ruleNames.insert(rule.id, rule.name);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, RuleColumn), index(rowCount() - 1, RuleColumn));
}

void AlertsModel::setOpenAlerts(const std::vector<OpenAlert> &open)
{
    beginResetModel();
    m_rows.clear();
    for (const OpenAlert &a : open)
        m_rows.push_back({a.ruleId, a.key, true, a.raisedMs, a.value, a.reason});
    m_openCount = int(m_rows.size());
    reindex();
    endResetModel();
    Q_EMIT openCountChanged(m_openCount);
}

void AlertsModel::addEvents(const std::vector<AlertEvent> &events)
{
    const int before = m_openCount;
    for (const AlertEvent &event : events)
        apply(event);
    dropOldCleared();
    if (m_openCount != before)
        Q_EMIT openCountChanged(m_openCount);
}

void AlertsModel::apply(const AlertEvent &event)
{
    const bool raised = event.type == AlertEvent::Type::Raised;
    const QString key = indexKey(event.ruleId, event.key);
    const auto found = m_index.constFind(key);
    if (found == m_index.cend()) {
        // A clear for an alert this list never saw open (raised before a restart with no
        // store) still tells the user something ended.
        const int row = rowCount();
        beginInsertRows({}, row, row);
        m_rows.push_back({event.ruleId, event.key, raised, event.tMs, event.value, event.reason});
        m_index.insert(key, row);
        endInsertRows();
        m_openCount += raised ? 1 : 0;
        return;
    }
    Row &row = m_rows[size_t(*found)];
    if (row.open != raised)
        m_openCount += raised ? 1 : -1;
    row.open = raised;
    row.sinceMs = event.tMs;
    row.value = event.value;
    row.reason = event.reason;
    Q_EMIT dataChanged(index(*found, 0), index(*found, ColumnCount - 1));
}

void AlertsModel::dropOldCleared()
{
    int cleared = rowCount() - m_openCount;
    while (cleared > maxClearedRows) {
        int oldest = -1;
        for (int i = 0; i < rowCount(); ++i)
            if (!m_rows[size_t(i)].open &&
                (oldest < 0 || m_rows[size_t(i)].sinceMs < m_rows[size_t(oldest)].sinceMs))
                oldest = i;
        beginRemoveRows({}, oldest, oldest);
        m_rows.erase(m_rows.begin() + oldest);
        endRemoveRows();
        --cleared;
    }
    reindex();
}

void AlertsModel::reindex()
{
    m_index.clear();
    for (int i = 0; i < rowCount(); ++i)
        m_index.insert(indexKey(m_rows[size_t(i)].ruleId, m_rows[size_t(i)].key), i);
}

QHash<QString, int> AlertsModel::openPerHost() const
{
    QHash<QString, int> counts;
    for (const Row &row : m_rows)
        if (row.open)
            ++counts[row.key.host];
    return counts;
}

std::map<std::pair<QString, QString>, int> AlertsModel::openPerInterface() const
{
    std::map<std::pair<QString, QString>, int> counts;
    for (const Row &row : m_rows)
        if (row.open && isInterface(row.key.entity))
            ++counts[{row.key.host, row.key.entity}];
    return counts;
}

int AlertsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AlertsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertsModel::display(const Row &row, int column) const
{
    switch (column) {
    case StateColumn:
        return row.open ? tr("Open") : tr("Cleared");
    case SinceColumn:
        return QDateTime::fromMSecsSinceEpoch(row.sinceMs)
            .toString(QStringLiteral("yyyy-MM-dd "
                                     "HH:mm:ss"));
    case HostColumn:
        return row.key.host;
    case EntityColumn:
        return row.key.entity.isEmpty() ? tr("(host)") : row.key.entity;
    case RuleColumn:
        return m_ruleNames.value(row.ruleId, row.ruleId);
    case ReasonColumn:
        return row.reason;
    default:
        return {};
    }
}

QVariant AlertsModel::sortKey(const Row &row, int column) const
{
    if (column == StateColumn)
        return row.open ? 0 : 1;
    if (column == SinceColumn)
        return row.sinceMs;
    return display(row, column);
}

QVariant AlertsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case sortRole:
        return sortKey(row, index.column());
    case Qt::ToolTipRole:
        return QStringLiteral("%1\n%2").arg(row.key.toString(), row.reason);
    case Qt::BackgroundRole:
        return row.open ? QVariant(QBrush(QColor(0xf8, 0xd7, 0xd3))) : QVariant();
    case Qt::ForegroundRole:
        return row.open ? QVariant(QBrush(QColor(0x8a, 0x15, 0x0c)))
                        : QVariant(QBrush(QColor(0x70, 0x70, 0x70)));
    default:
        return {};
    }
}

QVariant AlertsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"State", "Since", "Host", "Entity", "Rule", "Reason"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

AlertsView::AlertsView(AlertsModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_summary(new QLabel(this))
{
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(AlertsModel::sortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setPlaceholderText(tr("Filter by host, entity, rule or reason"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AlertsModel::SinceColumn, Qt::DescendingOrder); // newest first
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_table);
    layout->addWidget(m_summary);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &AlertsView::updateSummary);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &AlertsView::updateSummary);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &AlertsView::updateSummary);
    // After the proxy's own connection, so the count shown is the filtered one.
    connect(m_filter, &QLineEdit::textChanged, this, &AlertsView::updateSummary);
    connect(model, &AlertsModel::openCountChanged, this, &AlertsView::updateSummary);
    updateSummary();
}

QString AlertsView::summary() const
{
    return m_summary->text();
}

void AlertsView::updateSummary()
{
    const int open = m_model->openCount();
    QString text = tr("%1 open, %2 cleared").arg(open).arg(m_model->rowCount() - open);
    if (!m_filter->text().isEmpty())
        text += tr(" (%1 shown)").arg(m_proxy->rowCount());
    m_summary->setText(text);
}

} // namespace converge::views::metering
