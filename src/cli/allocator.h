// Which memory allocator the process runs on: mimalloc when the build links it
// (JICENG_MIMALLOC) and it really replaced the C library's malloc, else glibc's.
#pragma once

#include <string>

namespace jiceng::cli {

// "mimalloc 2.0.9"; "glibc malloc" in a build without it (the sanitizers'); or a warning when
// mimalloc was linked but another malloc won (an LD_PRELOAD of another allocator).
std::string allocator_in_use();

}  // namespace jiceng::cli
