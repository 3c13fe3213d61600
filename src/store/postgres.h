// The PostgreSQL adapter: a Connection over libpq, and a factory for Database.
//
// Each distinct SQL text is prepared once per connection (unnamed parameter types, inferred by
// the server) and executed with its parameters in text format. Column values come back as
// int64 for int2/int4/int8/oid and bool (0/1), as double for float4/float8/numeric, and as
// text for every other type; SQL NULL is nullptr. bulk_insert uses COPY … FROM STDIN.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"
#include "store/database.h"

namespace jiceng::store {

// Connects with a libpq URI ("postgresql://user@host:port/db?..."). Each connection sets
// application_name=jiceng, TimeZone=UTC and client_encoding=UTF8 (an `options` parameter in the
// URI is kept and extended). A connect_timeout of 10 s applies unless the URI sets one.
// Errors: kInvalidArgument when the URI cannot be parsed; kUnavailable (with libpq's message)
// when the server cannot be reached or refuses the connection.
[[nodiscard]] Result<std::unique_ptr<Connection>> connect_postgres(const std::string& url);

// A ConnectionFactory that calls connect_postgres(url) for every role.
ConnectionFactory postgres_factory(std::string url);

}  // namespace jiceng::store
