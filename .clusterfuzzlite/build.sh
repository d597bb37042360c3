#!/bin/bash -eu
# Builds every fuzz target without ASan (the V8 static library is not built with it) and
# ships each target's seed corpus.
cd "$SRC/wasm-runner"
# The v8 crate needs its prebuilt static library: either RUSTY_V8_ARCHIVE names it (as
# ../shared/v8 does in this workplace) or the crate downloads it where the host is reachable.
if [ -d "$SRC/v8" ]; then export RUSTY_V8_ARCHIVE="$SRC/v8"; fi
cargo fuzz build -O -s none
for target in warmup guest_limits differential instrument guest_checks; do
  cp "fuzz/target/x86_64-unknown-linux-gnu/release/$target" "$OUT/"
  if [ -d "corpus/$target" ]; then
    (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
done
