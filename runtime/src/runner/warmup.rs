//! warmup = bootstrap + guest checks + compile + instantiate.

use std::sync::Arc;
use std::time::Instant;

use super::report::{WarmupFailure, WarmupReport};
use super::supervisor::supervise;
use crate::engine::HostIo;
use crate::guest::{prepare_cached, Instrumentation, ProvidedImports};
use crate::limits::{GuestLimits, RunnerLimits};

pub(crate) fn warmup(
    limits: &RunnerLimits,
    guest: &GuestLimits,
    provided: &ProvidedImports,
    instrumentation: Instrumentation,
    module: Arc<[u8]>,
) -> Result<WarmupReport, WarmupFailure> {
    let started = Instant::now();
    let (guest, provided) = (guest.clone(), provided.clone());
    let module_bytes = module.len();
    let stack = Some(guest.stack_bytes());
    let (facts, phases) = supervise(limits, stack, move |session| {
        session.set_guest_limits(guest.clone());
        let io = HostIo::new(guest.max_output_bytes, Vec::new());
        session.set_host_io(std::rc::Rc::new(std::cell::RefCell::new(io)));
        session.bootstrap()?;
        let prepared =
            session.phase("guest_checks", |_| Ok(prepare_cached(&module, &guest, &provided, instrumentation)?))?;
        session.phase("compile", |iso| Ok(iso.compile_module(&prepared.bytes)?))?;
        let options = serde_json::json!({ "stubUnknownImports": provided.stubs_unknown_functions() }).to_string();
        session.phase("instantiate", |iso| {
            iso.call_runner_with_module("instantiate", &options).map(drop).map_err(Into::into)
        })?;
        Ok(prepared.facts)
    })?;
    Ok(WarmupReport {
        heap_limit_bytes: limits.heap_limit_bytes,
        module_bytes,
        module: facts,
        phases,
        total_ms: started.elapsed().as_secs_f64() * 1e3,
    })
}
