#pragma once

#include <QString>

namespace converge::bench::gui {

// Part 1 of bench-gui-frames: opening `path` and the diagram's first paint, median of 3 fresh
// MainWindows; prints the figures. False when the file does not load.
bool reportOpen(const QString &path);

} // namespace converge::bench::gui
