#pragma once

#include <QCoreApplication>

namespace converge::testing {

// The QCoreApplication the agent tests need for sockets, timers and Qt's TLS backend. Create it
// before any QSslKey or QSslCertificate: the TLS backend is loaded on first use. Leaked on
// purpose: it outlives every socket of every test.
inline void ensureApp()
{
    static int argc = 1;
    static char name[] = "converge-agent-test";
    static char *argv[] = {name, nullptr};
    if (!QCoreApplication::instance())
        new QCoreApplication(argc, argv);
}

} // namespace converge::testing
