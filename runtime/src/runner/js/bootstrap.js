// The runner's own JS, compiled in the runner isolate at bootstrap.
//
// Rules for this file: it never copies guest bytes (Rust compiles the module from its own
// memory), it builds nothing per export or per table slot (those would put guest-sized
// data on the runner heap), and its only loops run over imports, whose count the guest
// checks bound.
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

  // Import providers by module name. The WASI runtime registers itself here.
  const providers = Object.create(null);

  function buildImports(module) {
    const imports = Object.create(null);
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      const provider = providers[from];
      if (provider === undefined || !Object.prototype.hasOwnProperty.call(provider, name)) {
        throw new RunnerError('unresolved_import', `unresolved import ${from}.${name} (${kind})`,
          { module: from, name, kind });
      }
      (imports[from] ??= Object.create(null))[name] = provider[name];
    }
    return imports;
  }

  function instantiate(module, _options) {
    let instance;
    try {
      instance = new WebAssembly.Instance(module, buildImports(module));
    } catch (e) {
      if (e instanceof WebAssembly.LinkError) throw new RunnerError('link_error', e.message);
      if (e instanceof WebAssembly.RuntimeError) throw new RunnerError('trap', e.message);
      throw e;
    }
    return { instance, summary: '{}' };
  }

  Object.defineProperty(global, '__wasmRunner', {
    value: Object.freeze({ instantiate, providers, RunnerError }),
  });
  return 'bootstrapped';
})(globalThis);
