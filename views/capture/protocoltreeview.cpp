#include "views/capture/protocoltreeview.h"

#include <QDateTime>
#include <QHeaderView>
#include <QStandardItemModel>

#include <algorithm>
#include <tuple>

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
    QString title = titles.value(layer.name, layer.name);
    // Wireshark's layer lines name the endpoints: "Src: 10.0.0.1, Dst: 10.0.0.53".
    const auto value = [&layer](QLatin1String name) {
        auto it = std::ranges::find(layer.fields, name, &collectors::ProtocolField::name);
        return it == layer.fields.end() ? QString() : it->display;
    };
    for (auto [from, to, label] :
         {std::tuple{QLatin1String("source"), QLatin1String("destination"), ""},
          {QLatin1String("source port"), QLatin1String("destination port"), " Port"}}) {
        if (!value(from).isEmpty() && !value(to).isEmpty())
            title += QStringLiteral(", Src%1: %2, Dst%1: %3")
                         .arg(QLatin1String(label), value(from), value(to));
    }
    return title;
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

// Wireshark's first tree row: the frame as the file holds it, over all its bytes.
QStandardItem *frameItem(const ProtocolTreeView::Frame &frame)
{
    const auto length = qint32(frame.capturedLength);
    QStandardItem *item =
        rangeItem(ProtocolTreeView::tr("Frame %1: %2 bytes on wire, %3 bytes captured")
                      .arg(frame.number)
                      .arg(frame.originalLength)
                      .arg(frame.capturedLength),
                  0, length);
    const QDateTime arrival = QDateTime::fromMSecsSinceEpoch(frame.timestampNs / 1000000, Qt::UTC);
    const QString fields[] = {
        ProtocolTreeView::tr("Arrival time: %1.%2 UTC")
            .arg(arrival.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
            .arg(frame.timestampNs % 1000000000, 9, 10, QLatin1Char('0')),
        ProtocolTreeView::tr("Frame length: %1 bytes").arg(frame.originalLength),
        ProtocolTreeView::tr("Capture length: %1 bytes").arg(frame.capturedLength),
        ProtocolTreeView::tr("Protocols in frame: %1").arg(frame.protocols)};
    for (const QString &text : fields)
        item->appendRow(rangeItem(text, 0, length));
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

void ProtocolTreeView::showTree(const collectors::ProtocolTree &tree, const Frame &frame)
{
    m_model->clear();
    QStandardItem *first = frameItem(frame);
    m_model->appendRow(first);
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
    collapse(m_model->indexFromItem(first)); // as Wireshark: the frame's details on demand
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
