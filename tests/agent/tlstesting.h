#pragma once

// What the TLS channel's tests share: waiting in the event loop, identities, raw frames.
#include "collectors/channel/tlsidentity.h"

#include <gtest/gtest.h>

#include <QByteArray>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>
#include <QtEndian>

#include <functional>

namespace converge::testing {

// Runs the event loop until done() holds (true) or MS pass (false).
inline bool waitUntil(const std::function<bool()> &done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// A frame header announcing LENGTH bytes, and a whole frame around PAYLOAD.
inline QByteArray frameHeader(quint32 length)
{
    QByteArray h(4, Qt::Uninitialized);
    qToBigEndian<quint32>(length, h.data());
    return h;
}

inline QByteArray rawFrame(const QByteArray &payload)
{
    return frameHeader(quint32(payload.size())) + payload;
}

inline collectors::TlsIdentity makeIdentity(const QString &name)
{
    auto identity = collectors::generateIdentity(name);
    EXPECT_TRUE(identity.has_value()) << identity.error().message.toStdString();
    return identity.value_or(collectors::TlsIdentity{});
}

} // namespace converge::testing
