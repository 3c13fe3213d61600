// The subcommands of `jiceng`. Each returns the process exit code: 0 ok, 1 failure (the message
// is printed), 2 bad usage (CLI11 prints it).
#pragma once

#include <string>

#include "cli/config.h"

namespace jiceng::cli {

int serve(const Config& config);
int migrate(const Config& config);
int import_divisions(const Config& config, const std::string& province, bool all);
int import_calendar(const Config& config);
int demo(const Config& config);

}  // namespace jiceng::cli
