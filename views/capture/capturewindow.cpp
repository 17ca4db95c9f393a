#include "views/capture/capturewindow.h"

#include "collectors/capture/displayfilter.h"
#include "views/capture/hexview.h"
#include "views/capture/packetlistmodel.h"
#include "views/capture/protocoltreeview.h"

#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

namespace converge::views::capture {

namespace {

// Wireshark's display filter bar colours for a filter that does not compile
// (prefs gui.color_filter_bg.invalid), with black text.
const auto invalidFilterStyle = QStringLiteral("QLineEdit { background: #ffafaf; color: black; }");

} // namespace

CaptureWindow::CaptureWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_model(new PacketListModel(this))
{
    setWindowTitle(tr("Capture"));
    createWidgets();
    createFileMenu();
    createGoMenu();
    createStatusBar();
    connectSelection();
    resize(1280, 800);
}

CaptureWindow::~CaptureWindow() = default;

CaptureWindow *CaptureWindow::openFile(const QString &path, bool follow, QWidget *parent,
                                       QString *error)
{
    auto *window = new CaptureWindow(parent);
    window->setWindowFlag(Qt::Window);
    window->setAttribute(Qt::WA_DeleteOnClose);
    if (!window->openPath(path, follow)) {
        if (error)
            *error = window->lastError();
        delete window;
        return nullptr;
    }
    window->show();
    return window;
}

void CaptureWindow::createWidgets()
{
    m_filterEdit = new QLineEdit;
    m_filterEdit->setObjectName(QStringLiteral("displayFilter"));
    m_filterEdit->setPlaceholderText(tr("Apply a display filter \u2026 <Ctrl-F>"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::returnPressed, this,
            [this] { applyFilter(m_filterEdit->text()); });
    m_list = new QTableView;
    m_list->setModel(m_model);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setShowGrid(false);
    m_list->setWordWrap(false);
    m_list->verticalHeader()->hide();
    // Fixed row heights: a million rows cost nothing to lay out.
    m_list->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_list->verticalHeader()->setDefaultSectionSize(m_list->fontMetrics().height() + 4);
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->horizontalHeader()->setHighlightSections(false);
    for (auto [column, width] : {std::pair{0, 70}, {1, 100}, {2, 170}, {3, 170}, {4, 80}, {5, 70}})
        m_list->setColumnWidth(column, width);
    m_tree = new ProtocolTreeView;
    m_hex = new HexView;
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_list);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_hex);
    splitter->setSizes({400, 250, 150});
    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_filterEdit);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
}

void CaptureWindow::createFileMenu()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open\u2026"), this, [this] { chooseFileToOpen(); });
    open->setShortcut(QKeySequence::Open);
    QAction *save = file->addAction(tr("Save &As\u2026"), this, [this] { chooseFileToSave(); });
    save->setShortcut(QKeySequence(tr("Ctrl+S")));
    file->addSeparator();
    QAction *close = file->addAction(tr("&Close"), this, [this] { this->close(); });
    close->setShortcut(QKeySequence(tr("Ctrl+W")));
}

void CaptureWindow::createGoMenu()
{
    QMenu *go = menuBar()->addMenu(tr("&Go"));
    QAction *find = go->addAction(tr("Display &Filter"), this, [this] {
        m_filterEdit->setFocus(Qt::ShortcutFocusReason);
        m_filterEdit->selectAll();
    });
    find->setShortcut(QKeySequence(tr("Ctrl+F")));
    QAction *toPacket =
        go->addAction(tr("&Go to Packet\u2026"), this, [this] { askPacketNumber(); });
    toPacket->setShortcut(QKeySequence(tr("Ctrl+G")));
}

void CaptureWindow::createStatusBar()
{
    m_displayed = new QLabel;
    m_live = new QLabel;
    m_live->setTextFormat(Qt::RichText);
    m_live->hide();
    m_progress = new QProgressBar;
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(160);
    m_progress->setFormat(tr("Filtering %p%"));
    m_progress->hide();
    statusBar()->addWidget(m_displayed);
    statusBar()->addWidget(m_progress);
    statusBar()->addPermanentWidget(m_live);
    connect(m_model, &PacketListModel::filterProgressed, this, [this](int percent) {
        m_progress->setValue(percent);
        m_progress->show();
    });
    connect(m_model, &PacketListModel::filterFinished, this, [this] {
        m_progress->hide();
        updateDisplayed();
    });
    connect(m_model, &PacketListModel::errorOccurred, this,
            [this](const QString &message) { report(message); });
    updateDisplayed();
}

void CaptureWindow::connectSelection()
{
    connect(
        m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) { showPacket(current.isValid() ? current.row() : -1); });
    connect(m_tree, &ProtocolTreeView::rangeSelected, m_hex, &HexView::setHighlight);
    connect(m_hex, &HexView::byteClicked, m_tree, &ProtocolTreeView::selectByte);
    connect(m_model, &PacketListModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_list->verticalScrollBar();
        m_atEnd = bar->value() == bar->maximum();
    });
    connect(m_model, &PacketListModel::rowsInserted, this, [this] {
        if (m_atEnd)
            m_list->scrollToBottom();
        updateDisplayed();
    });
    connect(m_model, &PacketListModel::modelReset, this, [this] {
        showPacket(-1);
        updateDisplayed();
    });
}

void CaptureWindow::showPacket(int row)
{
    const QByteArray bytes = row < 0 ? QByteArray() : m_model->packetBytes(row);
    m_hex->setBytes(bytes);
    if (bytes.isEmpty()) {
        m_tree->clearTree();
        return;
    }
    const std::span frame(reinterpret_cast<const quint8 *>(bytes.constData()),
                          size_t(bytes.size()));
    const PacketListModel::Packet packet = m_model->packet(row);
    m_tree->showTree(collectors::dissectTree(frame),
                     {m_model->packetNumber(row), packet.timestampNs, packet.length,
                      quint32(bytes.size()), collectors::dissectSummary(frame).protocols()});
}

bool CaptureWindow::openPath(const QString &path, bool follow)
{
    if (auto opened = m_model->open(path, follow); !opened) {
        report(opened.error().message);
        return false;
    }
    m_lastError.clear();
    setWindowTitle(tr("%1 \u2014 Converge Capture").arg(QFileInfo(path).fileName()));
    m_filterEdit->clear();
    m_filterEdit->setStyleSheet({});
    m_filterEdit->setToolTip({});
    if (!m_model->warning().isEmpty())
        report(tr("Only the packets before the damage are shown: %1").arg(m_model->warning()));
    updateDisplayed();
    return true;
}

void CaptureWindow::stopFollowing()
{
    m_model->stopFollowing();
    m_model->readNewPackets(); // what arrived since the last tick
}

bool CaptureWindow::applyFilter(const QString &text)
{
    auto compiled = collectors::DisplayFilter::compile(text);
    if (!compiled) {
        filterFailed(compiled.error().message);
        return false;
    }
    m_filterEdit->setStyleSheet({});
    m_filterEdit->setToolTip({});
    if (compiled->isEmpty()) {
        m_model->setFilter({});
        return true;
    }
    m_model->setFilter([filter = std::move(*compiled)](const collectors::PacketSummary &summary,
                                                       std::span<const quint8> frame) {
        return filter.matches(summary, frame);
    });
    return true;
}

void CaptureWindow::filterFailed(const QString &message)
{
    m_filterEdit->setStyleSheet(invalidFilterStyle);
    m_filterEdit->setToolTip(message);
    statusBar()->showMessage(message, 10000);
}

void CaptureWindow::setLiveCounters(quint64 received, quint64 kernelDropped, quint64 agentDropped)
{
    QString text = tr("Received: %1 \u00b7 Dropped by the kernel: %2")
                       .arg(QLocale().toString(received), QLocale().toString(kernelDropped));
    const QString agent = tr("Dropped by the agent: %1").arg(QLocale().toString(agentDropped));
    // The agent drops when the console reads too slowly (issue 16, "back-pressure"): a
    // warning the admin must see, not a figure among others.
    text += QStringLiteral(" \u00b7 ") +
            (agentDropped ? QStringLiteral("<span style=\"color:#c05000; font-weight:bold\">%1"
                                           "</span>")
                                .arg(agent.toHtmlEscaped())
                          : agent);
    m_live->setText(text);
    m_live->show();
}

QString CaptureWindow::liveCountersText() const
{
    return m_live->text();
}

QString CaptureWindow::displayedText() const
{
    return m_displayed->text();
}

void CaptureWindow::updateDisplayed()
{
    m_displayed->setText(tr("Displayed: %1 of %2")
                             .arg(QLocale().toString(m_model->displayedCount()),
                                  QLocale().toString(m_model->packetCount())));
}

bool CaptureWindow::saveAs(const QString &path)
{
    const auto format = path.endsWith(QLatin1String(".pcap"), Qt::CaseInsensitive)
                            ? collectors::PcapFile::Format::Pcap
                            : collectors::PcapFile::Format::PcapNg;
    if (auto saved = m_model->saveAs(path, format); !saved) {
        report(saved.error().message);
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

bool CaptureWindow::goToPacket(qint64 number)
{
    const int row = m_model->rowOfPacket(number);
    if (row < 0) {
        statusBar()->showMessage(tr("Packet %1 is not in the list").arg(number), 5000);
        return false;
    }
    const QModelIndex index = m_model->index(row, 0);
    m_list->setCurrentIndex(index);
    m_list->scrollTo(index, QAbstractItemView::PositionAtCenter);
    return true;
}

void CaptureWindow::report(const QString &message)
{
    m_lastError = message;
    statusBar()->showMessage(message);
}

void CaptureWindow::chooseFileToOpen()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Capture File"), QFileInfo(m_model->path()).absolutePath(),
        tr("Capture files (*.pcapng *.pcap *.cap);;All files (*)"));
    if (!path.isEmpty() && !openPath(path))
        QMessageBox::warning(this, tr("Open Capture File"), m_lastError);
}

void CaptureWindow::chooseFileToSave()
{
    if (!m_model->isOpen())
        return;
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Save Capture As"), {},
                                                tr("pcapng (*.pcapng);;pcap (*.pcap)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.startsWith(QLatin1String("pcap (")) ? QStringLiteral(".pcap")
                                                             : QStringLiteral(".pcapng");
    if (!saveAs(path))
        QMessageBox::warning(this, tr("Save Capture As"), m_lastError);
}

void CaptureWindow::askPacketNumber()
{
    bool ok = false;
    const int number =
        QInputDialog::getInt(this, tr("Go to Packet"), tr("Packet number:"), 1, 1,
                             int(std::max<qint64>(1, m_model->packetCount())), 1, &ok);
    if (ok)
        goToPacket(number);
}

} // namespace converge::views::capture
