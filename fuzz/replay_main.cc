// The driver of a fuzz target in the test suite (built without libFuzzer, fuzz/CMakeLists.txt):
// runs LLVMFuzzerTestOneInput on every file of the directories and files named on the command
// line, as `target corpus/` does under libFuzzer, then on a few variants of each input (bytes
// flipped, dropped or repeated, from a fixed seed: the same run every time), so that the suite
// also tries near misses of its seeds. A crash, a sanitizer report or an abort fails the test;
// so does an empty corpus (a test that checks nothing).
//
// JICENG_FUZZ_VARIANTS sets the number of variants per input (default 8; 0: the corpus only).
// When an input fails, it is saved as ./failed-input (and named on stderr): add it to the corpus
// once the defect is fixed.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
// The sanitizers' hook, present when they are linked in.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)());

namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The input being run and where it came from, for the report of a failure.
const std::vector<std::uint8_t>* current = nullptr;
std::string current_name;

void report_failure() {
  if (current == nullptr) return;
  std::fprintf(stderr, "\nfailed on %s; saved as ./failed-input\n", current_name.c_str());
  if (std::FILE* f = std::fopen("failed-input", "wb")) {
    std::fwrite(current->data(), 1, current->size(), f);
    std::fclose(f);
  }
  current = nullptr;
}

void run(const std::vector<std::uint8_t>& input, std::string name) {
  current = &input;
  current_name = std::move(name);
  // A copy in memory of its own size, so that ASan sees a read past its end.
  std::vector<std::uint8_t> copy(input);
  LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
  current = nullptr;
}

std::vector<std::uint8_t> variant(std::vector<std::uint8_t> in, std::mt19937& rng) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits && !in.empty(); ++i) {
    const std::size_t at = rng() % in.size();
    switch (rng() % 5) {
      case 0:  // flip a bit
        in[at] = static_cast<std::uint8_t>(in[at] ^ (1u << (rng() % 8)));
        break;
      case 1:  // an interesting byte
        in[at] = std::vector<std::uint8_t>{
            0, 0x7f, 0x80, 0xff, '%', '"', '\\', '\n', '&', '='}[rng() % 10];
        break;
      case 2:  // drop a run
        in.erase(in.begin() + static_cast<std::ptrdiff_t>(at),
                 in.begin() + static_cast<std::ptrdiff_t>(std::min(in.size(), at + 1 + rng() % 8)));
        break;
      case 3: {  // repeat a run
        const std::size_t end = std::min(in.size(), at + 1 + rng() % 16);
        std::vector<std::uint8_t> run(in.begin() + static_cast<std::ptrdiff_t>(at),
                                      in.begin() + static_cast<std::ptrdiff_t>(end));
        in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), run.begin(), run.end());
        break;
      }
      default:  // cut the tail
        in.resize(at);
        break;
    }
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(report_failure);
  std::signal(SIGABRT, [](int) { report_failure(); });  // the target's own checks
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path p = argv[i];
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no inputs: name a corpus directory or files\n");
    return 1;
  }
  const char* v = std::getenv("JICENG_FUZZ_VARIANTS");
  const int variants = v && *v ? std::atoi(v) : 8;
  std::mt19937 rng(20261207);
  std::size_t runs = 0;
  for (const auto& f : files) {
    const auto input = read_file(f);
    run(input, f.string());
    ++runs;
    for (int i = 0; i < variants; ++i, ++runs) {
      run(variant(input, rng), f.string() + ", variant " + std::to_string(i + 1));
    }
  }
  std::printf("%zu inputs from %zu files: no defect found\n", runs, files.size());
  return 0;
}
