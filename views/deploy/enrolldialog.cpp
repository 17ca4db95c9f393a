#include "enrolldialog.h"

#include "collectors/console/background.h"
#include "collectors/console/enroller.h"
#include "core/model/design.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMutex>
#include <QPushButton>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include <atomic>

namespace converge::views {

EnrollDialog::EnrollDialog(const core::Design &design,
                           std::shared_ptr<core::protocol::AgentConnector> agents, QWidget *parent)
    : QDialog(parent)
    , m_design(design)
    , m_agents(std::move(agents))
    , m_host(new QComboBox)
    , m_address(new QLineEdit)
    , m_token(new QLineEdit)
    , m_instructions(new QLabel)
    , m_status(new QLabel)
    , m_poll(new QTimer(this))
{
    setObjectName(QStringLiteral("enrollDialog"));
    setWindowTitle(tr("Enroll Agent"));
    for (const core::Element *h : design.elements(core::ElementKind::Host)) {
        if (h->value(core::key::platform).toString() == core::value::linuxOvs)
            m_host->addItem(h->name(), h->id);
    }
    m_address->setPlaceholderText(tr("10.0.0.5:7443"));
    m_token->setPlaceholderText(tr("paste the token `converged --issue-token` printed"));
    auto *generate = new QPushButton(tr("&Generate"));
    connect(generate, &QPushButton::clicked, this, &EnrollDialog::generateToken);
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(generate);
    auto *form = new QFormLayout;
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("Agent &address:"), m_address);
    form->addRow(tr("&Token:"), tokenRow);
    m_instructions->setWordWrap(true);
    m_instructions->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);

    auto *buttons = new QDialogButtonBox;
    m_enroll = buttons->addButton(tr("&Enroll"), QDialogButtonBox::AcceptRole);
    m_stop = buttons->addButton(tr("&Stop Waiting"), QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    m_stop->setEnabled(false);
    connect(m_enroll, &QPushButton::clicked, this, &EnrollDialog::enroll);
    connect(m_stop, &QPushButton::clicked, this, &EnrollDialog::stopEnrolling);
    connect(buttons, &QDialogButtonBox::rejected, this, &EnrollDialog::reject);
    connect(m_host, &QComboBox::currentIndexChanged, this, &EnrollDialog::hostChanged);
    connect(m_poll, &QTimer::timeout, this, &EnrollDialog::showProgress);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_instructions);
    layout->addWidget(m_status);
    layout->addStretch();
    layout->addWidget(buttons);
    hostChanged();
    if (m_host->count() == 0) {
        setStatus(tr("This design has no linux-ovs host: only those run an agent."), true);
        m_enroll->setEnabled(false);
    }
}

EnrollDialog::~EnrollDialog()
{
    stopEnrolling(); // the worker ends after its current attempt
}

void EnrollDialog::hostChanged()
{
    const core::Element *h = m_design.find(m_host->currentData().toString());
    m_address->setText(h ? h->value(core::key::agentAddress).toString() : QString());
}

QString EnrollDialog::generateToken()
{
    m_generated = collectors::newEnrollmentToken();
    m_token->setText(m_generated);
    m_instructions->setText(tr("On %1, run as root:<br><br><code>converged --enroll-token "
                               "%2</code><br><br>Enroll then waits for the agent, trying every "
                               "%3 s.")
                                .arg(m_host->currentText().toHtmlEscaped(), m_generated)
                                .arg(retryMs / 1000));
    return m_generated;
}

void EnrollDialog::enroll()
{
    const QString token = m_token->text().trimmed();
    const QString address = m_address->text().trimmed();
    if (auto endpoint = core::protocol::parseAgentAddress(address); !endpoint)
        return setStatus(endpoint.error().message, true);
    if (token.size() < 16)
        return setStatus(tr("Paste the host's token, or Generate one."), true);
    if (!m_agents)
        return setStatus(tr("This console has no way to reach agents."), true);
    stopEnrolling();
    auto attempt = std::make_shared<collectors::EnrollAttempts>();
    // A generated token is retried until the agent has it; a pasted one is tried once.
    if (!m_generated.isEmpty() && token == m_generated)
        attempt->wait = std::chrono::hours(24 * 365);
    attempt->interval = std::chrono::milliseconds(retryMs);
    attempt->attemptTimeoutMs = 5000;
    m_attempt = attempt;
    const QString host = m_host->currentText();
    m_enroll->setEnabled(false);
    m_stop->setEnabled(true);
    m_poll->start(500);
    showProgress();
    collectors::runInBackground<core::Result<core::deploy::AgentRecord>>(
        this,
        [agents = m_agents, attempt, host, address, token] {
            return collectors::enrollWhenReady(*agents, host, address, token, *attempt);
        },
        [this, attempt](core::Result<core::deploy::AgentRecord> result) {
            if (m_attempt != attempt)
                return; // stopped meanwhile
            stopEnrolling();
            if (!result)
                return setStatus(tr("Enrollment failed: %1").arg(result.error().message), true);
            m_record = *result;
            setStatus(
                tr("Enrolled %1; agent certificate %2").arg(m_record.host, m_record.fingerprint),
                false);
            Q_EMIT enrolled(m_record);
            accept();
        });
}

void EnrollDialog::stopEnrolling()
{
    if (!m_attempt)
        return;
    m_attempt->cancelled = true;
    m_attempt.reset();
    m_poll->stop();
    m_enroll->setEnabled(true);
    m_stop->setEnabled(false);
    setStatus(tr("Stopped waiting for the agent."), false);
}

void EnrollDialog::showProgress()
{
    if (!m_attempt)
        return;
    QMutexLocker lock(&m_attempt->mutex);
    setStatus(m_attempt->tries == 0 ? tr("Contacting the agent at %1\u2026").arg(m_address->text())
                                    : tr("Waiting for the agent at %1 (attempt %2: %3)\u2026")
                                          .arg(m_address->text())
                                          .arg(m_attempt->tries)
                                          .arg(m_attempt->lastError),
              false);
}

QString EnrollDialog::statusText() const
{
    return m_status->text();
}

void EnrollDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color:#c00000") : QString());
}

} // namespace converge::views
