#pragma once

#include "collectors/console/capturesession.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace converge::views::capture {

// What to capture on a vNIC before a live capture starts (issue 16: "filtered by IP address,
// port or source VM"): through a temporary mirror or on the port, addresses or prefixes, ports,
// a protocol, the VM whose traffic it is, raw BPF, and the snap length. OK stays off while a
// field cannot be read, and the field says why.
class CaptureOptionsDialog : public QDialog
{
    Q_OBJECT

public:
    // TITLE names what is captured; VMS are the host's VMs (the "from VM" choices).
    CaptureOptionsDialog(const QString &title, const QStringList &vms, QWidget *parent = nullptr);

    // The choice as entered (vnic/mirror/interface left for the caller to set).
    collectors::CaptureChoice choice() const;
    // Why the entries cannot be used, empty when they can.
    QString problem() const;

    QLineEdit *addressesEdit() const { return m_addresses; }
    QLineEdit *portsEdit() const { return m_ports; }
    QComboBox *protocolBox() const { return m_protocol; }
    QComboBox *fromVmBox() const { return m_fromVm; }
    QLineEdit *bpfEdit() const { return m_bpf; }
    QCheckBox *viaMirrorBox() const { return m_viaMirror; }

private:
    void check();

    QCheckBox *m_viaMirror;
    QLineEdit *m_addresses;
    QLineEdit *m_ports;
    QComboBox *m_protocol;
    QComboBox *m_fromVm;
    QLineEdit *m_bpf;
    QSpinBox *m_snap;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};

} // namespace converge::views::capture
