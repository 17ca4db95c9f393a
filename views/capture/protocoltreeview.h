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

    // What the file says of a packet, for the tree's first row (Wireshark's "Frame" line).
    struct Frame
    {
        qint64 number = 0; // 1-based
        qint64 timestampNs = 0;
        quint32 originalLength = 0;
        quint32 capturedLength = 0;
        QString protocols; // "eth:ip:udp:dns"
    };

    explicit ProtocolTreeView(QWidget *parent = nullptr);

    void showTree(const collectors::ProtocolTree &tree, const Frame &frame);
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
