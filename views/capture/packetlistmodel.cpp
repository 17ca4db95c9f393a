#include "views/capture/packetlistmodel.h"

#include "collectors/capture/pcapwriter.h"

#include <QColor>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace converge::views::capture {

using collectors::PacketSummary;
using collectors::PcapFile;
using collectors::PcapPacket;
using collectors::Protocol;

namespace {

// Wireshark's Protocol column names the innermost protocol it decoded; data is not one.
// Wireshark's expert error colour (ui/qt/utils/color_utils.cpp, expert_color_error), with
// black text, which reads on it.
const QColor errorBackground(0xff, 0x5c, 0x5c);

} // namespace

// A dissected row: what the columns show, made once per cache entry.
struct PacketListModel::Row
{
    QString source, destination, protocol, info, malformed;
};

struct PacketListModel::FilterJob
{
    Filter filter;
    std::vector<quint32> rows;
    qint64 next = 0;
};

PacketListModel::PacketListModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(cacheRows)
{
    m_followTimer.setInterval(100);
    connect(&m_followTimer, &QTimer::timeout, this, [this] { readNewPackets(); });
    m_filterTimer.setInterval(0);
    connect(&m_filterTimer, &QTimer::timeout, this, [this] { runFilterSlice(); });
}

PacketListModel::~PacketListModel() = default;

core::Result<void> PacketListModel::open(const QString &path, bool follow)
{
    auto file = PcapFile::open(path);
    // A followed file that its writer has created but not yet given its header is empty,
    // not broken: the timer opens it once the header is there.
    const QFileInfo info(path);
    const bool headerToCome = follow && !file && info.exists() && info.size() < headerBytes;
    if (!file && !headerToCome)
        return std::unexpected(file.error());
    beginResetModel();
    clear();
    m_path = path;
    if (file) {
        m_file = std::make_unique<PcapFile>(std::move(*file));
        m_file->setGrowing(follow);
        // One pass records every packet: 24 bytes each, the bytes stay in the file.
        m_packets = readPackets(m_warning);
    }
    endResetModel();
    if (follow && m_warning.isEmpty())
        m_followTimer.start();
    return {};
}

// The followed file's header has arrived (or it never will: then the error is reported).
bool PacketListModel::openWhenReady()
{
    auto file = PcapFile::open(m_path);
    if (file) {
        m_file = std::make_unique<PcapFile>(std::move(*file));
        m_file->setGrowing(true);
        return true;
    }
    if (QFileInfo(m_path).size() >= headerBytes || !QFileInfo::exists(m_path)) {
        stopFollowing();
        Q_EMIT errorOccurred(file.error().message);
    }
    return false;
}

void PacketListModel::close()
{
    beginResetModel();
    clear();
    endResetModel();
}

void PacketListModel::clear()
{
    stopFollowing();
    m_filterTimer.stop();
    m_job.reset();
    m_file.reset();
    m_packets = std::vector<Packet>(); // `= {}` would keep the capacity: 24 bytes a packet
    m_visible.reset();
    m_filter = {};
    m_rows.clear();
    m_path.clear();
    m_warning.clear();
}

void PacketListModel::stopFollowing()
{
    m_followTimer.stop();
}

// The records of the packets next() gives up to the file's end; an error stops the reading
// and says why in ERROR, keeping the packets before.
std::vector<PacketListModel::Packet> PacketListModel::readPackets(QString &error)
{
    std::vector<Packet> records;
    for (;;) {
        auto packet = m_file->next();
        if (!packet) {
            error = packet.error().message;
            return records;
        }
        const std::optional<PcapPacket> &found = *packet;
        if (!found)
            return records;
        records.push_back({found->offset, found->timestampNs, found->originalLength});
    }
}

// The timer's work: everything the file gained, inserted as one batch of rows (Wireshark's
// flushNewRows), so a fast stream never costs a signal per packet.
int PacketListModel::readNewPackets()
{
    if (m_path.isEmpty() || (!m_file && !openWhenReady()))
        return 0;
    QString error;
    std::vector<Packet> fresh;
    if (auto refreshed = m_file->refresh(); !refreshed)
        error = refreshed.error().message;
    else
        fresh = readPackets(error);
    const auto added = int(fresh.size());
    if (m_visible)
        insertFiltered(*m_visible, fresh);
    else if (added > 0)
        insertAll(fresh);
    if (added > 0)
        Q_EMIT packetsAdded(added);
    if (!error.isEmpty()) {
        stopFollowing();
        Q_EMIT errorOccurred(error);
    }
    return added;
}

void PacketListModel::insertAll(const std::vector<Packet> &fresh)
{
    beginInsertRows({}, rowCount(), rowCount() + int(fresh.size()) - 1);
    m_packets.insert(m_packets.end(), fresh.begin(), fresh.end());
    endInsertRows();
}

// The filter's rows are apart from the packets: the packets go in first, the rows the
// filter keeps are inserted after.
void PacketListModel::insertFiltered(std::vector<quint32> &visible,
                                     const std::vector<Packet> &fresh)
{
    const auto first = qint64(m_packets.size());
    m_packets.insert(m_packets.end(), fresh.begin(), fresh.end());
    std::vector<quint32> shown;
    for (qint64 p = first; p < qint64(m_packets.size()); ++p) {
        if (accepts(p, m_filter))
            shown.push_back(quint32(p));
    }
    if (shown.empty())
        return;
    beginInsertRows({}, rowCount(), rowCount() + int(shown.size()) - 1);
    visible.insert(visible.end(), shown.begin(), shown.end());
    endInsertRows();
}

void PacketListModel::setFilter(Filter filter)
{
    m_filterTimer.stop();
    m_job.reset();
    if (!filter) {
        beginResetModel();
        m_filter = {};
        m_visible.reset();
        endResetModel();
        Q_EMIT filterFinished();
        return;
    }
    m_job = std::make_unique<FilterJob>();
    m_job->filter = std::move(filter);
    m_filterTimer.start();
}

// One slice of the filter; the rows change once, when the job reaches the last packet (the
// packets a followed file adds meanwhile included).
void PacketListModel::runFilterSlice()
{
    const auto total = qint64(m_packets.size());
    const qint64 end = std::min(total, m_job->next + filterSlice);
    for (qint64 p = m_job->next; p < end; ++p) {
        if (accepts(p, m_job->filter))
            m_job->rows.push_back(quint32(p));
    }
    m_job->next = end;
    if (end < total) {
        Q_EMIT filterProgressed(int(end * 100 / total));
        return;
    }
    m_filterTimer.stop();
    beginResetModel();
    m_filter = std::move(m_job->filter);
    m_job->rows.shrink_to_fit();
    m_visible = std::move(m_job->rows);
    m_job.reset();
    endResetModel();
    Q_EMIT filterFinished();
}

bool PacketListModel::accepts(qint64 packet, const Filter &filter) const
{
    auto read = readPacket(packet);
    if (!read)
        return false;
    return filter(collectors::dissectSummary(read->bytes), read->bytes);
}

core::Result<PcapPacket> PacketListModel::readPacket(qint64 packet) const
{
    return m_file->readAt(m_packets[size_t(packet)].offset);
}

qint64 PacketListModel::packetAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return -1;
    return m_visible ? qint64((*m_visible)[size_t(row)]) : row;
}

qint64 PacketListModel::packetNumber(int row) const
{
    const qint64 packet = packetAt(row);
    return packet < 0 ? -1 : packet + 1;
}

int PacketListModel::rowOfPacket(qint64 number) const
{
    const qint64 packet = number - 1;
    if (packet < 0 || packet >= qint64(m_packets.size()))
        return -1;
    if (!m_visible)
        return int(packet);
    auto it = std::lower_bound(m_visible->begin(), m_visible->end(), quint32(packet));
    return it != m_visible->end() && *it == quint32(packet) ? int(it - m_visible->begin()) : -1;
}

PacketListModel::Packet PacketListModel::packet(int row) const
{
    const qint64 at = packetAt(row);
    return at < 0 ? Packet() : m_packets[size_t(at)];
}

QByteArray PacketListModel::packetBytes(int row) const
{
    const qint64 packet = packetAt(row);
    auto read = packet < 0 ? core::Result<PcapPacket>() : readPacket(packet);
    if (packet < 0 || !read)
        return {};
    return {reinterpret_cast<const char *>(read->bytes.data()), qsizetype(read->bytes.size())};
}

// Dissected when first shown; the cache keeps the rows of a few screens (Wireshark caches
// column strings the same way).
const PacketListModel::Row *PacketListModel::row(qint64 packet) const
{
    if (Row *cached = m_rows.object(packet))
        return cached;
    auto row = std::make_unique<Row>();
    if (auto read = readPacket(packet)) {
        const PacketSummary s = collectors::dissectSummary(read->bytes);
        row->source = s.source.toString();
        row->destination = s.destination.toString();
        row->protocol = s.protocolColumn();
        row->info = s.info(read->bytes);
        if (s.isMalformed())
            row->malformed = s.malformed.text();
    } else {
        row->malformed = read.error().message;
        row->info = row->malformed;
    }
    Row *raw = row.get();
    m_rows.insert(packet, row.release());
    return raw;
}

int PacketListModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_visible ? int(m_visible->size()) : int(m_packets.size());
}

int PacketListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PacketListModel::data(const QModelIndex &index, int role) const
{
    const qint64 packet = index.isValid() ? packetAt(index.row()) : -1;
    if (packet < 0)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return display(packet, index.column());
    case PacketNumberRole:
        return packet + 1;
    case MalformedRole:
        return !row(packet)->malformed.isEmpty();
    case Qt::TextAlignmentRole:
        if (index.column() == NumberColumn || index.column() == TimeColumn ||
            index.column() == LengthColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::BackgroundRole:
        return row(packet)->malformed.isEmpty() ? QVariant() : QVariant(errorBackground);
    case Qt::ForegroundRole:
        return row(packet)->malformed.isEmpty() ? QVariant() : QVariant(QColor(Qt::black));
    case Qt::ToolTipRole:
        return row(packet)->malformed.isEmpty() ? QVariant() : QVariant(row(packet)->malformed);
    default:
        return {};
    }
}

QVariant PacketListModel::display(qint64 packet, int column) const
{
    const Packet &record = m_packets[size_t(packet)];
    switch (column) {
    case NumberColumn:
        return packet + 1;
    case TimeColumn:
        return QString::number(double(record.timestampNs - m_packets.front().timestampNs) / 1e9,
                               'f', 6);
    case SourceColumn:
        return row(packet)->source;
    case DestinationColumn:
        return row(packet)->destination;
    case ProtocolColumn:
        return row(packet)->protocol;
    case LengthColumn:
        return record.length;
    case InfoColumn:
        return row(packet)->info;
    default:
        return {};
    }
}

QVariant PacketListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {QT_TR_NOOP("No."),      QT_TR_NOOP("Time"),
                                        QT_TR_NOOP("Source"),   QT_TR_NOOP("Destination"),
                                        QT_TR_NOOP("Protocol"), QT_TR_NOOP("Length"),
                                        QT_TR_NOOP("Info")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

core::Result<void> PacketListModel::saveAs(const QString &path, PcapFile::Format format) const
{
    if (!m_file)
        return core::invalid(QStringLiteral("%1: no capture is open").arg(path));
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("%1: cannot write: %2").arg(path, out.errorString()));
    auto written = format == m_file->format() && format == PcapFile::Format::PcapNg
                       ? copyPrefix(out)
                       : writePackets(out, format);
    if (!written)
        return core::fail(written.error().code,
                          QStringLiteral("%1: %2").arg(path, written.error().message));
    if (!out.commit())
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("%1: cannot write: %2").arg(path, out.errorString()));
    return {};
}

// A pcapng copy keeps the original's blocks (comments, name resolution) as Wireshark's Save
// As does; only the complete blocks read so far, when the file is still growing.
core::Result<void> PacketListModel::copyPrefix(QIODevice &out) const
{
    QFile in(m_path);
    if (!in.open(QIODevice::ReadOnly))
        return core::fail(core::Error::Code::Io,
                          QStringLiteral("cannot read %1: %2").arg(m_path, in.errorString()));
    for (qint64 left = m_file->position(); left > 0;) {
        const QByteArray chunk = in.read(std::min<qint64>(left, qint64(1) << 20));
        if (chunk.isEmpty() || out.write(chunk) != chunk.size())
            return core::fail(
                core::Error::Code::Io,
                QStringLiteral("copying %1 stopped: %2")
                    .arg(m_path, chunk.isEmpty() ? in.errorString() : out.errorString()));
        left -= chunk.size();
    }
    return {};
}

core::Result<void> PacketListModel::writePackets(QIODevice &out, PcapFile::Format format) const
{
    collectors::PcapWriter writer(&out, format);
    for (qint64 p = 0; p < qint64(m_packets.size()); ++p) {
        auto read = readPacket(p);
        if (!read)
            return std::unexpected(read.error());
        if (auto written = writer.write(*read); !written)
            return written;
    }
    return writer.finish();
}

} // namespace converge::views::capture
