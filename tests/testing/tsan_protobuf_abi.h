// tsan_protobuf_abi.h: keeps protobuf's MapFieldBase layout in -fsanitize=thread
// builds the same as in Debian's libprotobuf.so, which is built without it.
//
// Why: google/protobuf/map_field.h (3.21) adds two sequence counters to
// MapFieldBase when __SANITIZE_THREAD__ is defined. Our TSan-compiled code then
// disagrees with libprotobuf.so about where every later member lives, and any
// map field that libprotobuf touches (text-format or JSON parsing, reflection)
// crashes: SEGV in MapField::SyncRepeatedFieldWithMapNoLock or
// Map::InnerMap::TableEntryIsNonEmptyList.
//
// The tsan build force-includes this header first in every translation unit
// (`-include`, set by the top-level CMakeLists.txt when WAMS_TSAN_COMPAT is
// ON), so map_field.h is parsed once, without the counters; its include guard
// keeps it that way for the rest of the unit. Nothing else in Debian's
// protobuf, Abseil or gRPC headers changes layout under TSan.
#ifndef WAMS_TESTS_TESTING_TSAN_PROTOBUF_ABI_H_
#define WAMS_TESTS_TESTING_TSAN_PROTOBUF_ABI_H_

// libstdc++ reads __SANITIZE_THREAD__ once, in c++config.h (_GLIBCXX_TSAN):
// let it see the macro before it is hidden below.
#include <cstddef>

#pragma push_macro("__SANITIZE_THREAD__")
#undef __SANITIZE_THREAD__
#include <google/protobuf/map_field.h>
#pragma pop_macro("__SANITIZE_THREAD__")

#endif  // WAMS_TESTS_TESTING_TSAN_PROTOBUF_ABI_H_
