#pragma once

#include "core/model/design.h"

#include <QAbstractItemModel>
#include <QHash>

#include <memory>
#include <optional>

namespace converge::views {

// The elements of a design as a tree following the document's nesting: a group row per
// top-level kind that has elements ("Hosts (2)"); under a host its NICs, teams, switches,
// management-OS vNICs and VMs; under a VM its vNICs; under a physical switch its ports.
// Columns: name, kind, details. Follows the design's changes until the design is replaced.
class DesignTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, KindColumn, DetailsColumn, ColumnCount };
    enum Role { ElementIdRole = Qt::UserRole + 1 };

    explicit DesignTreeModel(QObject *parent = nullptr);
    ~DesignTreeModel() override;

    // Shows `design` (nullptr: nothing). The design must outlive the model, or be replaced
    // (setDesign(nullptr)) before it goes.
    void setDesign(core::Design *design);
    core::Design *design() const { return m_design; }

    QModelIndex indexForId(const QString &id, int column = NameColumn) const;
    QModelIndex groupIndex(core::ElementKind kind) const; // invalid when the group is not shown
    QString idForIndex(const QModelIndex &index) const;   // empty for group rows

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Node;

    void rebuild();
    Node *addNode(Node &parentNode, const core::Element &element);
    void applyChanges(const std::vector<core::Change> &changes);
    void insertElement(const QString &id);
    void removeElement(const QString &id);
    void elementChanged(const QString &id, const QString &key);
    Node *groupNode(core::ElementKind kind, bool create);
    void refreshRow(Node *node, int firstColumn = NameColumn);
    void refreshDetails(Node *parentNode);
    void forget(const Node &node);
    Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOf(const Node *node, int column = NameColumn) const;

    core::Design *m_design = nullptr;
    int m_listener = 0;
    std::unique_ptr<Node> m_root;
    QHash<QString, Node *> m_nodes; // element id -> its row
};

} // namespace converge::views
