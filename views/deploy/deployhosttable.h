#pragma once

#include "collectors/console/fleet.h"

#include <QJsonObject>
#include <QTreeWidget>

#include <vector>

class QProgressBar;

namespace converge::views {

// The Deploy dialog's hosts: one row per design host with a check box when an agent can be
// reached for it (otherwise disabled, saying why), the agent's address, the phase, a progress
// bar and the last message. Each row keeps the plan last shown for it and the digest of the plan
// the admin reviewed.
class DeployHostTable : public QTreeWidget
{
    Q_OBJECT

public:
    struct Row
    {
        collectors::FleetHost host;
        QTreeWidgetItem *item = nullptr;
        QProgressBar *bar = nullptr;
        QJsonObject plan;
        QString reviewedDigest; // of the plan shown in the last dry run
        int percent = 0;
    };

    explicit DeployHostTable(QWidget *parent = nullptr);

    void addHost(collectors::FleetHost host, bool checked);
    void sizeColumns();

    QStringList hostNames() const;
    QStringList checkedHosts() const;
    void setHostChecked(const QString &host, bool checked);
    QString statusOf(const QString &host) const;
    QString messageOf(const QString &host) const;
    QProgressBar *progressBarFor(const QString &host) const;
    std::vector<collectors::FleetHost> hosts() const;

    Row *rowFor(const QString &host);
    const Row *rowFor(const QString &host) const;
    const Row *rowOf(const QTreeWidgetItem *item) const;
    const std::vector<Row> &rows() const { return m_rows; }

    // Back to "waiting" at 0 %; with `newReview` the plan and the reviewed digest go too.
    void reset(const QString &host, bool newReview);
    void showProgress(const QString &host, core::deploy::HostPhase phase, int percent,
                      const QString &message);
    int overallPercent(const QStringList &hosts) const;

private:
    std::vector<Row> m_rows;
};

} // namespace converge::views
