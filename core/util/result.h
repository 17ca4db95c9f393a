#pragma once

#include <QString>

#include <expected>

namespace converge::core {

// An error a user can act on: a machine-readable code and a message saying where and what.
struct Error
{
    enum class Code { InvalidInput, NewerSchema, NotFound, Io, Store, Conflict };
    Code code = Code::InvalidInput;
    QString message;
    // What a program can act on, where the source gives it (an agent's error code such as
    // "plan-changed"); empty otherwise.
    QString reason = {};
};

template<typename T> using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error::Code code, const QString &message)
{
    return std::unexpected(Error{code, message});
}

inline std::unexpected<Error> invalid(const QString &message)
{
    return fail(Error::Code::InvalidInput, message);
}

} // namespace converge::core
