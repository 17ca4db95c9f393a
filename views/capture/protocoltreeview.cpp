#include "views/capture/protocoltreeview.h"

#include <QHeaderView>
#include <QStandardItemModel>

namespace converge::views::capture {

namespace {

// tshark's short names to the titles Wireshark's tree shows.
QString layerTitle(const collectors::ProtocolLayer &layer)
{
    static const QHash<QString, QString> titles{
        {QStringLiteral("eth"), QStringLiteral("Ethernet II")},
        {QStringLiteral("vlan"), QStringLiteral("802.1Q Virtual LAN")},
        {QStringLiteral("ieee8021ad"), QStringLiteral("802.1ad Service VLAN")},
        {QStringLiteral("arp"), QStringLiteral("Address Resolution Protocol")},
        {QStringLiteral("ip"), QStringLiteral("Internet Protocol Version 4")},
        {QStringLiteral("ipv6"), QStringLiteral("Internet Protocol Version 6")},
        {QStringLiteral("icmp"), QStringLiteral("Internet Control Message Protocol")},
        {QStringLiteral("icmpv6"), QStringLiteral("Internet Control Message Protocol v6")},
        {QStringLiteral("tcp"), QStringLiteral("Transmission Control Protocol")},
        {QStringLiteral("udp"), QStringLiteral("User Datagram Protocol")},
        {QStringLiteral("dhcp"), QStringLiteral("Dynamic Host Configuration Protocol")},
        {QStringLiteral("dns"), QStringLiteral("Domain Name System")},
        {QStringLiteral("vxlan"), QStringLiteral("Virtual eXtensible Local Area Network")},
        {QStringLiteral("gre"), QStringLiteral("Generic Routing Encapsulation")},
        {QStringLiteral("lldp"), QStringLiteral("Link Layer Discovery Protocol")},
        {QStringLiteral("iscsi"), QStringLiteral("iSCSI")},
        {QStringLiteral("data"), QStringLiteral("Data")}};
    const QString title = titles.value(layer.name, layer.name);
    return QStringLiteral("%1 (%2 bytes at %3)").arg(title).arg(layer.length).arg(layer.offset);
}

// Wireshark's expert error colour, as the packet list's malformed rows.
const QColor errorBackground(0xff, 0x5c, 0x5c);

QStandardItem *rangeItem(const QString &text, qint32 offset, qint32 length)
{
    auto *item = new QStandardItem(text);
    item->setEditable(false);
    item->setData(offset, ProtocolTreeView::OffsetRole);
    item->setData(length, ProtocolTreeView::LengthRole);
    return item;
}

} // namespace

ProtocolTreeView::ProtocolTreeView(QWidget *parent)
    : QTreeView(parent)
    , m_model(new QStandardItemModel(this))
{
    setModel(m_model);
    setHeaderHidden(true);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    header()->setStretchLastSection(true);
}

void ProtocolTreeView::clearTree()
{
    m_model->clear();
    Q_EMIT rangeSelected(0, 0);
}

void ProtocolTreeView::showTree(const collectors::ProtocolTree &tree)
{
    m_model->clear();
    for (const collectors::ProtocolLayer &layer : tree) {
        QStandardItem *row = rangeItem(layerTitle(layer), layer.offset, layer.length);
        const bool malformed = layer.name == QLatin1String("Malformed Packet");
        if (malformed) {
            row->setText(layer.name);
            row->setBackground(errorBackground);
            row->setForeground(QColor(Qt::black));
        }
        for (const collectors::ProtocolField &field : layer.fields) {
            QStandardItem *child =
                rangeItem(QStringLiteral("%1: %2").arg(field.name, field.display), field.offset,
                          field.length);
            if (malformed) {
                child->setBackground(errorBackground);
                child->setForeground(QColor(Qt::black));
            }
            row->appendRow(child);
        }
        m_model->appendRow(row);
    }
    expandAll();
    Q_EMIT rangeSelected(0, 0);
}

QStandardItem *ProtocolTreeView::innermostAt(qint32 offset) const
{
    QStandardItem *best = nullptr;
    qint32 bestLength = 0;
    auto consider = [&](QStandardItem *item) {
        const qint32 from = item->data(OffsetRole).toInt(), length = item->data(LengthRole).toInt();
        if (length > 0 && offset >= from && offset < from + length &&
            (!best || length <= bestLength)) {
            best = item;
            bestLength = length;
        }
    };
    for (int r = 0; r < m_model->rowCount(); ++r) {
        QStandardItem *layer = m_model->item(r);
        consider(layer);
        for (int f = 0; f < layer->rowCount(); ++f)
            consider(layer->child(f));
    }
    return best;
}

bool ProtocolTreeView::selectByte(qint32 offset)
{
    QStandardItem *item = innermostAt(offset);
    if (!item)
        return false;
    const QModelIndex index = m_model->indexFromItem(item);
    setCurrentIndex(index);
    scrollTo(index);
    return true;
}

void ProtocolTreeView::currentChanged(const QModelIndex &current, const QModelIndex &previous)
{
    QTreeView::currentChanged(current, previous);
    if (!current.isValid()) {
        Q_EMIT rangeSelected(0, 0);
        return;
    }
    Q_EMIT rangeSelected(current.data(OffsetRole).toInt(), current.data(LengthRole).toInt());
}

} // namespace converge::views::capture
