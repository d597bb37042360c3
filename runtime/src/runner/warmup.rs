//! warmup = bootstrap + guest checks + compile + instantiate.

use std::sync::Arc;
use std::time::Instant;

use super::report::{WarmupFailure, WarmupReport};
use super::supervisor::supervise;
use crate::guest::{check_imports, inspect, ProvidedImports};
use crate::limits::RunnerLimits;

pub(crate) fn warmup(
    limits: &RunnerLimits,
    provided: &ProvidedImports,
    module: Arc<[u8]>,
) -> Result<WarmupReport, WarmupFailure> {
    let started = Instant::now();
    let provided = provided.clone();
    let module_bytes = module.len();
    let (facts, phases) = supervise(limits, move |session| {
        session.bootstrap()?;
        let facts = session.phase("guest_checks", |_| {
            let facts = inspect(&module)?;
            check_imports(&facts.imports, &provided)?;
            Ok(facts)
        })?;
        session.phase("compile", |iso| {
            iso.compile_module(&module).map_err(Into::into)
        })?;
        session.phase("instantiate", |iso| {
            iso.call_runner_with_module("instantiate", "{}")
                .map(drop)
                .map_err(Into::into)
        })?;
        Ok(facts)
    })?;
    Ok(WarmupReport {
        heap_limit_bytes: limits.heap_limit_bytes,
        module_bytes,
        module: facts,
        phases,
        total_ms: started.elapsed().as_secs_f64() * 1e3,
    })
}
