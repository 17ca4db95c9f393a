#pragma once

#include <QString>

namespace converge::collectors {

// The libpcap library version the agent captures with, as libpcap reports it.
QString pcapLibraryVersion();

} // namespace converge::collectors
