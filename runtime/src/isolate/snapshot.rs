//! A V8 startup snapshot holding a context in which trusted scripts have already run: every
//! isolate made from it starts with that context's state, so a job pays for deserialising
//! the runner's and the WASI runtime's JS, not for compiling and running it again.

use super::natives::HOST_OBJECT;
use super::platform::ensure_initialized;

/// Runs `scripts` (name, source) in a fresh context with an empty `__host` object, and
/// returns the snapshot blob whose default context is that context. The scripts must not
/// call natives at their top level: natives are installed on `__host` after each isolate
/// is made from the blob (they are Rust functions the snapshot cannot hold).
pub(crate) fn create(scripts: &[(&str, String)]) -> Result<Vec<u8>, String> {
    ensure_initialized();
    let mut creator = v8::Isolate::snapshot_creator(None, None);
    {
        v8::scope!(let scope, &mut creator);
        let context = v8::Context::new(scope, Default::default());
        let scope = &mut v8::ContextScope::new(scope, context);
        let host = v8::Object::new(scope);
        let key = v8::String::new(scope, HOST_OBJECT).ok_or("V8 refused the host object's name")?;
        context.global(scope).set(scope, key.into(), host.into());
        for (name, source) in scripts {
            run(scope, name, source)?;
        }
        scope.set_default_context(context);
    }
    let blob = creator.create_blob(v8::FunctionCodeHandling::Keep).ok_or("V8 could not create the startup snapshot")?;
    Ok(blob.to_vec())
}

fn run(scope: &mut v8::PinScope, name: &str, source: &str) -> Result<(), String> {
    v8::tc_scope!(let tc, scope);
    let code = v8::String::new(tc, source).ok_or_else(|| format!("script {name} is too large for a V8 string"))?;
    let resource = v8::String::new(tc, name).ok_or("script name is too large for a V8 string")?;
    let origin = v8::ScriptOrigin::new(tc, resource.into(), 0, 0, false, 0, None, false, false, false, None);
    // Compiled eagerly so the snapshot holds every function's bytecode: compiled lazily, each
    // isolate made from it would compile the functions a job calls again.
    let mut source = v8::script_compiler::Source::new(code, Some(&origin));
    let compiled = v8::script_compiler::compile(
        tc,
        &mut source,
        v8::script_compiler::CompileOptions::EagerCompile,
        v8::script_compiler::NoCacheReason::NoReason,
    );
    let ran = compiled.and_then(|script| script.run(tc));
    match ran {
        Some(_) => Ok(()),
        None => {
            let message = tc.exception().map(|e| e.to_rust_string_lossy(tc)).unwrap_or_else(|| "no exception".into());
            Err(format!("script {name} failed while the snapshot was made: {message}"))
        }
    }
}
