// tests/fuzz/bundle.cc — the bundle loader and compiler on arbitrary bytes
// (see FuzzBundle in fuzz_common.h for what must hold). Seeds: valid and
// invalid bundles in corpus/bundle; dictionary: bundle.dict.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rolegate_fuzz::FuzzBundle(std::string_view(reinterpret_cast<const char*>(data), size),
                            rolegate_fuzz::Seed(data, size), 24, 4, 8);
  return 0;
}
