#pragma once

#include "collectors/capture/dissector.h"

#include <QTreeView>

class QStandardItem;
class QStandardItemModel;

namespace converge::views::capture {

// The protocol tree of one packet (Wireshark's proto_tree): a row per layer, its fields
// under it, the Malformed Packet layer in the error colour. Selecting a row tells which
// bytes it covers; selectByte() selects the innermost field over a byte (a hex view click).
class ProtocolTreeView : public QTreeView
{
    Q_OBJECT

public:
    enum Role { OffsetRole = Qt::UserRole + 1, LengthRole };

    explicit ProtocolTreeView(QWidget *parent = nullptr);

    void showTree(const collectors::ProtocolTree &tree);
    void clearTree();
    // Selects the field (else the layer) with the fewest bytes that covers OFFSET; the later
    // one on a tie, which is the inner frame's. False when nothing covers it.
    bool selectByte(qint32 offset);
    QStandardItemModel *treeModel() const { return m_model; }

Q_SIGNALS:
    void rangeSelected(qint32 offset, qint32 length); // length 0: nothing selected

private:
    void currentChanged(const QModelIndex &current, const QModelIndex &previous) override;
    QStandardItem *innermostAt(qint32 offset) const;

    QStandardItemModel *m_model;
};

} // namespace converge::views::capture
