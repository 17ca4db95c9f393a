#include "captureoptionsdialog.h"

#include "core/util/ipaddress.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>

namespace converge::views::capture {

namespace {

QStringList items(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

// "10.0.0.1", "2001:db8::1", "10.1.0.0/16".
bool isAddressOrPrefix(const QString &text)
{
    if (text.contains(QLatin1Char('/')))
        return core::IpPrefix::parse(text).has_value();
    return core::IpAddress::parse(text).has_value();
}

} // namespace

CaptureOptionsDialog::CaptureOptionsDialog(const QString &title, const QStringList &vms,
                                           QWidget *parent)
    : QDialog(parent)
    , m_viaMirror(new QCheckBox(tr("Through a temporary mirror (the VM's port is not touched)")))
    , m_addresses(new QLineEdit)
    , m_ports(new QLineEdit)
    , m_protocol(new QComboBox)
    , m_fromVm(new QComboBox)
    , m_bpf(new QLineEdit)
    , m_snap(new QSpinBox)
    , m_problem(new QLabel)
{
    setWindowTitle(tr("Capture %1").arg(title));
    m_viaMirror->setChecked(true);
    m_addresses->setPlaceholderText(tr("any (e.g. 10.0.0.5, 10.1.0.0/16)"));
    m_ports->setPlaceholderText(tr("any (e.g. 53, 443)"));
    m_protocol->addItem(tr("any"), QString());
    for (const char *p : {"tcp", "udp", "icmp", "icmp6", "arp", "ip", "ip6"})
        m_protocol->addItem(QLatin1String(p), QLatin1String(p));
    m_fromVm->addItem(tr("any"), QString());
    for (const QString &vm : vms)
        m_fromVm->addItem(vm, vm);
    m_bpf->setPlaceholderText(tr("optional, tcpdump syntax (e.g. not port 22)"));
    m_snap->setRange(64, 262144);
    m_snap->setValue(262144);
    m_snap->setSuffix(tr(" bytes"));
    m_problem->setObjectName(QStringLiteral("captureOptionsProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(m_viaMirror);
    form->addRow(tr("&Addresses:"), m_addresses);
    form->addRow(tr("&Ports:"), m_ports);
    form->addRow(tr("P&rotocol:"), m_protocol);
    form->addRow(tr("&From VM:"), m_fromVm);
    form->addRow(tr("&BPF filter:"), m_bpf);
    form->addRow(tr("&Snap length:"), m_snap);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Start &Capture"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    for (QLineEdit *edit : {m_addresses, m_ports, m_bpf})
        connect(edit, &QLineEdit::textChanged, this, &CaptureOptionsDialog::check);
    check();
}

QString CaptureOptionsDialog::problem() const
{
    for (const QString &a : items(m_addresses->text()))
        if (!isAddressOrPrefix(a))
            return tr("Addresses: %1 is not an IPv4 or IPv6 address or prefix").arg(a);
    for (const QString &p : items(m_ports->text())) {
        bool ok = false;
        const uint port = p.toUInt(&ok);
        if (!ok || port < 1 || port > 65535)
            return tr("Ports: %1 is not a port number in 1-65535").arg(p);
    }
    if (m_bpf->text().size() > 1024)
        return tr("BPF filter: longer than 1,024 characters");
    return {};
}

void CaptureOptionsDialog::check()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    if (m_ok)
        m_ok->setEnabled(why.isEmpty());
}

collectors::CaptureChoice CaptureOptionsDialog::choice() const
{
    collectors::CaptureChoice c;
    c.viaMirror = m_viaMirror->isChecked();
    c.addresses = items(m_addresses->text());
    for (const QString &p : items(m_ports->text()))
        c.ports << quint16(p.toUInt());
    c.protocol = m_protocol->currentData().toString();
    c.fromVm = m_fromVm->currentData().toString();
    c.bpf = m_bpf->text().trimmed();
    c.snapLength = m_snap->value();
    return c;
}

} // namespace converge::views::capture
