#!/bin/bash -eu
# Builds every fuzz target with the sanitizer ClusterFuzzLite asks for and ships each
# target's seed corpus. Leak detection stays on: the targets suppress the v8 crate's one
# known liveness record themselves (fuzz/src/sanitizer.rs).
cd "$SRC/wasm-runner"

# The v8 crate links a prebuilt static library built for this project's features (no custom
# libc++, see ../shared/v8/README.md); rusty_v8's own downloads do not fit it. It comes from,
# in order: RUSTY_V8_ARCHIVE; the folder .cargo/config.toml names ($SRC/shared/v8); the URL
# in .clusterfuzzlite/v8-archive-url (the one step an operator takes: upload
# librusty_v8_release_x86_64-unknown-linux-gnu.a.gz and src_binding_release_x86_64-unknown-linux-gnu.rs
# from shared/v8 somewhere this build can fetch, and write that folder's URL there).
# Downloads are checked against .clusterfuzzlite/v8.SHA256SUMS.
if [ -z "${RUSTY_V8_ARCHIVE:-}" ]; then
  v8_dir="$SRC/shared/v8"
  if [ ! -f "$v8_dir/librusty_v8_release_x86_64-unknown-linux-gnu.a.gz" ]; then
    url_file=.clusterfuzzlite/v8-archive-url
    if [ ! -s "$url_file" ]; then
      echo "error: no V8 archive: set RUSTY_V8_ARCHIVE, provide $v8_dir, or write its URL to $url_file" >&2
      exit 1
    fi
    base="$(head -n 1 "$url_file" | tr -d '[:space:]')"
    mkdir -p "$v8_dir"
    for file in librusty_v8_release_x86_64-unknown-linux-gnu.a.gz src_binding_release_x86_64-unknown-linux-gnu.rs; do
      curl --fail --location --silent --show-error --output "$v8_dir/$file" "$base/$file"
    done
    (cd "$v8_dir" && sha256sum --check --strict "$SRC/wasm-runner/.clusterfuzzlite/v8.SHA256SUMS")
  fi
  export RUSTY_V8_ARCHIVE="$v8_dir"
fi

cargo fuzz build -O
# The fuzz crate is a workspace member: its binaries land in the workspace's target folder.
for target in $(cargo fuzz list); do
  cp "target/x86_64-unknown-linux-gnu/release/$target" "$OUT/"
  printf '[libfuzzer]\nrss_limit_mb = 8192\ntimeout = 60\n' > "$OUT/$target.options"
  if [ -d "corpus/$target" ]; then
    (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
done
