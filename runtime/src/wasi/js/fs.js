// The in-memory file system: directories and files as JS objects, loaded from the host's
// image, under the run's two file-system budgets: file bytes (`max_fs_bytes`; they live in
// ArrayBuffers, off the V8 heap) and files and directories (`max_fs_nodes`; each is a few
// JS objects on the runner heap, its name at most 255 bytes). Past either, ENOSPC. So a
// guest cannot grow the runner heap through the file system beyond the node budget times
// the measured cost of a node (docs/limits.md).
'use strict';
/* global wasiAbi, utf8, WASI_LIMITS */
/* exported createFileSystem */
const createFileSystem = (host) => {
  const E = wasiAbi.errno;
  const T = wasiAbi.filetype;
  // Longest name of one path component, in UTF-8 bytes (NAME_MAX on Linux, which
  // wasmtime-wasi's host enforces: ENAMETOOLONG past it).
  const MAX_NAME = WASI_LIMITS.maxNameBytes;
  // One file's bytes (an ArrayBuffer's practical bound): EFBIG past it, in both engines.
  const MAX_FILE = WASI_LIMITS.maxFileBytes;
  const SLASH = 0x2f;
  const DOT = 0x2e;

  const bytes = { limit: 0, used: 0 };
  const nodes = { limit: 0, used: 0 };
  // Inode numbers as Numbers (no BigInt per node): 2^53 nodes are never reached.
  let nextIno = 1;
  // What an empty file holds and an empty directory lists: shared, never written.
  const NO_BYTES = new Uint8Array(0);
  const NO_NAMES = Object.freeze([]);
  const now = () => host.now(0);

  // File bytes.
  function charge(n) {
    if (bytes.used + n > bytes.limit) return false;
    bytes.used += n;
    return true;
  }
  function release(n) {
    bytes.used = Math.max(0, bytes.used - n);
  }
  // One more file or directory; false when the node budget is spent.
  function addNode() {
    if (nodes.used >= nodes.limit) return false;
    nodes.used += 1;
    return true;
  }
  function makeDir(parent, mtime) {
    // `children`: a Map made at the first child and dropped with the last, so that an
    // empty directory costs no Map. `sorted`: the children's names in order, kept until the
    // children change, so that listing a large directory again costs no sort and no array.
    const d = { type: T.DIRECTORY, ino: nextIno++, children: null, sorted: null, parent, mtime, atime: mtime };
    if (parent === null) d.parent = d;
    return d;
  }
  // Puts `node` into `dir` under `name`; removes what was there.
  function link(dir, name, node) {
    if (dir.children === null) dir.children = new Map();
    dir.children.set(name, node);
    dir.sorted = null;
  }
  function unlink(dir, name) {
    dir.children.delete(name);
    if (dir.children.size === 0) dir.children = null;
    dir.sorted = null;
  }
  // The node named `name` in `dir`, or undefined.
  function child(dir, name) {
    return dir.children === null ? undefined : dir.children.get(name);
  }
  function isEmpty(dir) {
    return dir.children === null;
  }
  // Whether `node` is `dir` or one of the directories above it (a root is its own parent).
  function isAncestor(node, dir) {
    for (let d = dir; ; d = d.parent) {
      if (d === node) return true;
      if (d.parent === d) return false;
    }
  }
  // The names in `dir`, in order.
  function sortedNames(dir) {
    if (dir.children === null) return NO_NAMES;
    if (dir.sorted === null) dir.sorted = [...dir.children.keys()].sort();
    return dir.sorted;
  }
  function makeFile(mtime) {
    return { type: T.REGULAR_FILE, ino: nextIno++, data: NO_BYTES, size: 0, image: -1, mtime, atime: mtime };
  }
  // Files of the image load their bytes from the host on first use.
  function loaded(file) {
    if (file.image >= 0) {
      file.data = new Uint8Array(host.fsRead(file.image));
      file.image = -1;
    }
    return file.data;
  }
  // Grows `file` to `size` bytes (more than it has), charging the growth against the
  // budget: files are charged what they hold, as the reference charges them. Their buffers
  // grow by doubling, so what they take off the heap is at most twice the budget.
  function reserve(file, size) {
    const data = loaded(file);
    if (size <= file.size) return true;
    if (size > MAX_FILE || !charge(size - file.size)) return false;
    if (size > data.length) {
      const grown = new Uint8Array(Math.min(MAX_FILE, Math.max(size, data.length * 2, 64)));
      grown.set(data.subarray(0, file.size));
      file.data = grown;
    }
    return true;
  }
  function setSize(file, size) {
    if (size > file.size) {
      if (!reserve(file, size)) return E.NOSPC;
      file.data.fill(0, file.size, size);
    } else {
      loaded(file);
      release(file.size - size);
    }
    file.size = size;
    file.mtime = now();
    return E.SUCCESS;
  }
  // A node leaves the tree: its count and its bytes go back to the budgets. (A file still
  // open keeps its bytes, and is charged again for what it grows.)
  function freeNode(node) {
    nodes.used = Math.max(0, nodes.used - 1);
    if (node.type === T.REGULAR_FILE) release(node.size);
  }

  // Loads the host's image under budgets of `byteLimit` file bytes and `nodeLimit` files and
  // directories; returns the preopened directories as [{ name, root }].
  function load(byteLimit, nodeLimit) {
    bytes.limit = byteLimit;
    nodes.limit = nodeLimit;
    const { preopens: names, entries } = JSON.parse(host.fsList());
    const t = now();
    const preopens = names.map((name) => ({ name, root: makeDir(null, t) }));
    // Entries come parents first; the host checked them against both budgets.
    for (let i = 0; i < entries.length; i++) {
      const [p, path, isDir, size, mtime] = entries[i];
      const parts = path.split('/');
      let dir = preopens[p].root;
      for (let j = 0; j < parts.length - 1; j++) dir = child(dir, parts[j]);
      const name = parts[parts.length - 1];
      const m = BigInt(mtime);
      const node = isDir ? makeDir(dir, m) : makeFile(m);
      if (!isDir) {
        node.image = i;
        node.size = size;
        bytes.used += size;
      }
      nodes.used += 1;
      link(dir, name, node);
    }
    return preopens;
  }

  // One path component (bytes `from` to `to` of `b`) as a name.
  function component(b, from, to) {
    if (to - from === 1 && b[from] === DOT) return '.';
    if (to - from === 2 && b[from] === DOT && b[from + 1] === DOT) return '..';
    return utf8.decode(b.subarray(from, to));
  }

  // Resolves the UTF-8 path `b` under the directory `start`, one component at a time as
  // wasmtime-wasi's host walks it: the first missing or too-long component answers, and
  // nothing is kept per component, so a path of any length (the host-call budget bounds
  // it) costs the heap one name at a time. Returns { dir, name, node } (node undefined when
  // the last component does not exist) or an errno number. '..' past the preopen is EPERM, as wasmtime-wasi's capability check answers it.
  //
  // With `deferLast`, what only the host's call itself would refuse about the last component
  // does not answer at once but comes back flagged: a NUL byte (`nul`), a name too long
  // (`tooLong`), a file named with a trailing slash (`trailingSlash` on a file), for calls
  // whose host answers those in its own order (`path_rename` walks a second path first).
  function resolve(start, b, deferLast = false) {
    if (b.length === 0) return E.NOENT;
    if (b[0] === SLASH) return E.PERM;
    let end = b.length;
    while (b[end - 1] === SLASH) end--;
    const trailingSlash = end < b.length;
    let last = end;
    while (last > 0 && b[last - 1] !== SLASH) last--;
    let dir = start;
    for (let i = 0; i < last;) {
      let j = i;
      while (b[j] !== SLASH) j++;
      // A NUL byte in a name is EINVAL where the host would be handed it (no C string can
      // hold it), before its length is looked at.
      if (b.subarray(i, j).includes(0)) return E.INVAL;
      if (j - i > MAX_NAME) return E.NAMETOOLONG;
      if (j > i) {
        const part = component(b, i, j);
        if (part === '..') {
          if (dir.parent === dir) return E.PERM;
          dir = dir.parent;
        } else if (part !== '.') {
          const next = child(dir, part);
          if (next === undefined) return E.NOENT;
          if (next.type !== T.DIRECTORY) return E.NOTDIR;
          dir = next;
        }
      }
      i = j + 1;
    }
    const nul = b.subarray(last, end).includes(0);
    const tooLong = end - last > MAX_NAME;
    if (nul || tooLong) {
      if (!deferLast) return nul ? E.INVAL : E.NAMETOOLONG;
      return { dir, name: '', node: undefined, nul, tooLong };
    }
    const name = component(b, last, end);
    if (name === '.') return { dir: dir.parent, name, node: dir, self: true };
    if (name === '..') {
      if (dir.parent === dir) return E.PERM;
      return { dir: dir.parent.parent, name, node: dir.parent, self: true };
    }
    const node = child(dir, name);
    if (trailingSlash && node !== undefined && node.type !== T.DIRECTORY && !deferLast) return E.NOTDIR;
    return { dir, name, node, trailingSlash };
  }

  return Object.freeze({
    MAX_FILE,
    charge,
    release,
    addNode,
    makeDir,
    makeFile,
    link,
    unlink,
    child,
    isEmpty,
    isAncestor,
    sortedNames,
    loaded,
    reserve,
    setSize,
    freeNode,
    load,
    resolve,
    now,
  });
};
