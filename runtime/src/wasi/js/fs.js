// The in-memory file system: directories and files as JS objects, loaded from the host's
// image, under the run's file-system budget.
//
// Guest-sized state here is charged against the budget (`max_fs_bytes`): file bytes live in
// ArrayBuffers (off the V8 heap), and each node is charged NODE_COST plus its name, so a
// guest cannot grow the runner heap through the file system beyond that budget.
'use strict';
/* global wasiAbi */
/* exported createFileSystem */
const createFileSystem = (host) => {
  const E = wasiAbi.errno;
  const T = wasiAbi.filetype;
  // What one file or directory costs the budget besides its name and bytes.
  const NODE_COST = 256;
  // One file's bytes: an ArrayBuffer's practical bound.
  const MAX_FILE = 2 ** 32;

  const budget = { limit: 0, used: 0 };
  let nextIno = 1n;
  const now = () => host.now(0);

  function charge(n) {
    if (budget.used + n > budget.limit) return false;
    budget.used += n;
    return true;
  }
  function release(n) {
    budget.used = Math.max(0, budget.used - n);
  }
  function nodeCost(name) {
    return NODE_COST + 2 * name.length;
  }
  function makeDir(parent, mtime) {
    const d = { type: T.DIRECTORY, ino: nextIno++, children: new Map(), parent, mtime, atime: mtime };
    if (parent === null) d.parent = d;
    return d;
  }
  function makeFile(mtime) {
    return { type: T.REGULAR_FILE, ino: nextIno++, data: new Uint8Array(0), size: 0, image: -1, mtime, atime: mtime };
  }
  // Files of the image load their bytes from the host on first use.
  function loaded(file) {
    if (file.image >= 0) {
      file.data = new Uint8Array(host.fsRead(file.image));
      file.image = -1;
    }
    return file.data;
  }
  // Makes room for `size` bytes, charging growth against the budget.
  function reserve(file, size) {
    const data = loaded(file);
    if (size <= data.length) return true;
    if (size > MAX_FILE) return false;
    const capacity = Math.min(MAX_FILE, Math.max(size, data.length * 2, 64));
    if (!charge(capacity - data.length)) {
      if (!charge(size - data.length)) return false;
      const exact = new Uint8Array(size);
      exact.set(data.subarray(0, file.size));
      file.data = exact;
      return true;
    }
    const grown = new Uint8Array(capacity);
    grown.set(data.subarray(0, file.size));
    file.data = grown;
    return true;
  }
  function setSize(file, size) {
    if (size > file.size) {
      if (!reserve(file, size)) return E.NOSPC;
      file.data.fill(0, file.size, size);
    } else {
      loaded(file);
    }
    file.size = size;
    file.mtime = now();
    return E.SUCCESS;
  }
  function freeNode(node, name) {
    release(nodeCost(name));
    if (node.type === T.REGULAR_FILE && node.image < 0) release(node.data.length);
  }

  // Loads the host's image under a budget of `limit` bytes; returns the preopened
  // directories as [{ name, root }].
  function load(limit) {
    budget.limit = limit;
    const { preopens: names, entries } = JSON.parse(host.fsList());
    const t = now();
    const preopens = names.map((name) => ({ name, root: makeDir(null, t) }));
    // Entries come parents first; their sizes were checked against the budget by the host.
    for (let i = 0; i < entries.length; i++) {
      const [p, path, isDir, size, mtime] = entries[i];
      const parts = path.split('/');
      let dir = preopens[p].root;
      for (let j = 0; j < parts.length - 1; j++) dir = dir.children.get(parts[j]);
      const name = parts[parts.length - 1];
      const m = BigInt(mtime);
      const node = isDir ? makeDir(dir, m) : makeFile(m);
      if (!isDir) {
        node.image = i;
        node.size = size;
        budget.used += size;
      }
      budget.used += nodeCost(name);
      dir.children.set(name, node);
    }
    return preopens;
  }

  // Resolves `path` under the directory `start`. Returns { dir, name, node } (node undefined
  // when the last component does not exist) or an errno number. '..' stops at the preopen.
  function resolve(start, path) {
    if (path.startsWith('/')) return E.NOTCAPABLE;
    if (path.length === 0) return E.NOENT;
    const parts = path.split('/');
    let dir = start;
    const trailingSlash = parts.length > 1 && parts[parts.length - 1] === '';
    const names = [];
    for (let i = 0; i < parts.length; i++) if (parts[i] !== '') names.push(parts[i]);
    if (names.length === 0) return { dir: dir.parent, name: '.', node: dir, self: true };
    for (let i = 0; i < names.length - 1; i++) {
      const part = names[i];
      if (part === '.') continue;
      if (part === '..') {
        if (dir.parent === dir) return E.NOTCAPABLE;
        dir = dir.parent;
        continue;
      }
      const next = dir.children.get(part);
      if (next === undefined) return E.NOENT;
      if (next.type !== T.DIRECTORY) return E.NOTDIR;
      dir = next;
    }
    const name = names[names.length - 1];
    if (name === '.') return { dir: dir.parent, name, node: dir, self: true };
    if (name === '..') {
      if (dir.parent === dir) return E.NOTCAPABLE;
      return { dir: dir.parent.parent, name, node: dir.parent, self: true };
    }
    const node = dir.children.get(name);
    if (trailingSlash && node !== undefined && node.type !== T.DIRECTORY) return E.NOTDIR;
    return { dir, name, node, trailingSlash };
  }

  return Object.freeze({
    MAX_FILE,
    charge,
    release,
    nodeCost,
    makeDir,
    makeFile,
    loaded,
    reserve,
    setSize,
    freeNode,
    load,
    resolve,
    now,
  });
};
