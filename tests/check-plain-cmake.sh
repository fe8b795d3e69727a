#!/usr/bin/env bash
# Fails when a plain CMake build (`cmake -S . -B build && cmake --build build`,
# CMake's default generator, Unix Makefiles) cannot generate the protobuf and
# gRPC code. The presets use Ninja, which creates an output's directory by
# itself, so a generation rule that relies on that breaks only under Make
# (it did: "adapters/gen/adapters/: No such file or directory").
#
# Cheap on purpose: it configures without tests and benchmarks in a temp dir
# and builds only `wams_codegen` (every code generator, no compiler run),
# a few seconds in all; it prints what it took.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
start=$SECONDS
if ! cmake -S . -B "$build" -G "Unix Makefiles" -DWAMS_BUILD_TESTS=OFF \
  -DWAMS_BUILD_BENCHMARKS=OFF >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2
  echo "check-plain-cmake: configuring with Unix Makefiles failed" >&2
  exit 1
fi
if ! cmake --build "$build" --target wams_codegen -j "$(nproc)" >"$build/build.log" 2>&1; then
  cat "$build/build.log" >&2
  echo "check-plain-cmake: generating the protobuf code with Unix Makefiles failed" >&2
  exit 1
fi
generated=$(find "$build" -name '*.pb.h' | wc -l)
if [[ ! -f $build/adapters/gen/adapters/config/adapter_config.pb.h ]]; then
  echo "check-plain-cmake: adapter_config.pb.h was not generated" >&2
  exit 1
fi
echo "check-plain-cmake: Unix Makefiles generate $generated headers ($((SECONDS - start)) s)"
