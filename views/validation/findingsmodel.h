#pragma once

#include "core/validation/finding.h"

#include <QAbstractItemModel>

namespace converge::views {

// Findings grouped by severity ("Errors (3)", "Warnings (1)", "Info (0)"); each finding row
// shows the rule id, the element path and the message. Replaced wholesale on every update:
// validation results are small compared with the design.
class FindingsModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { RuleColumn, ElementColumn, MessageColumn, ColumnCount };
    enum Role { ElementIdsRole = Qt::UserRole + 1, FindingIndexRole };

    explicit FindingsModel(QObject *parent = nullptr);

    void setFindings(std::vector<core::Finding> findings, const core::Design *design);
    const std::vector<core::Finding> &findings() const { return m_findings; }
    const core::Finding *findingAt(const QModelIndex &index) const;
    int count(core::Severity severity) const;
    // The first finding (most severe first) that names `id`; invalid when none does.
    QModelIndex firstNaming(const QString &id) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    static constexpr quintptr groupId = quintptr(-1);
    QVariant groupData(int group, int column, int role) const;
    QVariant findingData(const core::Finding &f, int column, int role) const;

    std::vector<core::Finding> m_findings;
    std::vector<std::vector<int>> m_groups; // severity -> indexes into m_findings
    std::vector<QString> m_paths;           // element path of each finding's first element
};

} // namespace converge::views
