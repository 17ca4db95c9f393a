#pragma once

#include "collectors/capture/pcapfile.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QIODevice>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace converge::views::capture {

// The packet list of a capture file, in Wireshark's habit (ui/qt/models/packet_list_model):
// one small record per packet (where it is in the file, when, how long), rows dissected on
// demand from the mapped file with a bounded cache, new packets of a followed file inserted in
// timed batches, and a display filter applied in slices so a million packets never freeze the
// GUI. Malformed packets are coloured as errors, with what broke as the tooltip.
class PacketListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        NumberColumn,
        TimeColumn,
        SourceColumn,
        DestinationColumn,
        ProtocolColumn,
        LengthColumn,
        InfoColumn,
        ColumnCount
    };
    enum Role { PacketNumberRole = Qt::UserRole + 1, MalformedRole };
    // What a display filter asks of one packet; the frame's bytes live during the call only.
    using Filter =
        std::function<bool(const collectors::PacketSummary &, std::span<const quint8> frame)>;
    // Packets a filter slice reads before it yields to the event loop.
    static constexpr int filterSlice = 20000;
    static constexpr int cacheRows = 2000;
    static constexpr qint64 headerBytes = 28; // a pcapng section header; a pcap header is 24

    // 24 bytes a packet (and 4 more in a filter's rows): issue 16 allows 64.
    struct Packet
    {
        qint64 offset = 0; // in the file
        qint64 timestampNs = 0;
        quint32 length = 0; // original length, as Wireshark's Length column
    };

    explicit PacketListModel(QObject *parent = nullptr);
    ~PacketListModel() override;

    // Reads every complete packet of the file (pcap or pcapng). Following, packets appended
    // later are read every 100 ms and a cut-off last one waits for its end. A file that
    // cannot be read at all is an error and the model keeps what it showed; one that breaks
    // in the middle shows the packets before and says where in warning() (as Wireshark
    // opens a capture cut short). A followed file may still lack its header (shorter than
    // headerBytes): it is read once the header is there.
    core::Result<void> open(const QString &path, bool follow = false);
    QString warning() const { return m_warning; }
    void close();
    QString path() const { return m_path; }
    bool isOpen() const { return !m_path.isEmpty(); }
    bool isFollowing() const { return m_followTimer.isActive(); }
    void stopFollowing();
    void setFollowInterval(int ms) { m_followTimer.setInterval(ms); }
    // Reads what the file gained now (the timer's work); the number of packets added.
    int readNewPackets();

    // Shows only the packets FILTER accepts (an empty Filter shows all). Runs in slices of
    // filterSlice packets on a zero timer; the rows change once, when it is done.
    void setFilter(Filter filter);
    bool isFiltering() const { return m_job != nullptr; }

    qint64 packetCount() const { return qint64(m_packets.size()); }
    int displayedCount() const { return rowCount(); }
    // The row that shows packet NUMBER (1-based, as the No. column); -1 when it is hidden.
    int rowOfPacket(qint64 number) const;
    qint64 packetNumber(int row) const; // 1-based
    Packet packet(int row) const;       // all zero when the row is out of range
    // The packet's bytes (read again from the file), empty when the row is out of range.
    QByteArray packetBytes(int row) const;

    // Saves the packets read so far: as pcapng (a copy of the file's complete prefix when it
    // is pcapng) or, with pcap, as classic pcap with microsecond stamps.
    core::Result<void> saveAs(const QString &path, collectors::PcapFile::Format format) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void packetsAdded(int count);
    void filterProgressed(int percent);
    void filterFinished();
    void errorOccurred(const QString &message);

private:
    struct Row;
    struct FilterJob;

    const Row *row(qint64 packet) const;
    QVariant display(qint64 packet, int column) const;
    qint64 packetAt(int row) const;
    core::Result<collectors::PcapPacket> readPacket(qint64 packet) const;
    std::vector<Packet> readPackets(QString &error);
    bool openWhenReady();
    void insertAll(const std::vector<Packet> &fresh);
    void insertFiltered(std::vector<quint32> &visible, const std::vector<Packet> &fresh);
    void runFilterSlice();
    bool accepts(qint64 packet, const Filter &filter) const;
    void clear();
    core::Result<void> copyPrefix(QIODevice &out) const;
    core::Result<void> writePackets(QIODevice &out, collectors::PcapFile::Format format) const;

    QString m_path;
    QString m_warning;
    std::unique_ptr<collectors::PcapFile> m_file;
    std::vector<Packet> m_packets;
    std::optional<std::vector<quint32>> m_visible; // the filter's rows; none: every packet
    Filter m_filter;
    std::unique_ptr<FilterJob> m_job;
    QTimer m_followTimer;
    QTimer m_filterTimer;
    mutable QCache<qint64, Row> m_rows;
};

} // namespace converge::views::capture
