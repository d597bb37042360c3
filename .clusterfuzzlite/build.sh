#!/bin/bash -eu
# Builds every fuzz target with the sanitizer ClusterFuzzLite asks for, ships each target's
# seed corpus, and turns leak detection off: the v8 crate keeps a small liveness record per
# isolate for the life of the process, which LeakSanitizer would report as a crash.
cd "$SRC/wasm-runner"
# The v8 crate needs its prebuilt static library: either RUSTY_V8_ARCHIVE names it (as
# ../shared/v8 does in this workplace) or the crate downloads it where the host is reachable.
if [ -d "$SRC/v8" ]; then export RUSTY_V8_ARCHIVE="$SRC/v8"; fi
cargo fuzz build -O
# The fuzz crate is a workspace member: its binaries land in the workspace's target folder.
for target in $(cargo fuzz list); do
  cp "target/x86_64-unknown-linux-gnu/release/$target" "$OUT/"
  printf '[libfuzzer]\nrss_limit_mb = 8192\ntimeout = 60\n\n[asan]\ndetect_leaks = 0\n' > "$OUT/$target.options"
  if [ -d "corpus/$target" ]; then
    (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
done
