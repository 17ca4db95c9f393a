// The capture window (views/capture/capturewindow.h): the display filter bar, selection across
// list, tree and bytes, live counters, following with the list kept at its end, Save As, and
// the main window's Capture menu.
#include "capturetestsupport.h"
#include "viewstestsupport.h"

#include "views/capture/capturewindow.h"
#include "views/capture/hexview.h"
#include "views/capture/packetlistmodel.h"
#include "views/capture/protocoltreeview.h"
#include "views/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

#include <gtest/gtest.h>

using converge::collectors::PcapFile;
using converge::views::capture::CaptureWindow;
using converge::views::capture::PacketListModel;
using converge::views::capture::ProtocolTreeView;
using namespace converge::views::test;
using namespace converge::capturetest;

namespace {

class CaptureWindowTest : public testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(writeFile(path("mixed.pcapng"), mixedPcapng(12)));
        ASSERT_TRUE(m_window.openPath(path("mixed.pcapng"))) << m_window.lastError().toStdString();
        m_window.show();
    }
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }
    QString cell(int row, int column) const
    {
        const PacketListModel *m = m_window.packetModel();
        return m->data(m->index(row, column)).toString();
    }
    bool filterWith(const QString &text)
    {
        m_window.filterEdit()->clear();
        QTest::keyClicks(m_window.filterEdit(), text);
        QTest::keyClick(m_window.filterEdit(), Qt::Key_Return);
        return QTest::qWaitFor([&] { return !m_window.packetModel()->isFiltering(); }, 5000);
    }
    void selectRow(int row)
    {
        m_window.packetList()->setCurrentIndex(m_window.packetModel()->index(row, 0));
    }
    QModelIndex treeCurrent() const { return m_window.protocolTree()->currentIndex(); }

    QTemporaryDir m_dir;
    CaptureWindow m_window;
};

TEST_F(CaptureWindowTest, TheUdpFilterHidesEveryOtherPacket)
{
    QAbstractItemModelTester tester(m_window.packetModel(),
                                    QAbstractItemModelTester::FailureReportingMode::Fatal);
    EXPECT_EQ(m_window.displayedText(), QStringLiteral("Displayed: 12 of 12"));
    ASSERT_TRUE(filterWith(QStringLiteral("udp")));
    ASSERT_EQ(m_window.packetModel()->rowCount(), 4);
    const QStringList protocols{cell(0, 4), cell(1, 4), cell(2, 4), cell(3, 4)};
    EXPECT_EQ(protocols, (QStringList{QStringLiteral("DNS"), QStringLiteral("DHCP"),
                                      QStringLiteral("ICMP"), QStringLiteral("UDP")}));
    EXPECT_EQ(m_window.displayedText(), QStringLiteral("Displayed: 4 of 12"));
    EXPECT_TRUE(m_window.filterEdit()->styleSheet().isEmpty());
    EXPECT_FALSE(m_window.filterProgress()->isVisible());
    ASSERT_TRUE(filterWith(QString())); // an empty filter shows every packet again
    EXPECT_EQ(m_window.packetModel()->rowCount(), 12);
}

TEST_F(CaptureWindowTest, AFilterThatDoesNotCompileTurnsTheBarRedAndKeepsTheList)
{
    ASSERT_TRUE(filterWith(QStringLiteral("tcp")));
    ASSERT_EQ(m_window.packetModel()->rowCount(), 2);
    EXPECT_FALSE(m_window.applyFilter(QStringLiteral("ip.sorce == 10.0.0.1")));
    EXPECT_FALSE(m_window.packetModel()->isFiltering());
    EXPECT_EQ(m_window.packetModel()->rowCount(), 2);
    EXPECT_TRUE(m_window.filterEdit()->styleSheet().contains(QLatin1String("#ffafaf")));
    EXPECT_EQ(m_window.filterEdit()->toolTip(),
              QStringLiteral("column 1: unknown field 'ip.sorce'"));
    ASSERT_TRUE(filterWith(QStringLiteral("arp or vlan.id == 100")));
    EXPECT_TRUE(m_window.filterEdit()->styleSheet().isEmpty());
    EXPECT_TRUE(m_window.filterEdit()->toolTip().isEmpty());
    EXPECT_EQ(m_window.packetModel()->rowCount(), 1);
}

// List -> tree -> bytes: the DNS packet's tree, its DNS layer lit in the hex view; a click on
// a byte of the IPv4 header selects the innermost field over it.
TEST_F(CaptureWindowTest, SelectionRunsFromListToTreeToBytesAndBack)
{
    const int dns = fixtureRow("dns-query");
    selectRow(dns);
    const QByteArray frame = fixtureFrames()[size_t(dns)];
    EXPECT_EQ(m_window.hexView()->bytes(), frame);
    QStandardItemModel *tree = m_window.protocolTree()->treeModel();
    ASSERT_EQ(tree->rowCount(), 5); // the frame, Ethernet, IPv4, UDP, DNS
    EXPECT_EQ(tree->item(0)->text(), QStringLiteral("Frame %1: %2 bytes on wire, %2 bytes captured")
                                         .arg(dns + 1)
                                         .arg(frame.size()));
    EXPECT_EQ(tree->item(2)->text(), QStringLiteral("Internet Protocol Version 4, Src: "
                                                    "10.0.0.1, Dst: 10.0.0.53"));
    EXPECT_TRUE(tree->item(4)->text().startsWith(QLatin1String("Domain Name System")));
    m_window.protocolTree()->setCurrentIndex(tree->index(4, 0));
    EXPECT_EQ(m_window.hexView()->highlight(), std::pair(42, qint32(frame.size()) - 42));
    // A click on byte 23 (IPv4's protocol field, in the second line) in the hex view.
    QTest::mouseClick(m_window.hexView()->viewport(), Qt::LeftButton, {},
                      m_window.hexView()->hexRect(23).center());
    const QModelIndex current = treeCurrent();
    ASSERT_TRUE(current.isValid());
    EXPECT_TRUE(current.parent().isValid()) << "a field, not a whole layer";
    EXPECT_EQ(current.parent().row(), 2); // under IPv4
    const int offset = current.data(ProtocolTreeView::OffsetRole).toInt();
    const int length = current.data(ProtocolTreeView::LengthRole).toInt();
    EXPECT_EQ(offset, 23);
    EXPECT_EQ(length, 1);
    EXPECT_EQ(m_window.hexView()->highlight(), std::pair(offset, length));
    // The inner frame of a VXLAN packet: byte 50 + 14 is the inner IPv4 header's first byte.
    selectRow(fixtureRow("vxlan-icmp"));
    ASSERT_TRUE(m_window.protocolTree()->selectByte(64));
    EXPECT_GE(treeCurrent().parent().row(), 6) << "the inner IPv4 layer, not the outer";
}

TEST_F(CaptureWindowTest, AMalformedPacketsTreeEndsWithTheErrorInErrorColour)
{
    selectRow(fixtureRow("truncated-ipv4"));
    QStandardItemModel *tree = m_window.protocolTree()->treeModel();
    ASSERT_GE(tree->rowCount(), 2);
    QStandardItem *last = tree->item(tree->rowCount() - 1);
    EXPECT_EQ(last->text(), QStringLiteral("Malformed Packet"));
    EXPECT_GT(last->background().color().red(), 200);
    EXPECT_LT(last->background().color().green(), 150);
    ASSERT_EQ(last->rowCount(), 1);
    EXPECT_TRUE(last->child(0)->text().contains(QLatin1String("header length 60 exceeds")));
}

TEST_F(CaptureWindowTest, GoToPacketSelectsItUnlessTheFilterHidesIt)
{
    EXPECT_TRUE(m_window.goToPacket(9));
    EXPECT_EQ(m_window.packetList()->currentIndex().row(), 8);
    EXPECT_FALSE(m_window.goToPacket(13));
    ASSERT_TRUE(filterWith(QStringLiteral("udp")));
    EXPECT_FALSE(m_window.goToPacket(5)); // TCP
    EXPECT_TRUE(m_window.goToPacket(7));  // VXLAN
    EXPECT_EQ(cell(m_window.packetList()->currentIndex().row(), 0), QStringLiteral("7"));
}

TEST_F(CaptureWindowTest, CtrlFFocusesTheFilterBar)
{
    QApplication::setActiveWindow(&m_window);
    m_window.packetList()->setFocus();
    QTest::keyClick(&m_window, Qt::Key_F, Qt::ControlModifier);
    EXPECT_TRUE(m_window.filterEdit()->hasFocus());
}

TEST_F(CaptureWindowTest, AgentDropsShowAsAWarning)
{
    m_window.setLiveCounters(1500, 3, 0);
    EXPECT_TRUE(m_window.liveCountersText().contains(QLatin1String("Dropped by the agent: 0")));
    EXPECT_FALSE(m_window.liveCountersText().contains(QLatin1String("color:")));
    m_window.setLiveCounters(2500, 3, 42);
    EXPECT_TRUE(m_window.liveCountersText().contains(QLatin1String("Dropped by the kernel: 3")));
    EXPECT_TRUE(m_window.liveCountersText().contains(QRegularExpression(
        QStringLiteral("<span style=\"color:#[0-9a-f]+[^\"]*\">Dropped by the agent: 42</span>"))));
}

TEST_F(CaptureWindowTest, SaveAsWritesPcapOrPcapngByTheName)
{
    ASSERT_TRUE(m_window.saveAs(path("out.pcap")));
    ASSERT_TRUE(m_window.saveAs(path("out.pcapng")));
    for (auto [name, format] : {std::pair{"out.pcap", PcapFile::Format::Pcap},
                                {"out.pcapng", PcapFile::Format::PcapNg}}) {
        auto file = PcapFile::open(path(name));
        ASSERT_TRUE(file) << name;
        EXPECT_EQ(file->format(), format);
        auto offsets = file->index();
        ASSERT_TRUE(offsets);
        EXPECT_EQ(offsets->size(), 12U) << name;
    }
    EXPECT_FALSE(m_window.saveAs(path("no/dir/out.pcap")));
    EXPECT_TRUE(m_window.lastError().contains(QLatin1String("no/dir/out.pcap")));
}

// Live: the list follows new packets while the user is at its end, and stays where the user
// scrolled to otherwise.
TEST(CaptureWindowLive, TheListKeepsToItsEndWhileTheUserIsThere)
{
    QTemporaryDir dir;
    const QString live = dir.filePath(QStringLiteral("live.pcapng"));
    ASSERT_TRUE(writeFile(live, mixedPcapng(200)));
    CaptureWindow window;
    ASSERT_TRUE(window.openPath(live, true));
    window.show();
    QScrollBar *bar = window.packetList()->verticalScrollBar();
    window.packetList()->scrollToBottom();
    QByteArray more = mixedPcapng(300).mid(mixedPcapng(200).size());
    ASSERT_TRUE(appendFile(live, more));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.packetModel()->rowCount() == 300; }, 3000));
    QCoreApplication::processEvents();
    EXPECT_EQ(bar->value(), bar->maximum());
    EXPECT_EQ(window.displayedText(), QStringLiteral("Displayed: 300 of 300"));
    bar->setValue(10);
    ASSERT_TRUE(appendFile(live, mixedPcapng(400).mid(mixedPcapng(300).size())));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.packetModel()->rowCount() == 400; }, 3000));
    QCoreApplication::processEvents();
    EXPECT_EQ(bar->value(), 10);
    window.stopFollowing();
    EXPECT_FALSE(window.packetModel()->isFollowing());
}

// A big capture filters in slices: the progress bar shows meanwhile and the list changes once.
TEST(CaptureWindowFilter, ABigCaptureShowsProgressWhileItFilters)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("big.pcapng"));
    const int count = 4 * PacketListModel::filterSlice;
    ASSERT_TRUE(writeFile(file, mixedPcapng(count)));
    CaptureWindow window;
    ASSERT_TRUE(window.openPath(file));
    window.show();
    QSignalSpy reset(window.packetModel(), &PacketListModel::modelReset);
    ASSERT_TRUE(window.applyFilter(QStringLiteral("dns")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.filterProgress()->isVisible(); }, 5000));
    EXPECT_EQ(window.displayedText(),
              QStringLiteral("Displayed: %1 of %1").arg(QLocale().toString(count)));
    EXPECT_EQ(reset.count(), 0);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.packetModel()->isFiltering(); }, 10000));
    EXPECT_FALSE(window.filterProgress()->isVisible());
    EXPECT_EQ(reset.count(), 1);
    EXPECT_EQ(window.packetModel()->rowCount(), count / 12 + (count % 12 > 0 ? 1 : 0));
}

TEST(CaptureMenu, OpensACaptureFileInAWindowOfItsOwn)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("a.pcap"));
    ASSERT_TRUE(writeFile(file, CaptureWriter(false).pcap(fixtureFrames(), false)));
    converge::views::MainWindow main;
    QAction *open = nullptr;
    for (QAction *menu : main.menuBar()->actions()) {
        if (menu->text() == QLatin1String("&Capture") && menu->menu())
            open = menu->menu()->actions().value(0);
    }
    ASSERT_TRUE(open);
    EXPECT_EQ(open->text(), QStringLiteral("&Open Capture File\u2026"));
    CaptureWindow *window = main.openCaptureFile(file);
    ASSERT_TRUE(window);
    EXPECT_TRUE(window->isWindow());
    EXPECT_TRUE(window->isVisible());
    EXPECT_EQ(window->packetModel()->rowCount(), 12);
    EXPECT_EQ(window->windowTitle(), QStringLiteral("a.pcap \u2014 Converge Capture"));
    window->close();
    EXPECT_FALSE(main.openCaptureFile(dir.filePath(QStringLiteral("missing.pcap"))));
    EXPECT_TRUE(main.lastError().contains(QLatin1String("missing.pcap")));
}

} // namespace

namespace {

// docs/screenshots/capture-window.png from the real capture beside it (capture-traffic.sh: DNS,
// HTTP over TCP, pings inside VXLAN, a malformed frame): the first VXLAN ping selected, its VNI
// lit in the bytes. docs/screenshots/make.sh runs it under xvfb-run.
TEST(CaptureScreenshot, ARealCaptureWithAVxlanPacketSelectedAt1280x800)
{
    const QString dir = qEnvironmentVariable("CONVERGE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        GTEST_SKIP() << "set CONVERGE_SCREENSHOT_DIR to write docs/screenshots/capture-window.png";
    CaptureWindow window;
    ASSERT_TRUE(window.openPath(
        QStringLiteral(CONVERGE_SOURCE_DIR "/docs/screenshots/capture-window.pcapng")));
    window.resize(1280, 800);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    ASSERT_TRUE(window.goToPacket(21));
    QStandardItemModel *tree = window.protocolTree()->treeModel();
    QStandardItem *vni = nullptr;
    for (int r = 0; r < tree->rowCount() && !vni; ++r) {
        for (int f = 0; f < tree->item(r)->rowCount(); ++f) {
            if (tree->item(r)->child(f)->text().startsWith(QLatin1String("VNI")))
                vni = tree->item(r)->child(f);
        }
    }
    ASSERT_TRUE(vni);
    window.protocolTree()->setCurrentIndex(vni->index());
    window.setLiveCounters(27, 0, 0);
    window.setWindowTitle(QStringLiteral("capture-window.pcapng \u2014 Converge Capture"));
    QTest::qWait(300);
    EXPECT_TRUE(window.grab().save(QDir(dir).filePath(QStringLiteral("capture-window.png"))));
}

} // namespace
