// The runner's own JS, compiled in the runner isolate at bootstrap. RUNNER_ABI (the names
// the instrumentation exports) is injected by Rust before it.
//
// Rules for this file: it never copies guest bytes (Rust compiles the module from its own
// memory), it builds nothing per export or per table slot (those would put guest-sized
// data on the runner heap), and its only loops run over imports, memories and the calls
// Rust asks for, whose counts the guest checks bound. What a run means (which exports are
// called, what a trap or an exit is) is decided in Rust (policy/); this file carries it out.
'use strict';
/* global RUNNER_ABI */
(function (global) {
  class RunnerError extends Error {
    constructor(kind, message, detail) {
      super(message);
      this.name = 'RunnerError';
      this.kind = kind;
      this.detail = detail === undefined ? undefined : JSON.stringify(detail);
    }
  }

  // Import providers by module name. The WASI runtime registers itself here.
  const providers = Object.create(null);
  let instance = null;

  // `stubs`: [module, name] of the function imports Rust decided to stub.
  function buildImports(module, stubs) {
    const stubbed = new Set(stubs.map(([from, name]) => `${from}\u0000${name}`));
    const imports = Object.create(null);
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      const target = (imports[from] ??= Object.create(null));
      if (stubbed.has(`${from}\u0000${name}`)) {
        // Ends the run when called (a termination, which guest code cannot catch).
        target[name] = () => global.__host.unknownImport(from, name);
        continue;
      }
      const provider = providers[from];
      if (provider === undefined || !Object.prototype.hasOwnProperty.call(provider, name)) {
        throw new RunnerError('unresolved_import', `unresolved import ${from}.${name} (${kind})`, {
          module: from,
          name,
          kind,
        });
      }
      target[name] = provider[name];
    }
    return imports;
  }

  // Tags what guest code threw with the kind of failure it is; Rust maps kinds to types.
  function classify(e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return new RunnerError('stack_exhausted', e.message);
    }
    if (e instanceof WebAssembly.LinkError) return new RunnerError('link_error', e.message);
    if (e instanceof WebAssembly.RuntimeError) return new RunnerError('trap', e.message);
    if (e instanceof WebAssembly.Exception) return new RunnerError('trap', 'uncaught wasm exception');
    return e;
  }

  // Calls each of `names` the instance exports, in order.
  function callExports(names) {
    for (const name of names) {
      const f = instance.exports[name];
      if (typeof f === 'function') f();
    }
  }

  function instantiate(module, optionsJson) {
    const options = JSON.parse(optionsJson);
    if (options.wasi !== undefined) api.wasi?.configure(options.wasi);
    const imports = buildImports(module, options.stubs ?? []);
    try {
      instance = new WebAssembly.Instance(module, imports);
    } catch (e) {
      // The start function may already have run and failed.
      throw classify(e);
    }
    // The interrupt flag the watchdog raises (modules with tail calls only).
    const interrupt = instance.exports[RUNNER_ABI.interrupt];
    if (interrupt instanceof WebAssembly.Memory) global.__host.setInterrupt(interrupt.buffer);
    const memory =
      instance.exports.memory instanceof WebAssembly.Memory
        ? instance.exports.memory
        : instance.exports[RUNNER_ABI.memoryPrefix + '0'];
    if (memory instanceof WebAssembly.Memory) api.wasi?.attach(memory);
    try {
      callExports(options.afterInstantiate ?? []);
    } catch (e) {
      throw classify(e);
    }
    return '{}';
  }

  function run(optionsJson) {
    const { entry, before, params } = JSON.parse(optionsJson);
    const f = instance?.exports[entry];
    if (typeof f !== 'function') {
      throw new RunnerError('no_entry', `the module exports no function ${JSON.stringify(entry)}`, entry);
    }
    // Zeros of each parameter's kind (BigInt for i64, null for references).
    const args = (params ?? []).map((k) => (k === 'i64' ? 0n : k === 'ref' ? null : 0));
    let result;
    try {
      callExports(before ?? []);
      result = f(...args);
    } catch (e) {
      throw classify(e);
    }
    const values = result === undefined ? [] : Array.isArray(result) ? result : [result];
    return JSON.stringify(values.map(String));
  }

  // The instance's memories, in index order, as the instrumentation exports them.
  function memories() {
    const exports = instance?.exports ?? {};
    const list = [];
    for (let i = 0; ; i++) {
      const m = exports[RUNNER_ABI.memoryPrefix + i];
      if (!(m instanceof WebAssembly.Memory)) break;
      list.push(m);
    }
    return list;
  }

  // Fuel left, whether it ran out, and linear memory in use, from the instrumentation's
  // exports.
  function state() {
    const exports = instance?.exports ?? {};
    const fuel = exports[RUNNER_ABI.fuel];
    const flag = exports[RUNNER_ABI.fuelExhausted];
    return JSON.stringify({
      fuel_remaining: fuel instanceof WebAssembly.Global ? String(fuel.value) : null,
      fuel_exhausted: flag instanceof WebAssembly.Global && flag.value === 1,
      memory_bytes: memories().reduce((n, m) => n + m.buffer.byteLength, 0),
    });
  }

  // What a differential comparison looks at: the memory hash (computed by Rust over the
  // buffers) and the guest's exported globals. Only when a run asks for it.
  function observe() {
    if (instance === null) return 'null';
    const exports = instance.exports;
    const globals = [];
    for (const name of Object.keys(exports)) {
      if (name.startsWith(RUNNER_ABI.reservedPrefix)) continue;
      const g = exports[name];
      if (!(g instanceof WebAssembly.Global)) continue;
      let value;
      try {
        value = String(g.value);
      } catch {
        value = '<opaque>';
      }
      globals.push([name, value]);
    }
    const hash = global.__host.hashMemories(...memories().map((m) => m.buffer));
    return JSON.stringify({ memory_hash: hash, globals });
  }

  const api = { instantiate, run, state, observe, providers, RunnerError, wasi: null };
  Object.defineProperty(global, '__wasmRunner', { value: api });
  return 'bootstrapped';
})(globalThis);
