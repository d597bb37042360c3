// The runner's own JS, compiled in the runner isolate at bootstrap.
//
// Rules for this file: it never copies guest bytes (Rust compiles the module from its own
// memory), it builds nothing per export or per table slot (those would put guest-sized
// data on the runner heap), and its only loops run over imports and memories, whose
// counts the guest checks bound.
'use strict';
(function (global) {
  class RunnerError extends Error {
    constructor(kind, message, detail) {
      super(message);
      this.name = 'RunnerError';
      this.kind = kind;
      this.detail = detail === undefined ? undefined : JSON.stringify(detail);
    }
  }

  // Names the guest instrumentation exports (see guest/instrument.rs).
  const FUEL = '\u0001wasm-runner:fuel';
  const FUEL_EXHAUSTED = '\u0001wasm-runner:fuel-exhausted';
  const MEMORY_PREFIX = '\u0001wasm-runner:memory';
  const INTERRUPT = '\u0001wasm-runner:interrupt';
  const START = '\u0001wasm-runner:start';

  // Import providers by module name. The WASI runtime registers itself here.
  const providers = Object.create(null);
  let instance = null;

  function buildImports(module, stubUnknown) {
    const imports = Object.create(null);
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      const provider = providers[from];
      if (provider === undefined || !Object.prototype.hasOwnProperty.call(provider, name)) {
        if (stubUnknown && kind === 'function') {
          // Ends the run when called (a termination, which guest code cannot catch).
          (imports[from] ??= Object.create(null))[name] = () => global.__host.unknownImport(from, name);
          continue;
        }
        throw new RunnerError('unresolved_import', `unresolved import ${from}.${name} (${kind})`,
          { module: from, name, kind });
      }
      (imports[from] ??= Object.create(null))[name] = provider[name];
    }
    return imports;
  }

  function fuelExhausted() {
    const flag = instance?.exports[FUEL_EXHAUSTED];
    return flag instanceof WebAssembly.Global && flag.value === 1;
  }

  // Turns what guest code threw into a tagged error the Rust side maps to a type.
  function classify(e) {
    if (fuelExhausted()) return new RunnerError('fuel_exhausted', 'the guest ran out of fuel');
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return new RunnerError('stack_exhausted', e.message);
    }
    if (e instanceof WebAssembly.LinkError) return new RunnerError('link_error', e.message);
    if (e instanceof WebAssembly.RuntimeError) return new RunnerError('trap', e.message);
    if (e instanceof WebAssembly.Exception) return new RunnerError('trap', 'uncaught wasm exception');
    return e;
  }

  function instantiate(module, optionsJson) {
    const options = JSON.parse(optionsJson);
    api.wasi?.configure(options);
    const imports = buildImports(module, options.stubUnknownImports === true);
    try {
      instance = new WebAssembly.Instance(module, imports);
    } catch (e) {
      // The start function may already have run and failed.
      throw classify(e);
    }
    // The interrupt flag the watchdog raises (modules with tail calls only).
    const interrupt = instance.exports[INTERRUPT];
    if (interrupt instanceof WebAssembly.Memory) global.__host.setInterrupt(interrupt.buffer);
    // A guarded module's start function runs now, with the flag in place.
    const start = instance.exports[START];
    if (typeof start === 'function') {
      try {
        start();
      } catch (e) {
        throw classify(e);
      }
    }
    const memory = instance.exports.memory instanceof WebAssembly.Memory
      ? instance.exports.memory : instance.exports[MEMORY_PREFIX + '0'];
    if (memory instanceof WebAssembly.Memory) api.wasi?.attach(memory);
    return '{}';
  }

  function run(optionsJson) {
    const { entry, params } = JSON.parse(optionsJson);
    const f = instance?.exports[entry];
    if (typeof f !== 'function') {
      throw new RunnerError('no_entry', `the module exports no function ${JSON.stringify(entry)}`, entry);
    }
    // Zeros of each parameter's kind (BigInt for i64, null for references).
    const args = (params ?? []).map((k) => (k === 'i64' ? 0n : k === 'ref' ? null : 0));
    // A WASI reactor is initialised before any other export is called.
    const init = instance.exports._initialize;
    let result;
    try {
      if (entry !== '_start' && typeof init === 'function') init();
      result = f(...args);
    } catch (e) {
      throw classify(e);
    }
    const values = result === undefined ? [] : Array.isArray(result) ? result : [result];
    return JSON.stringify(values.map(String));
  }

  // Fuel left and linear memory in use, read from the instrumentation's exports.
  function stateJson() {
    const exports = instance?.exports ?? {};
    const fuel = exports[FUEL];
    let memoryBytes = 0;
    for (let i = 0; ; i++) {
      const m = exports[MEMORY_PREFIX + i];
      if (!(m instanceof WebAssembly.Memory)) break;
      memoryBytes += m.buffer.byteLength;
    }
    return JSON.stringify({
      fuel_remaining: fuel instanceof WebAssembly.Global ? String(fuel.value) : null,
      fuel_exhausted: fuelExhausted(),
      memory_bytes: memoryBytes,
    });
  }

  // What a differential comparison looks at: an FNV-1a hash over all linear memory and the
  // guest's exported globals. Only computed when a run asks for it.
  function observe() {
    if (instance === null) return 'null';
    const exports = instance.exports;
    let h = 0x811c9dc5;
    for (let i = 0; ; i++) {
      const m = exports[MEMORY_PREFIX + i];
      if (!(m instanceof WebAssembly.Memory)) break;
      const bytes = new Uint8Array(m.buffer);
      for (let j = 0; j < bytes.length; j++) {
        h ^= bytes[j];
        h = Math.imul(h, 0x01000193);
      }
    }
    const globals = [];
    for (const name of Object.keys(exports)) {
      if (name.startsWith('\u0001')) continue;
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
    return JSON.stringify({ memory_hash: (h >>> 0).toString(16).padStart(8, '0'), globals });
  }

  const api = { instantiate, run, state: stateJson, observe, providers, RunnerError, wasi: null };
  Object.defineProperty(global, '__wasmRunner', { value: api });
  return 'bootstrapped';
})(globalThis);
