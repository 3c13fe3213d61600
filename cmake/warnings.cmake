# Warnings are errors, everywhere in our own code.
add_library(jiceng_warnings INTERFACE)
target_compile_options(jiceng_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2)
# GCC 12's flow-based warnings give false positives once the optimiser inlines (std::variant,
# std::string concatenation, boost::system::result): in optimised builds they are shown but do
# not fail the build. The dev preset (-O0) keeps every warning an error. (-Wnull-dereference is
# left out altogether for the same reason.)
target_compile_options(jiceng_warnings INTERFACE
  $<$<NOT:$<CONFIG:Debug>>:-Wno-error=maybe-uninitialized -Wno-error=restrict
                           -Wno-error=array-bounds -Wno-error=stringop-overflow>)

if(JICENG_FUZZ)
  # Every library carries libFuzzer's coverage hooks; the fuzz targets link its driver
  # (fuzz/CMakeLists.txt). Clang 14's function sanitizer cannot build coroutines ("Cannot
  # represent a difference across sections"), so it is left out; ASan and UBSan stay.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(JICENG_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(JICENG_TSAN)
  # TSan does not model fences (GCC refuses them under -Werror=tsan). Asio's handler fences back
  # up the locks of its scheduler, which TSan does see; without them it reports only what the
  # locks and atomics leave unordered.
  add_compile_definitions(BOOST_ASIO_DISABLE_FENCED_BLOCK)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# One call per module: a library target named jiceng_<module>, its sources found by glob.
function(jiceng_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|/main)\\.cc$")
  if(NOT srcs)
    message(WARNING "module ${name} has no sources yet")
    return()
  endif()
  add_library(jiceng_${name} STATIC ${srcs})
  target_include_directories(jiceng_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(jiceng_${name} PUBLIC ${M_DEPS} PRIVATE jiceng_warnings)
endfunction()
