//! N runner isolates warming up at once, N from the core count to 4x. Each warms up its
//! own copy of the module (a nonce apart), so none is served by the prepared-module cache:
//! every one pays the full guest checks, compile and instantiate at the same time.

use std::sync::{Arc, Barrier};

use wasm_runner::{Runner, RunnerLimits};

use super::{mib, synth_code, Ctx};
use wasm_runner_testkit::rss::{rss_bytes, RssSampler};

use crate::machine::cores;
use crate::progress::Progress;
use crate::report::ScenarioResult;

/// RSS one concurrent warmup may add: a fresh isolate and its heap (a few MiB), the module's
/// bytes (Rust's copy, the instrumented copy, V8's copy) and lazily compiled code.
fn per_warmup_bound(module_bytes: usize) -> u64 {
    64 * 1024 * 1024 + 4 * module_bytes as u64
}

pub fn run(ctx: &Ctx) -> ScenarioResult {
    let module = synth_code(ctx.profile.concurrency_module_bytes);
    let bound = per_warmup_bound(module.len());
    let mut nonce = 0u64;
    let mut r = ScenarioResult::new(
        "concurrency",
        &format!(
            "N = cores x factor simultaneous warmups all succeed with the guard never firing, and peak RSS grows \
             by at most N x {:.0} MiB (64 MiB + 4 x the module) over the baseline",
            mib(bound as f64)
        ),
    );
    let factors = &ctx.profile.concurrency_factors;
    let mut progress = Progress::start("concurrency", factors.len() as u64);
    for &factor in factors {
        let n = cores() * factor;
        let copies: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                nonce += 1;
                wasm_runner_testkit::synth::with_nonce(&module, nonce)
            })
            .collect();
        let baseline = rss_bytes();
        let sampler = RssSampler::start();
        let barrier = Arc::new(Barrier::new(n));
        let started = std::time::Instant::now();
        let handles: Vec<_> = copies
            .into_iter()
            .map(|module| {
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    Runner::new(RunnerLimits::default()).warmup(module)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        let wall_ms = started.elapsed().as_secs_f64() * 1e3;
        let peak = sampler.peak();
        drop(sampler);
        let growth = peak.saturating_sub(baseline);
        let mut failed = 0;
        for result in &results {
            match result {
                Ok(Ok(_)) => {}
                Ok(Err(f)) => {
                    failed += 1;
                    r.fail(format!("N={n}: a warmup failed: {}", f.error));
                }
                Err(_) => {
                    failed += 1;
                    r.fail(format!("N={n}: a warmup thread panicked"));
                }
            }
        }
        let allowed = bound * n as u64;
        if growth > allowed {
            r.fail(format!(
                "N={n}: RSS grew {:.0} MiB, over the {:.0} MiB bound",
                mib(growth as f64),
                mib(allowed as f64)
            ));
        }
        let worst_ms = results
            .iter()
            .filter_map(|x| x.as_ref().ok().and_then(|x| x.as_ref().ok()))
            .map(|w| w.total_ms)
            .fold(0.0, f64::max);
        r.rows.push(serde_json::json!({
            "n": n, "factor": factor, "failed": failed, "wall_ms": wall_ms, "worst_warmup_ms": worst_ms,
            "rss_baseline_mib": mib(baseline as f64), "rss_peak_mib": mib(peak as f64),
            "rss_growth_mib": mib(growth as f64), "rss_bound_mib": mib(allowed as f64),
        }));
        r.metric(&format!("n{n}_wall_ms"), wall_ms);
        r.metric(&format!("n{n}_rss_growth_mib"), mib(growth as f64));
        progress.step(format!(
            "N={n}: {wall_ms:.0} ms, RSS +{:.0} MiB (bound {:.0})",
            mib(growth as f64),
            mib(allowed as f64)
        ));
    }
    progress.finish(&format!("{:?}", r.verdict));
    r
}
