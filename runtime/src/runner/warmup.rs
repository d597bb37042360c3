//! warmup = bootstrap + guest checks + compile + instantiate.

use std::sync::Arc;
use std::time::Instant;

use super::instance::{instantiate_options, read_state};
use super::js::Scripts;
use super::supervisor::supervise;
use super::Runner;
use crate::guest::prepare_cached;
use crate::limits::heap_bound;
use crate::report::{Failure, WarmupReport};
use crate::wasi::{FsImage, WasiHost};

pub(crate) fn warmup(runner: &Runner, module: Arc<[u8]>) -> Result<WarmupReport, Failure> {
    let started = Instant::now();
    let runner = runner.clone();
    let module_bytes = module.len();
    let heap_limit_bytes = runner.limits.heap_limit_bytes;
    let guest = runner.guest.clone();
    let scripts = Scripts::for_module(&module, &runner.provided);
    let ((facts, prepared_from), phases) =
        supervise(&runner.limits.clone(), Some(runner.guest.stack_bytes()), scripts, move |session| {
            let guest = &runner.guest;
            session.set_guest_limits(guest.clone());
            session.attach_wasi(WasiHost::new(guest.max_output_bytes, Vec::new(), FsImage::default()));
            let mut fuel_limit = None;
            let cancel = session.cancel();
            let warmed = (|| {
                session.bootstrap()?;
                let (prepared, from) = session.phase("guest_checks", |_| {
                    Ok(prepare_cached(&module, guest, &runner.provided, runner.instrumentation, &cancel)?)
                })?;
                fuel_limit = Some(prepared.fuel_limit);
                session.phase("compile", |iso| Ok(iso.compile_module(&prepared.bytes)?))?;
                let wasi = crate::wasi::options(&Default::default(), guest);
                let options = instantiate_options(&prepared, wasi);
                session.phase("instantiate", |iso| {
                    Ok(iso.call_runner_with_module("instantiate", &options).map(drop)?)
                })?;
                Ok((prepared, from))
            })();
            match warmed {
                Ok((prepared, from)) => Ok((prepared.facts, from)),
                Err(error) => {
                    // A start function may have run out of fuel.
                    let fuel = fuel_limit.and_then(|limit| read_state(session, limit).fuel_exhausted);
                    Err(session.failure(error, fuel))
                }
            }
        })?;
    Ok(WarmupReport {
        heap_limit_bytes,
        module_bytes,
        heap_bound_bytes: heap_bound(&facts, &guest).warmup_bytes,
        module: facts,
        prepared_from,
        phases,
        total_ms: started.elapsed().as_secs_f64() * 1e3,
    })
}
