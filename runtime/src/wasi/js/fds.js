// The descriptor table: the stdio streams, open files and directories by number. The
// streams are ordinary entries at 0-2 (a node with a `stream` number and no file type), so
// a guest may close them, renumber onto and from them, and get their numbers back for files
// it opens, as under wasmtime-wasi. Numbers are reused as wasmtime-wasi reuses them: the
// highest freed one first, else one past the highest in use. The descriptors a guest opens
// count against the run's limit (`max_open_fds`, EMFILE past it); stdio and preopens do not.
'use strict';
/* global wasiAbi, Errno */
/* exported createDescriptors */
const createDescriptors = () => {
  const fds = new Map();
  // Freed numbers: a Set, and a max-heap of them for the highest (entries no longer in the
  // Set are stale and skipped), so that taking a number costs O(log n) however many were
  // freed.
  const free = new Set();
  const heap = [];
  let maxOpen = 0;
  const preopenRoots = [];
  // The descriptors the guest opened, by number: what the limit counts.
  const opened = new Set();

  function push(fd) {
    free.add(fd);
    heap.push(fd);
    for (let i = heap.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (heap[up] >= heap[i]) break;
      [heap[up], heap[i]] = [heap[i], heap[up]];
      i = up;
    }
  }
  function popHighest() {
    while (heap.length > 0) {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          const [l, r] = [2 * i + 1, 2 * i + 2];
          let big = i;
          if (l < heap.length && heap[l] > heap[big]) big = l;
          if (r < heap.length && heap[r] > heap[big]) big = r;
          if (big === i) break;
          [heap[big], heap[i]] = [heap[i], heap[big]];
          i = big;
        }
      }
      if (free.delete(top)) return top;
    }
    return -1;
  }
  // Numbers ever given out are 0..K with none missing (a new one is always one past the
  // highest), each open or free: with none free, the next is one past the open ones.
  function nextNumber() {
    const fd = popHighest();
    return fd >= 0 ? fd : fds.size;
  }
  for (const stream of [0, 1, 2]) {
    fds.set(stream, { node: { type: wasiAbi.filetype.UNKNOWN, stream }, pos: 0, flags: 0, preopen: undefined });
  }

  return Object.freeze({
    get: (fd) => fds.get(fd),
    has: (fd) => fds.has(fd),
    limit(n) {
      maxOpen = n;
    },
    // A preopened directory, listed by fd_prestat_get under `name`.
    preopen(name, root) {
      preopenRoots.push(root);
      fds.set(nextNumber(), { node: root, pos: 0, flags: 0, preopen: name });
    },
    isPreopenRoot: (node) => preopenRoots.includes(node),
    // Whether the guest holds as many descriptors as it may.
    full: () => opened.size >= maxOpen,
    // `mode` says what the descriptor may do to a file's bytes ({ read, write }), as
    // wasmtime-wasi's open mode says it.
    open(node, flags, mode) {
      if (opened.size >= maxOpen) throw new Errno(wasiAbi.errno.MFILE);
      const fd = nextNumber();
      fds.set(fd, { node, pos: 0, flags, preopen: undefined, read: mode.read, write: mode.write });
      opened.add(fd);
      return fd;
    },
    close(fd) {
      if (!fds.delete(fd)) return false;
      opened.delete(fd);
      push(fd);
      return true;
    },
    // `to` is closed and `from`'s descriptor takes its number.
    renumber(from, to) {
      const entry = fds.get(from);
      this.close(to);
      fds.delete(from);
      push(from);
      free.delete(to);
      fds.set(to, entry);
      if (opened.delete(from)) opened.add(to);
    },
  });
};
