#pragma once

#include "core/deploy/deploytypes.h"

#include <QStringList>
#include <QTextStream>

// convergectl deploy's progress: one line per host; on a terminal the block is redrawn in place
// (each line cut to the terminal's width, so nothing wraps), otherwise one line per step.
namespace converge::app {

class ProgressLines
{
public:
    ProgressLines(QTextStream &out, const QStringList &hosts);
    void update(const QString &host, core::deploy::HostPhase phase, int percent,
                const QString &message);
    void print(const QString &text); // above the block

private:
    void draw(bool redraw);

    QTextStream &m_out;
    bool m_tty;
    QStringList m_hosts, m_lines;
};

} // namespace converge::app
