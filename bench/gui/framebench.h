#pragma once

#include "guibench.h"

namespace converge::bench::gui {

// Part 2 of bench-gui-frames: `frameCount` scripted zoom and pan steps on the window's diagram,
// each painted and timed (`mode` "repaint", "render", or empty: repaint when it paints at once);
// prints the figures. `probe` watches the diagram's viewport. False when repaint was asked for
// but does not paint synchronously.
bool reportFrames(views::MainWindow &window, PaintProbe &probe, int frameCount, QString mode);

} // namespace converge::bench::gui
