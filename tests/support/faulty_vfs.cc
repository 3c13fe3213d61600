#include "support/faulty_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace jiceng::testing {

namespace {

// The state every file of the VFS reads (connections run on several threads).
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> counted{0};
std::atomic<std::uint64_t> fail_at{0};  // 0: none
std::atomic<bool> failed{false};
std::atomic<bool> disk_full{false};
std::atomic<std::uint64_t> full_refusals{0};
std::atomic<std::uint64_t> cut_at{0};  // 0: none
std::atomic<bool> power_off{false};

// What a write or truncate changed since its file's last sync (D2).
struct Change {
  bool truncate = false;
  sqlite3_int64 offset = 0;       // a write's offset, or a truncate's new size
  sqlite3_int64 size_before = 0;  // the file's size before it
  std::string old_bytes{};        // what it overwrote (a truncate: the tail it cut off)
  std::string new_bytes{};        // a write's bytes
};
std::mutex changes_mu;
std::map<std::string, std::vector<Change>> unsynced;  // by path
std::set<std::string> opened;                         // every path opened

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs faulty_vfs{};

// The directory whose files a power cut stops (cut_power_after); read only while one is armed.
std::mutex cut_mu;
std::string cut_under;

bool armed_for_cut() { return cut_at.load() != 0 || power_off.load(); }
bool in_cut_scope(const char* name) {
  std::lock_guard lock(cut_mu);
  return name && std::string_view(name).starts_with(cut_under);
}

// One operation on the file `name`: true when it is the one to fail, or the power is off for
// it. While a power cut is armed, only the files under its directory count and fail.
bool fails_now(const char* name) {
  if (armed_for_cut()) {
    if (!in_cut_scope(name)) return false;
    if (power_off.load()) return true;
  }
  if (!counting.load()) return false;
  const std::uint64_t n = counted.fetch_add(1) + 1;
  if (n == fail_at.load()) {
    failed = true;
    return true;
  }
  if (const auto cut = cut_at.load(); cut != 0 && n >= cut) {
    power_off = true;
    return true;
  }
  return false;
}

// Our file: the methods and the path first, the real VFS's file right after it (szOsFile
// covers both). SQLite keeps the name valid until the file is closed.
struct File {
  sqlite3_file base;
  const char* name;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
File* cast(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real(sqlite3_file* f) { return cast(f)->real(); }

int x_close(sqlite3_file* f) {
  sqlite3_file* r = real(f);
  return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}
int x_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  if (fails_now(cast(f)->name)) return SQLITE_IOERR_READ;
  return real(f)->pMethods->xRead(real(f), buf, amount, offset);
}
// Remembers the change a write or truncate is about to make (D2): the file's size and what
// lies in [from, to) now.
int remember(sqlite3_file* f, Change change, sqlite3_int64 from, sqlite3_int64 to) {
  const char* name = cast(f)->name;
  if (!name) return SQLITE_OK;
  int rc = real(f)->pMethods->xFileSize(real(f), &change.size_before);
  if (rc != SQLITE_OK) return rc;
  to = std::min(to, change.size_before);
  if (from < to) {
    change.old_bytes.resize(static_cast<std::size_t>(to - from));
    rc = real(f)->pMethods->xRead(real(f), change.old_bytes.data(),
                                  static_cast<int>(change.old_bytes.size()), from);
    if (rc != SQLITE_OK) return rc;
  }
  std::lock_guard lock(changes_mu);
  unsynced[name].push_back(std::move(change));
  return SQLITE_OK;
}

int x_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  if (fails_now(cast(f)->name)) return SQLITE_IOERR_WRITE;
  if (disk_full.load()) {
    sqlite3_int64 size = 0;
    int rc = real(f)->pMethods->xFileSize(real(f), &size);
    if (rc != SQLITE_OK) return rc;
    if (offset + amount > size) {
      full_refusals.fetch_add(1);
      return SQLITE_FULL;
    }
  }
  Change change;
  change.offset = offset;
  change.new_bytes.assign(static_cast<const char*>(buf), static_cast<std::size_t>(amount));
  if (int rc = remember(f, std::move(change), offset, offset + amount); rc != SQLITE_OK) {
    return rc;
  }
  return real(f)->pMethods->xWrite(real(f), buf, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (fails_now(cast(f)->name)) return SQLITE_IOERR_TRUNCATE;
  Change change;
  change.truncate = true;
  change.offset = size;
  if (int rc = remember(f, std::move(change), size, INT64_MAX); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (fails_now(cast(f)->name)) return SQLITE_IOERR_FSYNC;
  int rc = real(f)->pMethods->xSync(real(f), flags);
  if (rc == SQLITE_OK && cast(f)->name) {
    // Every change made to the file so far is on the disk, by whichever connection made it.
    std::lock_guard lock(changes_mu);
    unsynced.erase(cast(f)->name);
  }
  return rc;
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int x_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int x_check_reserved_lock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}

// Version 2: no xFetch, so SQLite maps nothing and reads every page with xRead.
const sqlite3_io_methods kMethods = {2,
                                     x_close,
                                     x_read,
                                     x_write,
                                     x_truncate,
                                     x_sync,
                                     x_file_size,
                                     x_lock,
                                     x_unlock,
                                     x_check_reserved_lock,
                                     x_file_control,
                                     x_sector_size,
                                     x_device_characteristics,
                                     x_shm_map,
                                     x_shm_lock,
                                     x_shm_barrier,
                                     x_shm_unmap,
                                     nullptr,
                                     nullptr};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = cast(f);
  file->base.pMethods = nullptr;
  file->name = name;
  if (power_off.load() && in_cut_scope(name)) return SQLITE_CANTOPEN;
  int rc = real_vfs->xOpen(real_vfs, name, file->real(), flags, out_flags);
  if (file->real()->pMethods) file->base.pMethods = &kMethods;
  if (rc == SQLITE_OK && name) {
    std::lock_guard lock(changes_mu);
    opened.insert(name);
  }
  return rc;
}

// The rest go to the real VFS with its own handle (its functions may read their pAppData).
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (power_off.load() && in_cut_scope(name)) return SQLITE_IOERR_DELETE;
  int rc = real_vfs->xDelete(real_vfs, name, sync_dir);
  if (rc == SQLITE_OK) {
    std::lock_guard lock(changes_mu);
    unsynced.erase(name);
  }
  return rc;
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void x_dl_error(sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* sym))(void) {
  return real_vfs->xDlSym(real_vfs, handle, sym);
}
void x_dl_close(sqlite3_vfs*, void* handle) { real_vfs->xDlClose(real_vfs, handle); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int x_sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int x_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int x_get_last_error(sqlite3_vfs*, int n, char* out) {
  return real_vfs->xGetLastError(real_vfs, n, out);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

}  // namespace

FaultyVfs& FaultyVfs::install() {
  static FaultyVfs vfs;
  static std::once_flag once;
  std::call_once(once, [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    if (!real_vfs) std::abort();
    faulty_vfs.iVersion = 2;
    faulty_vfs.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
    faulty_vfs.mxPathname = real_vfs->mxPathname;
    faulty_vfs.zName = "jiceng-faulty";
    faulty_vfs.xOpen = x_open;
    faulty_vfs.xDelete = x_delete;
    faulty_vfs.xAccess = x_access;
    faulty_vfs.xFullPathname = x_full_pathname;
    faulty_vfs.xDlOpen = x_dl_open;
    faulty_vfs.xDlError = x_dl_error;
    faulty_vfs.xDlSym = x_dl_sym;
    faulty_vfs.xDlClose = x_dl_close;
    faulty_vfs.xRandomness = x_randomness;
    faulty_vfs.xSleep = x_sleep;
    faulty_vfs.xCurrentTime = x_current_time;
    faulty_vfs.xGetLastError = x_get_last_error;
    faulty_vfs.xCurrentTimeInt64 = x_current_time_int64;
    if (sqlite3_vfs_register(&faulty_vfs, 1) != SQLITE_OK) std::abort();
  });
  return vfs;
}

void FaultyVfs::fail_nth(std::uint64_t n) {
  counting = false;
  counted = 0;
  failed = false;
  fail_at = n;
  counting = true;
}

void FaultyVfs::set_disk_full(bool on) { disk_full = on; }

void FaultyVfs::cut_power_after(std::uint64_t after, const std::filesystem::path& under) {
  counting = false;
  counted = 0;
  fail_at = 0;
  {
    std::lock_guard lock(cut_mu);
    cut_under = under.string() + "/";
  }
  cut_at = after;
  counting = true;
}

bool FaultyVfs::power_is_off() const { return power_off.load(); }

FaultyVfs::Restored FaultyVfs::restore_after_power_cut(std::mt19937& rng, double keep) {
  Restored out;
  std::lock_guard lock(changes_mu);
  std::uniform_real_distribution<double> unit(0, 1);
  for (auto entry = unsynced.begin(); entry != unsynced.end();) {
    if (!in_cut_scope(entry->first.c_str())) {
      ++entry;
      continue;
    }
    const std::string& path = entry->first;
    const std::vector<Change>& changes = entry->second;
    if (!path.ends_with("-wal") && !path.ends_with("-journal")) {
      out.in_database_files += changes.size();
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) std::abort();
    auto write_at = [&](const std::string& bytes, std::size_t from, std::size_t n,
                        sqlite3_int64 at) {
      if (::pwrite(fd, bytes.data() + from, n, at + static_cast<sqlite3_int64>(from)) !=
          static_cast<ssize_t>(n)) {
        std::abort();
      }
    };
    // Back to the last sync: undo every change, newest first.
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
      if (::ftruncate(fd, it->size_before) != 0) std::abort();
      write_at(it->old_bytes, 0, it->old_bytes.size(), it->offset);
    }
    // What reached the disk anyway, in order.
    for (const Change& c : changes) {
      const double r = unit(rng);
      if (r >= keep + (1 - keep) / 2) {
        ++out.dropped;
      } else if (c.truncate) {
        if (::ftruncate(fd, c.offset) != 0) std::abort();
        ++out.kept;
      } else if (r < keep) {
        write_at(c.new_bytes, 0, c.new_bytes.size(), c.offset);
        ++out.kept;
      } else {
        constexpr std::size_t kSector = 512;
        for (std::size_t from = 0; from < c.new_bytes.size(); from += kSector) {
          if (rng() % 2)
            write_at(c.new_bytes, from, std::min(kSector, c.new_bytes.size() - from), c.offset);
        }
        ++out.torn;
      }
    }
    ::close(fd);
    entry = unsynced.erase(entry);
  }
  for (auto path = opened.begin(); path != opened.end();) {
    if (!in_cut_scope(path->c_str())) {
      ++path;
      continue;
    }
    ::unlink((*path + "-shm").c_str());
    path = opened.erase(path);
  }
  counting = false;
  counted = 0;
  cut_at = 0;
  power_off = false;
  return out;
}

void FaultyVfs::clear() {
  counting = false;
  fail_at = 0;
  cut_at = 0;
  counted = 0;
  disk_full = false;
}

std::uint64_t FaultyVfs::operations() const { return counted.load(); }
bool FaultyVfs::fired() const { return failed.load(); }
std::uint64_t FaultyVfs::refused_as_full() const { return full_refusals.load(); }

}  // namespace jiceng::testing
