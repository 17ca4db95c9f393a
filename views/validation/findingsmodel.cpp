#include "findingsmodel.h"

#include "core/validation/report.h"

#include <QApplication>
#include <QFont>
#include <QStyle>

namespace converge::views {

using core::Finding;
using core::Severity;

namespace {

const Severity severities[] = {Severity::Error, Severity::Warning, Severity::Info};

QString groupTitle(Severity s)
{
    switch (s) {
    case Severity::Error:
        return FindingsModel::tr("Errors");
    case Severity::Warning:
        return FindingsModel::tr("Warnings");
    case Severity::Info:
        return FindingsModel::tr("Info");
    }
    return {};
}

QIcon severityIcon(Severity s)
{
    const QStyle *style = QApplication::style();
    switch (s) {
    case Severity::Error:
        return style->standardIcon(QStyle::SP_MessageBoxCritical);
    case Severity::Warning:
        return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case Severity::Info:
        return style->standardIcon(QStyle::SP_MessageBoxInformation);
    }
    return {};
}

} // namespace

FindingsModel::FindingsModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_groups(3)
{
}

void FindingsModel::setFindings(std::vector<Finding> findings, const core::Design *design)
{
    beginResetModel();
    m_findings = std::move(findings);
    m_groups.assign(3, {});
    m_paths.clear();
    for (int i = 0; i < int(m_findings.size()); ++i) {
        const Finding &f = m_findings[i];
        m_groups[int(f.severity)].push_back(i);
        m_paths.push_back(design ? core::elementPath(*design, f.elements.value(0))
                                 : f.elements.value(0));
    }
    endResetModel();
}

const Finding *FindingsModel::findingAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.internalId() == groupId)
        return nullptr;
    return &m_findings[m_groups[index.internalId()][index.row()]];
}

int FindingsModel::count(Severity severity) const
{
    return int(m_groups[int(severity)].size());
}

QModelIndex FindingsModel::firstNaming(const QString &id) const
{
    for (std::size_t group = 0; group < m_groups.size(); ++group) {
        for (std::size_t row = 0; row < m_groups[group].size(); ++row) {
            if (m_findings[m_groups[group][row]].elements.contains(id))
                return index(int(row), 0, index(int(group), 0));
        }
    }
    return {};
}

QModelIndex FindingsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    return createIndex(row, column, parent.isValid() ? quintptr(parent.row()) : groupId);
}

QModelIndex FindingsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == groupId)
        return {};
    return createIndex(int(child.internalId()), 0, groupId);
}

int FindingsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return 3;
    if (parent.internalId() == groupId && parent.column() == 0)
        return int(m_groups[parent.row()].size());
    return 0;
}

int FindingsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant FindingsModel::groupData(int group, int column, int role) const
{
    const Severity s = severities[group];
    if (role == Qt::DisplayRole && column == RuleColumn)
        return QStringLiteral("%1 (%2)").arg(groupTitle(s)).arg(m_groups[group].size());
    if (role == Qt::DecorationRole && column == RuleColumn)
        return severityIcon(s);
    if (role == Qt::FontRole) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    return {};
}

QVariant FindingsModel::findingData(const Finding &f, int column, int role) const
{
    const int i = int(&f - m_findings.data());
    switch (role) {
    case Qt::DisplayRole:
        if (column == RuleColumn)
            return f.ruleId;
        if (column == ElementColumn)
            return m_paths[i];
        return f.isSuppressed() ? tr("[accepted] %1").arg(f.message) : f.message;
    case Qt::ToolTipRole:
        return f.isSuppressed() ? f.message + tr("\n\nAccepted: %1").arg(f.justification)
                                : f.message;
    case Qt::ForegroundRole:
        if (f.isSuppressed())
            return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case ElementIdsRole:
        return f.elements;
    case FindingIndexRole:
        return i;
    default:
        return {};
    }
}

QVariant FindingsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == groupId)
        return groupData(index.row(), index.column(), role);
    return findingData(*findingAt(index), index.column(), role);
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case RuleColumn:
        return tr("Rule");
    case ElementColumn:
        return tr("Element");
    case MessageColumn:
        return tr("Finding");
    default:
        return {};
    }
}

} // namespace converge::views
