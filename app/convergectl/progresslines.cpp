#include "progresslines.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace converge::app {

ProgressLines::ProgressLines(QTextStream &out, const QStringList &hosts)
    : m_out(out)
    , m_tty(isatty(STDOUT_FILENO) == 1)
    , m_hosts(hosts)
{
    for (const QString &host : hosts)
        m_lines << QStringLiteral("%1 waiting").arg(host, -16);
    if (m_tty)
        draw(false);
}

void ProgressLines::update(const QString &host, core::deploy::HostPhase phase, int percent,
                           const QString &message)
{
    const qsizetype i = m_hosts.indexOf(host);
    if (i < 0)
        return;
    const int filled = percent / 5;
    m_lines[i] = QStringLiteral("%1 [%2%3] %4 %5")
                     .arg(host, -16)
                     .arg(QString(filled, QLatin1Char('#')))
                     .arg(QString(20 - filled, QLatin1Char('.')))
                     .arg(core::deploy::phaseName(phase), -11)
                     .arg(message);
    if (m_tty) {
        draw(true);
    } else {
        m_out << m_lines[i] << '\n';
        m_out.flush();
    }
}

void ProgressLines::print(const QString &text)
{
    if (m_tty)
        m_out << QStringLiteral("\x1b[%1A\x1b[J").arg(m_lines.size());
    m_out << text;
    if (m_tty)
        draw(false);
    m_out.flush();
}

void ProgressLines::draw(bool redraw)
{
    if (redraw)
        m_out << QStringLiteral("\x1b[%1A").arg(m_lines.size());
    // A line wider than the terminal would wrap and break the redraw: cut it.
    winsize size{};
    const int columns = ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
    for (const QString &l : m_lines)
        m_out << "\x1b[2K" << (columns > 1 ? l.left(columns - 1) : l) << '\n';
    m_out.flush();
}

} // namespace converge::app
