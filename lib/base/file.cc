// lib/base/file.cc — ReadBundleFile: the one place bundle files are read
// (C ABI, CLI, bindings through the C ABI).
//
// Reads at most max_bytes + 1 bytes and refuses anything that is not a
// regular file: /dev/zero, a FIFO or a socket would otherwise grow without
// bound (or block) before any size limit is checked.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "rolegate/policy.h"

namespace rolegate {

absl::Status ReadBundleFile(const std::string& path, uint64_t max_bytes, std::string* out) {
  out->clear();
  if (path.find('\0') != std::string::npos) return absl::InvalidArgumentError("path contains a NUL byte");
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("cannot open \"", path, "\": ", std::strerror(errno)));
  struct stat st;
  absl::Status status;
  if (::fstat(fd, &st) != 0) {
    status = absl::InternalError(absl::StrCat("cannot stat \"", path, "\": ", std::strerror(errno)));
  } else if (!S_ISREG(st.st_mode)) {
    status = absl::InvalidArgumentError(absl::StrCat("\"", path, "\" is not a regular file"));
  } else if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    status = absl::ResourceExhaustedError(
        absl::StrCat("\"", path, "\" has ", st.st_size, " bytes; the bundle limit is ", max_bytes));
  } else {
    // The size may change while reading; never read past the limit + 1.
    out->resize(static_cast<size_t>(st.st_size) + 1);
    size_t got = 0;
    while (status.ok()) {
      if (got == out->size()) {
        if (got > max_bytes) break;
        out->resize(std::min<uint64_t>(max_bytes + 1, got * 2 + 4096));
      }
      const ssize_t n = ::read(fd, out->data() + got, out->size() - got);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        status = absl::InternalError(absl::StrCat("cannot read \"", path, "\": ", std::strerror(errno)));
        break;
      }
      got += static_cast<size_t>(n);
    }
    out->resize(got);
    if (status.ok() && got > max_bytes)
      status = absl::ResourceExhaustedError(
          absl::StrCat("\"", path, "\" exceeds the bundle limit of ", max_bytes, " bytes"));
  }
  ::close(fd);
  if (!status.ok()) out->clear();
  return status;
}

}  // namespace rolegate
