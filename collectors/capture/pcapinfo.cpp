#include "pcapinfo.h"

#include <pcap/pcap.h>

namespace converge::collectors {

QString pcapLibraryVersion()
{
    return QString::fromLatin1(pcap_lib_version());
}

} // namespace converge::collectors
