#include "cli/allocator.h"

#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#ifdef JICENG_MIMALLOC
#include <mimalloc.h>
#endif

namespace jiceng::cli {

std::string allocator_in_use() {
#ifdef JICENG_MIMALLOC
  // A block from the C library's malloc lies in mimalloc's heap only if mimalloc's malloc is the
  // one the process resolved.
  std::unique_ptr<void, decltype(&std::free)> block(std::malloc(64), &std::free);
  int version = mi_version();  // e.g. 209
  if (block && mi_is_in_heap_region(block.get())) {
    return fmt::format("mimalloc {}.{}.{}", version / 100, version / 10 % 10, version % 10);
  }
  return "not mimalloc: it is linked, but another malloc (a preloaded one?) is in use";
#else
  return "glibc malloc";
#endif
}

}  // namespace jiceng::cli
