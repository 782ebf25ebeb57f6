// lib/leak_on_unwind.h — holds a heap object and, if the scope is left by an
// exception, leaks it instead of destroying it.
//
// Why: the compiler's hash tables are Abseil's, and Abseil 20220623's
// raw_hash_set::resize() records the new capacity before it allocates, so a
// std::bad_alloc thrown from that allocation leaves a table whose destructor
// frees a static sentinel and aborts the process. Compile() turns bad_alloc
// into a ResourceExhausted error with the old table in service; for that to
// hold, no half-grown table may be destroyed on the way out. Leaking on the
// (rare) out-of-memory path is the lesser harm than aborting the gateway.
#ifndef ROLEGATE_LIB_LEAK_ON_UNWIND_H_
#define ROLEGATE_LIB_LEAK_ON_UNWIND_H_

#include <exception>
#include <utility>

namespace rolegate::internal {

template <typename T>
class LeakOnUnwind {
 public:
  template <typename... Args>
  explicit LeakOnUnwind(Args&&... args)
      : p_(new T(std::forward<Args>(args)...)), exceptions_(std::uncaught_exceptions()) {}
  ~LeakOnUnwind() {
    // Left by an exception thrown since construction: leak.
    if (std::uncaught_exceptions() == exceptions_) delete p_;
  }
  LeakOnUnwind(const LeakOnUnwind&) = delete;
  LeakOnUnwind& operator=(const LeakOnUnwind&) = delete;

  T& operator*() const { return *p_; }
  T* operator->() const { return p_; }

 private:
  T* p_;
  int exceptions_;
};

}  // namespace rolegate::internal

#endif  // ROLEGATE_LIB_LEAK_ON_UNWIND_H_
