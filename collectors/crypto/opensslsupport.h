#pragma once

// OpenSSL helpers shared by collectors' .cpp files (TLS identity, bundle signing). Private: only
// .cpp files include this, so OpenSSL never leaks into collectors' public headers.
#include <QByteArray>
#include <QString>

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>

namespace converge::collectors::openssl {

template<auto Free> struct Deleter
{
    template<typename T> void operator()(T *p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

// The reason OpenSSL queued for the last failure (clearing the queue), so an error says more
// than "failed".
QString lastError();
// A read-only memory BIO over `bytes` (which must outlive it).
BioPtr memoryBio(const QByteArray &bytes);
// What has been written to a memory BIO.
QByteArray bioContents(BIO *bio);

} // namespace converge::collectors::openssl
