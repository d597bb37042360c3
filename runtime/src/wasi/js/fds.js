// The descriptor table: open files and directories by number, from 3 up (0-2 are the
// stdio streams, which the preview1 functions handle themselves).
'use strict';
/* exported createDescriptors */
const createDescriptors = () => {
  const fds = new Map();
  let nextFd = 3;
  const preopenRoots = [];

  return Object.freeze({
    get: (fd) => fds.get(fd),
    has: (fd) => fds.has(fd),
    // A preopened directory, listed by fd_prestat_get under `name`.
    preopen(name, root) {
      preopenRoots.push(root);
      fds.set(nextFd++, { node: root, pos: 0, flags: 0, preopen: name });
    },
    isPreopenRoot: (node) => preopenRoots.includes(node),
    open(node, flags) {
      const fd = nextFd++;
      fds.set(fd, { node, pos: 0, flags, preopen: undefined });
      return fd;
    },
    close: (fd) => fds.delete(fd),
    renumber(from, to) {
      fds.set(to, fds.get(from));
      fds.delete(from);
    },
  });
};
