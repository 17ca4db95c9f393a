#pragma once

#include "core/model/hostbuilder.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace converge::views {

// Insert > Host from Wizard: asks how many NICs, whether to team them and where each kind of
// traffic goes, then builds the host the way the SMB design templates do (commands::addHost).
// OK stays disabled while the plan cannot be built, and the reason is shown.
class AddHostDialog : public QDialog
{
    Q_OBJECT

public:
    AddHostDialog(const core::Design &design, QWidget *parent = nullptr);

    core::HostPlan plan() const;
    core::Result<core::Edit> edit() const; // the edit for the current answers

private:
    void check();

    const core::Design &m_design;
    QLineEdit *m_name;
    QComboBox *m_platform;
    QSpinBox *m_nics;
    QComboBox *m_speed;
    QCheckBox *m_team;
    QComboBox *m_iscsi, *m_migration, *m_cluster;
    QLineEdit *m_management;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};

} // namespace converge::views
