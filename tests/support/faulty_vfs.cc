#include "support/faulty_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace jiceng::testing {

namespace {

// The state every file of the VFS reads (connections run on several threads).
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> counted{0};
std::atomic<std::uint64_t> fail_at{0};  // 0: none
std::atomic<bool> failed{false};
std::atomic<bool> disk_full{false};
std::atomic<std::uint64_t> full_refusals{0};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs faulty_vfs{};

// One operation: true when it is the one to fail.
bool fails_now() {
  if (!counting.load()) return false;
  const std::uint64_t n = counted.fetch_add(1) + 1;
  if (n == fail_at.load()) {
    failed = true;
    return true;
  }
  return false;
}

// Our file: the methods first, the real VFS's file right after it (szOsFile covers both).
struct File {
  sqlite3_file base;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
File* cast(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real(sqlite3_file* f) { return cast(f)->real(); }

int x_close(sqlite3_file* f) {
  sqlite3_file* r = real(f);
  return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}
int x_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  if (fails_now()) return SQLITE_IOERR_READ;
  return real(f)->pMethods->xRead(real(f), buf, amount, offset);
}
int x_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  if (fails_now()) return SQLITE_IOERR_WRITE;
  if (disk_full.load()) {
    sqlite3_int64 size = 0;
    int rc = real(f)->pMethods->xFileSize(real(f), &size);
    if (rc != SQLITE_OK) return rc;
    if (offset + amount > size) {
      full_refusals.fetch_add(1);
      return SQLITE_FULL;
    }
  }
  return real(f)->pMethods->xWrite(real(f), buf, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (fails_now()) return SQLITE_IOERR_TRUNCATE;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (fails_now()) return SQLITE_IOERR_FSYNC;
  return real(f)->pMethods->xSync(real(f), flags);
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
const sqlite3_io_methods kMethods = {
    2,           x_close,          x_read,       x_write,
    x_truncate,  x_sync,           x_file_size,  x_lock,
    x_unlock,    x_check_reserved_lock,          x_file_control,
    x_sector_size, x_device_characteristics,     x_shm_map,
    x_shm_lock,  x_shm_barrier,    x_shm_unmap,  nullptr,
    nullptr};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = cast(f);
  file->base.pMethods = nullptr;
  int rc = real_vfs->xOpen(real_vfs, name, file->real(), flags, out_flags);
  if (file->real()->pMethods) file->base.pMethods = &kMethods;
  return rc;
}

// The rest go to the real VFS with its own handle (its functions may read their pAppData).
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
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

void FaultyVfs::clear() {
  counting = false;
  fail_at = 0;
  counted = 0;
  disk_full = false;
}

std::uint64_t FaultyVfs::operations() const { return counted.load(); }
bool FaultyVfs::fired() const { return failed.load(); }
std::uint64_t FaultyVfs::refused_as_full() const { return full_refusals.load(); }

}  // namespace jiceng::testing
