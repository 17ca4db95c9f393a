#pragma once

#include "collectors/capture/pcapfile.h"

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QProgressBar;
class QTableView;

namespace converge::views::capture {

class HexView;
class PacketListModel;
class ProtocolTreeView;

// A capture in Wireshark's layout: the packet list over the selected packet's protocol tree
// over its bytes, each selection showing in the others; a display filter bar above (red with
// the error as tooltip when it does not compile, applied on Enter in slices with a progress
// bar); the status bar counts displayed packets and, for a live capture, what was received
// and dropped. A followed file (the live stream the console appends) grows in batches, and the
// list keeps to its end while the user is there.
class CaptureWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit CaptureWindow(QWidget *parent = nullptr);
    ~CaptureWindow() override;

    // A new window (deleted when closed) showing PATH, following it when FOLLOW; nullptr when
    // it cannot be read, with the reason in ERROR.
    static CaptureWindow *openFile(const QString &path, bool follow, QWidget *parent,
                                   QString *error = nullptr);
    // False, with the reason in lastError() and the status bar, when PATH cannot be read; the
    // window keeps what it showed.
    bool openPath(const QString &path, bool follow = false);
    void stopFollowing();
    // A live capture's counters from the agent (docs/capture.md "Capture window").
    void setLiveCounters(quint64 received, quint64 kernelDropped, quint64 agentDropped);
    // Compiles TEXT and filters the list; false, the bar red and the list unchanged, when it
    // does not compile.
    bool applyFilter(const QString &text);
    // pcap when PATH ends in .pcap, pcapng otherwise.
    bool saveAs(const QString &path);
    bool goToPacket(qint64 number); // false when there is no such packet or it is filtered out
    QString lastError() const { return m_lastError; }

    PacketListModel *packetModel() const { return m_model; }
    QTableView *packetList() const { return m_list; }
    ProtocolTreeView *protocolTree() const { return m_tree; }
    HexView *hexView() const { return m_hex; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QProgressBar *filterProgress() const { return m_progress; }
    QString displayedText() const;    // "Displayed: N of M"
    QString liveCountersText() const; // rich text; empty until setLiveCounters

private:
    void createWidgets();
    void createFileMenu();
    void createGoMenu();
    void createStatusBar();
    void connectSelection();
    void showPacket(int row);
    void updateDisplayed();
    void filterFailed(const QString &message);
    void chooseFileToOpen();
    void chooseFileToSave();
    void askPacketNumber();
    void report(const QString &message);

    PacketListModel *m_model = nullptr;
    QTableView *m_list = nullptr;
    ProtocolTreeView *m_tree = nullptr;
    HexView *m_hex = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_displayed = nullptr;
    QLabel *m_live = nullptr;
    QString m_lastError;
    bool m_atEnd = true; // the list was scrolled to its end before rows came in
};

} // namespace converge::views::capture
