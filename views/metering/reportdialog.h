#pragma once

#include "core/metering/report.h"

#include <QDialog>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <optional>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

// The Resource Metering report on screen (issue 15, item 4): a period (presets or from/to), the
// report built off the GUI thread from a TotalsSource (the store may take a while over a month of
// a large design), shown as a table (VMs, their vNICs indented and lighter, pools, the total in
// bold) and exported as CSV or JSON, byte for byte what `convergectl meter report` writes.
namespace converge::views::metering {

class ReportDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Preset { LastHour, Last24Hours, Last7Days, ThisMonth, Custom };
    enum class ExportFormat { Csv, Json };
    // Fixed columns before the report's usage columns (core's UsageColumn order).
    enum Column { TypeColumn, NameColumn, HostColumn, PoolColumn, VmCountColumn, FirstUsageColumn };

    // source must outlive the dialog; it is read from a worker thread (MeteringStore::totals
    // may be called from several threads at once). The design is copied.
    ReportDialog(const core::Design &design, core::metering::TotalsSource *source,
                 QWidget *parent = nullptr);
    ~ReportDialog() override; // waits for a report being built

    void setClock(std::function<qint64()> nowMs); // for tests; default: the system clock
    void choosePreset(Preset preset);             // sets the period and builds
    void setPeriod(qint64 fromMs, qint64 toMs);   // a custom period; builds
    qint64 fromMs() const;
    qint64 toMs() const;

    bool isBuilding() const { return m_building; }
    const std::optional<core::metering::MeteringReport> &report() const { return m_report; }
    QTableWidget *table() const { return m_table; }
    QString statusText() const;

    // What Export CSV... and Export JSON... write once a file is chosen: atomically, replacing
    // the file. Fails with where and what (no report yet, the file not writable).
    core::Result<void> exportReport(const QString &path, ExportFormat format) const;

public Q_SLOTS:
    void build(); // starts building the report of the period shown, off the GUI thread

Q_SIGNALS:
    void reportBuilt();
    void buildFailed(const QString &message);

private:
    QWidget *buildPeriodBar();
    QWidget *buildButtons();
    void presetChosen(int index);
    void periodEdited();
    void showPeriod();
    void finished(quint64 generation, core::Result<core::metering::MeteringReport> result);
    void fillTable(const core::metering::MeteringReport &report);
    void fillRow(int row, const core::metering::UsageRow &usage);
    void setBusy(bool busy);
    void exportWithDialog(ExportFormat format);

    std::shared_ptr<const core::Design> m_design;
    core::metering::TotalsSource *m_source;
    std::function<qint64()> m_now;
    QComboBox *m_presets = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QPushButton *m_show = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_status = nullptr;
    QTableWidget *m_table = nullptr;
    QPushButton *m_exportCsv = nullptr;
    QPushButton *m_exportJson = nullptr;
    std::optional<core::metering::MeteringReport> m_report;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    quint64 m_generation = 0; // a build started later makes earlier results stale
    bool m_building = false;
    bool m_settingPeriod = false;
    QThreadPool m_pool; // one worker: builds run one after another
};

} // namespace converge::views::metering
