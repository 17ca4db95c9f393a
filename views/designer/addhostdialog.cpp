#include "addhostdialog.h"

#include "core/model/labels.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace converge::views {

namespace {

using Placement = core::HostPlan::Placement;

QComboBox *placementCombo(const QString &object, bool converged, Placement initial)
{
    auto *combo = new QComboBox;
    combo->setObjectName(object);
    combo->addItem(QObject::tr("Not on this host"), int(Placement::None));
    if (converged)
        combo->addItem(QObject::tr("Converged switch (QoS weight)"), int(Placement::Converged));
    combo->addItem(QObject::tr("Dedicated NICs and switch"), int(Placement::Dedicated));
    combo->setCurrentIndex(combo->findData(int(initial)));
    return combo;
}

} // namespace

AddHostDialog::AddHostDialog(const core::Design &design, QWidget *parent)
    : QDialog(parent)
    , m_design(design)
{
    setWindowTitle(tr("Add Host"));
    setObjectName(QStringLiteral("addHostDialog"));
    const core::HostPlan defaults;
    m_name = new QLineEdit(
        tr("HV%1").arg(design.count(core::ElementKind::Host) + 1, 2, 10, QLatin1Char('0')));
    m_name->setObjectName(QStringLiteral("name"));
    m_platform = new QComboBox;
    m_platform->addItem(tr("Hyper-V (PowerShell bundle)"), core::value::hyperv);
    m_platform->addItem(tr("Linux with Open vSwitch (agent)"), core::value::linuxOvs);
    m_nics = new QSpinBox;
    m_nics->setObjectName(QStringLiteral("nics"));
    m_nics->setRange(1, 32);
    m_nics->setValue(defaults.nics);
    m_speed = new QComboBox;
    for (double bps : {1e9, 1e10, 2.5e10})
        m_speed->addItem(core::formatBandwidth(bps), bps);
    m_speed->setCurrentIndex(1);
    m_team = new QCheckBox(tr("Team the LAN NICs (switch independent, Hyper-V port)"));
    m_team->setObjectName(QStringLiteral("team"));
    m_team->setChecked(defaults.team);
    m_iscsi = placementCombo(QStringLiteral("iscsi"), false, defaults.iscsi);
    m_migration = placementCombo(QStringLiteral("liveMigration"), true, defaults.liveMigration);
    m_cluster = placementCombo(QStringLiteral("cluster"), true, defaults.clusterTraffic);
    m_management = new QLineEdit;
    m_management->setPlaceholderText(tr("e.g. 10.127.4.50/22 (optional)"));
    m_problem = new QLabel;
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Platform:"), m_platform);
    form->addRow(tr("Physical &NICs:"), m_nics);
    form->addRow(tr("NIC &speed:"), m_speed);
    form->addRow(QString(), m_team);
    form->addRow(tr("&iSCSI:"), m_iscsi);
    form->addRow(tr("&Live migration:"), m_migration);
    form->addRow(tr("&Cluster:"), m_cluster);
    form->addRow(tr("&Management address:"), m_management);
    auto *note = new QLabel(tr("LAN and management share the (teamed) LAN switch. iSCSI gets two "
                               "NICs of its own, each with its own switch, never teamed, with "
                               "MPIO (Dell EqualLogic SMB guide, design templates)."));
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    for (QComboBox *c : {m_platform, m_speed, m_iscsi, m_migration, m_cluster})
        connect(c, &QComboBox::currentIndexChanged, this, &AddHostDialog::check);
    connect(m_nics, &QSpinBox::valueChanged, this, &AddHostDialog::check);
    connect(m_team, &QCheckBox::toggled, this, &AddHostDialog::check);
    connect(m_name, &QLineEdit::textChanged, this, &AddHostDialog::check);
    connect(m_management, &QLineEdit::textChanged, this, &AddHostDialog::check);
    check();
}

core::HostPlan AddHostDialog::plan() const
{
    core::HostPlan p;
    p.name = m_name->text().trimmed();
    p.platform = m_platform->currentData().toString();
    p.nics = m_nics->value();
    p.speed = qint64(m_speed->currentData().toDouble());
    p.team = m_team->isChecked();
    p.iscsi = Placement(m_iscsi->currentData().toInt());
    p.liveMigration = Placement(m_migration->currentData().toInt());
    p.clusterTraffic = Placement(m_cluster->currentData().toInt());
    p.managementAddress = m_management->text().trimmed();
    return p;
}

core::Result<core::Edit> AddHostDialog::edit() const
{
    return core::commands::addHost(m_design, plan());
}

void AddHostDialog::check()
{
    const auto built = edit();
    m_problem->setText(built ? QString() : built.error().message);
    m_problem->setVisible(!built);
    if (m_ok)
        m_ok->setEnabled(bool(built));
}

} // namespace converge::views
