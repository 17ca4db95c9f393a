#include "deployhosttable.h"

#include "fleetstatus.h"

#include <QHeaderView>
#include <QProgressBar>

#include <algorithm>

namespace converge::views {

using collectors::FleetHost;
using core::deploy::HostPhase;

namespace {

enum Column { HostColumn, AgentColumn, StatusColumn, ProgressColumn, ResultColumn, ColumnCount };

QColor phaseColor(HostPhase phase)
{
    switch (phase) {
    case HostPhase::Confirmed:
    case HostPhase::Unchanged:
        return QColor(0x10, 0x70, 0x10);
    case HostPhase::Failed:
    case HostPhase::RolledBack:
    case HostPhase::Cancelled:
    case HostPhase::LeftToDeadline:
        return QColor(0xc0, 0x00, 0x00);
    default:
        return {};
    }
}

} // namespace

DeployHostTable::DeployHostTable(QWidget *parent)
    : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("deployHosts"));
    setRootIsDecorated(false);
    setColumnCount(ColumnCount);
    setHeaderLabels({tr("Host"), tr("Agent"), tr("Status"), tr("Progress"), tr("Result")});
    header()->setStretchLastSection(true);
    setAccessibleName(tr("Hosts to deploy to"));
}

void DeployHostTable::addHost(FleetHost host, bool checked)
{
    Row row;
    row.host = std::move(host);
    const bool ready = row.host.status == FleetHost::Status::Ready;
    row.item = new QTreeWidgetItem(this);
    row.item->setText(HostColumn, row.host.name);
    row.item->setData(HostColumn, Qt::UserRole, row.host.name);
    row.item->setText(AgentColumn, row.host.agent ? row.host.agent->address : QString());
    row.item->setText(StatusColumn, ready ? tr("waiting") : statusText(row.host));
    row.item->setFlags(ready ? Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable
                             : Qt::ItemIsSelectable);
    if (ready)
        row.item->setCheckState(HostColumn, checked ? Qt::Checked : Qt::Unchecked);
    row.bar = new QProgressBar;
    row.bar->setRange(0, 100);
    row.bar->setValue(0);
    row.bar->setEnabled(ready);
    row.bar->setAccessibleName(tr("Progress on %1").arg(row.host.name));
    setItemWidget(row.item, ProgressColumn, row.bar);
    m_rows.push_back(std::move(row));
}

void DeployHostTable::sizeColumns()
{
    for (int c : {HostColumn, AgentColumn, StatusColumn})
        resizeColumnToContents(c);
    // Room for the longest phase, so the status never shows elided while it changes.
    setColumnWidth(StatusColumn, std::max(columnWidth(StatusColumn),
                                          fontMetrics().horizontalAdvance(
                                              core::deploy::phaseName(HostPhase::Applied)) +
                                              24));
    setColumnWidth(ProgressColumn, 160);
}

QStringList DeployHostTable::hostNames() const
{
    QStringList out;
    for (const Row &r : m_rows)
        out << r.host.name;
    return out;
}

QStringList DeployHostTable::checkedHosts() const
{
    QStringList out;
    for (const Row &r : m_rows)
        if (r.host.status == FleetHost::Status::Ready &&
            r.item->checkState(HostColumn) == Qt::Checked)
            out << r.host.name;
    return out;
}

void DeployHostTable::setHostChecked(const QString &host, bool checked)
{
    if (Row *r = rowFor(host); r && r->host.status == FleetHost::Status::Ready)
        r->item->setCheckState(HostColumn, checked ? Qt::Checked : Qt::Unchecked);
}

QString DeployHostTable::statusOf(const QString &host) const
{
    const Row *r = rowFor(host);
    return r ? r->item->text(StatusColumn) : QString();
}

QString DeployHostTable::messageOf(const QString &host) const
{
    const Row *r = rowFor(host);
    return r ? r->item->text(ResultColumn) : QString();
}

QProgressBar *DeployHostTable::progressBarFor(const QString &host) const
{
    const Row *r = rowFor(host);
    return r ? r->bar : nullptr;
}

std::vector<FleetHost> DeployHostTable::hosts() const
{
    std::vector<FleetHost> out;
    for (const Row &r : m_rows)
        out.push_back(r.host);
    return out;
}

DeployHostTable::Row *DeployHostTable::rowFor(const QString &host)
{
    const auto it = std::ranges::find(m_rows, host, [](const Row &r) { return r.host.name; });
    return it == m_rows.end() ? nullptr : &*it;
}

const DeployHostTable::Row *DeployHostTable::rowFor(const QString &host) const
{
    return const_cast<DeployHostTable *>(this)->rowFor(host);
}

const DeployHostTable::Row *DeployHostTable::rowOf(const QTreeWidgetItem *item) const
{
    return item ? rowFor(item->data(HostColumn, Qt::UserRole).toString()) : nullptr;
}

void DeployHostTable::reset(const QString &host, bool newReview)
{
    Row *r = rowFor(host);
    if (!r)
        return;
    r->percent = 0;
    r->bar->setValue(0);
    r->item->setText(StatusColumn, tr("waiting"));
    r->item->setForeground(StatusColumn, QBrush());
    r->item->setText(ResultColumn, QString());
    if (newReview) {
        r->plan = {};
        r->reviewedDigest.clear();
    }
}

void DeployHostTable::showProgress(const QString &host, HostPhase phase, int percent,
                                   const QString &message)
{
    Row *r = rowFor(host);
    if (!r)
        return;
    r->percent = percent;
    r->bar->setValue(percent);
    r->item->setText(StatusColumn, core::deploy::phaseName(phase));
    r->item->setForeground(StatusColumn, phaseColor(phase));
    r->item->setText(ResultColumn, message);
    r->item->setToolTip(ResultColumn, message);
}

int DeployHostTable::overallPercent(const QStringList &hosts) const
{
    int sum = 0;
    for (const QString &h : hosts)
        if (const Row *r = rowFor(h))
            sum += r->percent;
    return hosts.isEmpty() ? 0 : sum / int(hosts.size());
}

} // namespace converge::views
