#include "reportdialog.h"

#include "meteringunits.h"

#include "core/util/atomicfile.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace converge::views::metering {

using core::metering::MeteringReport;
using core::metering::UsageColumn;
using core::metering::UsageRow;

namespace {

constexpr qint64 hourMs = 3'600'000;

const char *const usageHeaders[core::metering::kUsageColumns] = {
    "Avg CPU", "Avg memory",  "Min memory",   "Max memory",    "Max disk",       "Received",
    "Sent",    "Internet in", "Internet out", "Datacenter in", "Datacenter out",
};

QString rowType(UsageRow::Kind kind)
{
    switch (kind) {
    case UsageRow::Kind::Vm:
        return ReportDialog::tr("VM");
    case UsageRow::Kind::Vnic:
        return ReportDialog::tr("vNIC");
    case UsageRow::Kind::Pool:
        return ReportDialog::tr("Pool");
    case UsageRow::Kind::Total:
        return ReportDialog::tr("Total");
    }
    return {};
}

// Exact figures stay in the tooltip and the exports; the cell reads like the charts.
QTableWidgetItem *usageItem(UsageColumn column, std::optional<double> value)
{
    auto *item = new QTableWidgetItem;
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (!value)
        return item;
    const bool cores = column == UsageColumn::AvgCpuCores;
    item->setText(formatValue(*value, cores ? QStringLiteral("cores") : QStringLiteral("bytes")));
    item->setToolTip(cores ? QStringLiteral("%1 cores").arg(*value, 0, 'f', 3)
                           : QStringLiteral("%1 bytes").arg(*value, 0, 'f', 0));
    return item;
}

QDateTime startOfMonth(qint64 nowMs)
{
    const QDate today = QDateTime::fromMSecsSinceEpoch(nowMs).date();
    return QDateTime(QDate(today.year(), today.month(), 1), QTime(0, 0));
}

} // namespace

ReportDialog::ReportDialog(const core::Design &design, core::metering::TotalsSource *source,
                           QWidget *parent)
    : QDialog(parent)
    , m_design(std::make_shared<const core::Design>(design))
    , m_source(source)
    , m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_table(new QTableWidget(this))
{
    setWindowTitle(tr("Resource Metering report"));
    m_pool.setMaxThreadCount(1);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_status = new QLabel(this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildPeriodBar());
    layout->addWidget(m_table, 1);
    layout->addWidget(buildButtons());
    resize(1100, 600);
    choosePreset(Preset::Last24Hours);
}

ReportDialog::~ReportDialog()
{
    // The worker reads m_source and posts to this dialog: neither may go while it runs.
    m_pool.clear();
    m_pool.waitForDone();
}

QWidget *ReportDialog::buildPeriodBar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_presets = new QComboBox(bar);
    m_presets->addItems(
        {tr("Last hour"), tr("Last 24 hours"), tr("Last 7 days"), tr("This month"), tr("Custom")});
    m_from = new QDateTimeEdit(bar);
    m_to = new QDateTimeEdit(bar);
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, &ReportDialog::periodEdited);
    }
    m_show = new QPushButton(tr("Show"), bar);
    m_busy = new QProgressBar(bar);
    m_busy->setRange(0, 0); // busy: the store gives no progress to show
    m_busy->setMaximumWidth(120);
    m_busy->hide();
    connect(m_presets, &QComboBox::activated, this, &ReportDialog::presetChosen);
    connect(m_show, &QPushButton::clicked, this, &ReportDialog::build);
    row->addWidget(new QLabel(tr("Period:"), bar));
    row->addWidget(m_presets);
    row->addWidget(new QLabel(tr("from"), bar));
    row->addWidget(m_from);
    row->addWidget(new QLabel(tr("to"), bar));
    row->addWidget(m_to);
    row->addWidget(m_show);
    row->addWidget(m_busy);
    row->addStretch(1);
    return bar;
}

QWidget *ReportDialog::buildButtons()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_exportCsv = new QPushButton(tr("Export CSV..."), bar);
    m_exportJson = new QPushButton(tr("Export JSON..."), bar);
    auto *close = new QPushButton(tr("Close"), bar);
    connect(m_exportCsv, &QPushButton::clicked, this,
            [this] { exportWithDialog(ExportFormat::Csv); });
    connect(m_exportJson, &QPushButton::clicked, this,
            [this] { exportWithDialog(ExportFormat::Json); });
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    row->addWidget(m_status, 1);
    row->addWidget(m_exportCsv);
    row->addWidget(m_exportJson);
    row->addWidget(close);
    m_exportCsv->setEnabled(false);
    m_exportJson->setEnabled(false);
    return bar;
}

void ReportDialog::setClock(std::function<qint64()> nowMs)
{
    m_now = std::move(nowMs);
}

void ReportDialog::choosePreset(Preset preset)
{
    m_presets->setCurrentIndex(int(preset));
    presetChosen(int(preset));
}

void ReportDialog::presetChosen(int index)
{
    const qint64 now = m_now();
    switch (Preset(index)) {
    case Preset::LastHour:
        m_fromMs = now - hourMs;
        break;
    case Preset::Last24Hours:
        m_fromMs = now - qint64(24) * hourMs;
        break;
    case Preset::Last7Days:
        m_fromMs = now - qint64(7) * 24 * hourMs;
        break;
    case Preset::ThisMonth:
        m_fromMs = startOfMonth(now).toMSecsSinceEpoch();
        break;
    case Preset::Custom:
        return; // the edits say what the period is
    }
    m_toMs = now;
    showPeriod();
    build();
}

void ReportDialog::setPeriod(qint64 fromMs, qint64 toMs)
{
    m_fromMs = fromMs;
    m_toMs = toMs;
    m_presets->setCurrentIndex(int(Preset::Custom));
    showPeriod();
    build();
}

void ReportDialog::showPeriod()
{
    m_settingPeriod = true;
    m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(m_fromMs));
    m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(m_toMs));
    m_settingPeriod = false;
}

// The edits show minutes: a period typed in starts and ends on whole minutes.
void ReportDialog::periodEdited()
{
    if (m_settingPeriod)
        return;
    m_presets->setCurrentIndex(int(Preset::Custom));
    m_fromMs = m_from->dateTime().toMSecsSinceEpoch() / 60'000 * 60'000;
    m_toMs = m_to->dateTime().toMSecsSinceEpoch() / 60'000 * 60'000;
}

qint64 ReportDialog::fromMs() const
{
    return m_fromMs;
}

qint64 ReportDialog::toMs() const
{
    return m_toMs;
}

QString ReportDialog::statusText() const
{
    return m_status->text();
}

void ReportDialog::build()
{
    const quint64 generation = ++m_generation;
    if (m_fromMs >= m_toMs) {
        setBusy(false);
        const QString message = tr("The period is empty: \"from\" must be before \"to\".");
        m_status->setText(message);
        Q_EMIT buildFailed(message);
        return;
    }
    setBusy(true);
    m_pool.start(
        [this, generation, design = m_design, source = m_source, from = m_fromMs, to = m_toMs] {
            auto result = core::metering::buildMeteringReport(*design, *source, from, to);
            QMetaObject::invokeMethod(
                this, [this, generation, result] { finished(generation, result); },
                Qt::QueuedConnection);
        });
}

void ReportDialog::finished(quint64 generation, core::Result<MeteringReport> result)
{
    if (generation != m_generation)
        return; // a later build is under way; its result is the one to show
    setBusy(false);
    if (!result) {
        m_status->setText(result.error().message);
        Q_EMIT buildFailed(result.error().message);
        return;
    }
    fillTable(*result);
    m_report = std::move(*result);
    m_exportCsv->setEnabled(true);
    m_exportJson->setEnabled(true);
    int vms = 0;
    for (const UsageRow &row : m_report->rows)
        vms += row.kind == UsageRow::Kind::Vm ? 1 : 0;
    m_status->setText(tr("%n VM(s), %1 to %2", nullptr, vms)
                          .arg(QDateTime::fromMSecsSinceEpoch(m_report->fromMs)
                                   .toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                               QDateTime::fromMSecsSinceEpoch(m_report->toMs)
                                   .toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
    Q_EMIT reportBuilt();
}

void ReportDialog::setBusy(bool busy)
{
    m_building = busy;
    m_busy->setVisible(busy);
    if (busy) {
        m_status->setText(tr("Building the report..."));
        m_exportCsv->setEnabled(false);
        m_exportJson->setEnabled(false);
    }
}

void ReportDialog::fillTable(const MeteringReport &report)
{
    QStringList headers{tr("Type"), tr("Name"), tr("Host"), tr("Resource pool"), tr("VMs")};
    for (const char *h : usageHeaders)
        headers << tr(h);
    m_table->clear();
    m_table->setColumnCount(int(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(int(report.rows.size()));
    for (size_t i = 0; i < report.rows.size(); ++i)
        fillRow(int(i), report.rows[i]);
    m_table->resizeColumnsToContents();
}

void ReportDialog::fillRow(int row, const UsageRow &usage)
{
    const bool vnic = usage.kind == UsageRow::Kind::Vnic;
    const bool total = usage.kind == UsageRow::Kind::Total;
    const QString name = vnic ? QStringLiteral("    ") + usage.name : usage.name;
    const QString vms =
        usage.kind == UsageRow::Kind::Pool || total ? QString::number(usage.vmCount) : QString();
    const QStringList fixed{rowType(usage.kind), name, usage.host, usage.pool, vms};
    for (int c = 0; c < int(fixed.size()); ++c)
        m_table->setItem(row, c, new QTableWidgetItem(fixed[c]));
    for (size_t c = 0; c < core::metering::kUsageColumns; ++c)
        m_table->setItem(row, FirstUsageColumn + int(c),
                         usageItem(UsageColumn(c), usage.usage.values[c]));
    QFont bold = m_table->font();
    bold.setBold(true);
    const QColor light = palette().color(QPalette::Disabled, QPalette::Text);
    for (int c = 0; c < m_table->columnCount(); ++c) {
        QTableWidgetItem *item = m_table->item(row, c);
        if (total)
            item->setFont(bold);
        if (vnic)
            item->setForeground(light);
    }
}

core::Result<void> ReportDialog::exportReport(const QString &path, ExportFormat format) const
{
    if (!m_report)
        return core::invalid(tr("%1: no report to export yet").arg(path));
    const QByteArray bytes =
        format == ExportFormat::Csv
            ? m_report->toCsv()
            : QJsonDocument(m_report->toJson()).toJson(QJsonDocument::Indented);
    return core::writeFileAtomically(path, bytes, false);
}

void ReportDialog::exportWithDialog(ExportFormat format)
{
    const bool csv = format == ExportFormat::Csv;
    const QString suggested =
        QStringLiteral("metering-%1-%2.%3")
            .arg(QDateTime::fromMSecsSinceEpoch(m_fromMs).toString(QStringLiteral("yyyyMMdd-HHmm")),
                 QDateTime::fromMSecsSinceEpoch(m_toMs).toString(QStringLiteral("yyyyMMdd-HHmm")),
                 csv ? QStringLiteral("csv") : QStringLiteral("json"));
    const QString path = QFileDialog::getSaveFileName(
        this, csv ? tr("Export CSV") : tr("Export JSON"), QDir::home().filePath(suggested),
        csv ? tr("CSV (*.csv)") : tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    if (auto written = exportReport(path, format); !written) {
        QMessageBox::warning(this, tr("Export failed"), written.error().message);
        return;
    }
    m_status->setText(tr("Wrote %1").arg(QDir::toNativeSeparators(path)));
}

} // namespace converge::views::metering
