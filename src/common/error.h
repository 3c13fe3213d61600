// Errors as values. Every fallible function at a module boundary returns Result<T>; the HTTP
// layer maps ErrorCode to a status in one table (http/errors.cc), the CLI to an exit code.
#pragma once

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jiceng {

// Protocol-neutral error codes. Add a code only when a caller must react to it differently.
enum class ErrorCode {
  kInvalidArgument,     // the input is malformed or out of range (HTTP 400)
  kNotFound,            // the object does not exist, or is outside the caller's scope (404)
  kAlreadyExists,       // a unique key is taken (409)
  kConflict,            // the object changed under the caller (409/412)
  kFailedPrecondition,  // the command is not allowed in the current state (409)
  kPermissionDenied,    // the caller may not do this (403)
  kUnauthenticated,     // no or bad credentials (401)
  kPayloadTooLarge,     // the input exceeds a size limit (413)
  kUnprocessable,       // well-formed but contradicts an earlier request, e.g. a reused
                        // idempotency key with another body (422)
  kResourceExhausted,   // too many requests; try later (429)
  kUnavailable,         // a dependency (the store) is down; try later (503)
  kInternal,            // a bug or an unexpected state; details are logged, never shown (500)
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message{};     // for people, in English: what went wrong and what to do
  std::string message_zh{};  // the same in Chinese, where the code that failed gave one
  // The message is a dependency's own words (the database's, say): logged, never shown to the
  // caller, who gets a generic message for the code instead.
  bool raw = false;
  // A command refused in the current state (409): the commands that could succeed now, by their
  // API names, also in the answer's body ("allowed"), so that a client need not read the
  // message. Unset for every other error.
  std::optional<std::vector<std::string>> allowed{};
  // The write lost a race with a concurrent transaction (a row it read was changed or a key it
  // computed was taken before it could write; PostgreSQL's serialization failure or deadlock):
  // running it again, on what is committed now, may succeed (store::settle_races).
  bool transient = false;

  // A copy with the Chinese message set.
  Error zh(std::string m) const {
    Error e = *this;
    e.message_zh = std::move(m);
    return e;
  }

  static Error invalid_argument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
  }
  static Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error already_exists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Error conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Error failed_precondition(std::string m) {
    return {ErrorCode::kFailedPrecondition, std::move(m)};
  }
  static Error unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
};

// Thrown only by Result<T>::value() on an error: a programming error, since callers check first.
class ErrorException : public std::exception {
 public:
  explicit ErrorException(Error e) : error_(std::move(e)) {}
  const char* what() const noexcept override { return error_.message.c_str(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace jiceng
