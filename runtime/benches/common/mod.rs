//! Warmup-latency benchmarks shared by the three tier targets (`warmup_lazy`,
//! `warmup_liftoff`, `warmup_optimizing`): V8 flags are fixed when V8 starts, so each tier
//! is its own process. Throughput is in module bytes per second.
//!
//! Groups (ids are `group/tier/size`):
//! - `warmup`: `Runner::warmup` end to end (bootstrap, guest checks and instrumentation,
//!   compile, instantiate) on bytes it has not seen (cold);
//! - `warmup_cached` (lazy): the same bytes again, the guest checks served from the
//!   process's prepared-module cache;
//! - `phase_<name>`: one phase's time out of full warmups (criterion's `iter_custom` adds up
//!   the phase's own duration from each warmup's report);
//! - lazy target only: `wasmparser_validate` (the floor: validation alone),
//!   `wasmtime_cranelift` and `wasmtime_winch` (compiling the same checked and instrumented
//!   bytes V8 compiles; wasmtime compiles eagerly whatever the tier).
//!
//! Sizes: 1, 8, 32 and 100 MB of synthetic code and python.wasm when corpus/real/cache has
//! it. Eager tiers and wasmtime stop at 32 MB (compiling 100 MB eagerly takes minutes per
//! sample), and eager tiers report whole warmups only (phases are measured lazily).

#![allow(dead_code)]

use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use wasm_runner::internals::{reference_config, wasm_features, V8_FLAGS_ENV};
use wasm_runner::{prepare, wasi_preview1, GuestLimits, Instrumentation, ProvidedImports, Runner, RunnerLimits};
use wasm_runner_testkit::synth::{build, with_nonce as nonce_section, SynthSpec};

const MB: u64 = 1_000_000;

use wasm_runner_testkit::tiers::Tier;

struct Input {
    name: String,
    bytes: Vec<u8>,
    /// python.wasm imports host.call beyond WASI: stubbed.
    stub_imports: bool,
}

fn inputs(tier: &Tier) -> Vec<Input> {
    let sizes: &[u64] = if tier.eager { &[MB, 8 * MB, 32 * MB] } else { &[MB, 8 * MB, 32 * MB, 100 * MB] };
    let mut out: Vec<Input> = sizes
        .iter()
        .map(|&s| Input {
            name: format!("{}mb", s / MB),
            bytes: build(&SynthSpec::code_heavy(s, 1000)),
            stub_imports: false,
        })
        .collect();
    if tier.eager {
        // Compiling python.wasm eagerly takes minutes per sample.
        return out;
    }
    if let Some(python) = wasm_runner_testkit::real::cache().and_then(|d| std::fs::read(d.join("python.wasm")).ok()) {
        out.push(Input { name: "python".into(), bytes: python, stub_imports: true });
    } else {
        eprintln!("python.wasm skipped: no corpus/real/cache (run corpus/real/fetch.sh)");
    }
    out
}

fn provided(input: &Input) -> ProvidedImports {
    if input.stub_imports {
        wasi_preview1().stubbing_unknown_functions()
    } else {
        wasi_preview1()
    }
}

fn runner(input: &Input) -> Runner {
    Runner::new(RunnerLimits::default()).with_provided_imports(provided(input))
}

/// Fewer, shorter samples for big inputs: one warmup of 100 MB takes seconds.
fn tune(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, bytes: usize) {
    group.sample_size(10);
    // One iteration per sample: linear sampling would run 55 of a multi-second warmup.
    group.sampling_mode(criterion::SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(if bytes > 16_000_000 { 100 } else { 500 }));
    group.measurement_time(Duration::from_secs(if bytes > 16_000_000 { 20 } else { 5 }));
}

/// `bytes` with a fresh counter in a custom section: the same module to every engine, new
/// bytes to the prepared-module cache.
fn with_nonce(bytes: &[u8]) -> Vec<u8> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NONCE: AtomicU64 = AtomicU64::new(0);
    nonce_section(bytes, NONCE.fetch_add(1, Ordering::Relaxed))
}

/// Sets the tier's V8 flags; must run before anything starts V8.
pub fn set_tier(tier: &Tier) {
    // Edition 2021: set_var is safe; nothing else runs yet.
    std::env::set_var(V8_FLAGS_ENV, tier.v8_flags);
}

pub fn bench_tier(c: &mut Criterion, tier: &Tier) {
    let inputs = inputs(tier);
    for input in &inputs {
        let runner = runner(input);
        if let Err(f) = runner.warmup(input.bytes.clone()) {
            eprintln!("{}: warmup fails ({}), not benchmarked", input.name, f.error);
            continue;
        }
        // Cold: every warmup sees new bytes (a nonce in a custom section), so the guest
        // checks run each time, as on a module's first warmup in a process.
        let mut group = c.benchmark_group(format!("warmup/{}", tier.name));
        tune(&mut group, input.bytes.len());
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(&input.name), input, |b, input| {
            b.iter_batched(
                || with_nonce(&input.bytes),
                |module| runner.warmup(module).expect("warmup"),
                BatchSize::PerIteration,
            )
        });
        group.finish();
        if !tier.eager {
            // Cached: the same bytes again, as a runner that warms one guest up repeatedly
            // sees them (the guest checks come from the process cache).
            let mut group = c.benchmark_group(format!("warmup_cached/{}", tier.name));
            tune(&mut group, input.bytes.len());
            group.throughput(Throughput::Bytes(input.bytes.len() as u64));
            let shared: std::sync::Arc<[u8]> = input.bytes.clone().into();
            group.bench_with_input(BenchmarkId::from_parameter(&input.name), &shared, |b, module| {
                b.iter(|| runner.warmup(module.clone()).expect("warmup"))
            });
            group.finish();
        }
        if tier.eager {
            // Phases are measured on the default tier; eager ones report the whole warmup.
            continue;
        }
        for phase in ["bootstrap", "guest_checks", "compile", "instantiate"] {
            let mut group = c.benchmark_group(format!("phase_{phase}/{}", tier.name));
            tune(&mut group, input.bytes.len());
            group.throughput(Throughput::Bytes(input.bytes.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(&input.name), input, |b, input| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| {
                            let report = runner.warmup(with_nonce(&input.bytes)).expect("warmup");
                            Duration::from_secs_f64(report.phase(phase).map_or(0.0, |p| p.duration_ms) / 1e3)
                        })
                        .sum()
                })
            });
            group.finish();
        }
    }
    if tier.eager {
        return;
    }
    for input in &inputs {
        let mut group = c.benchmark_group("wasmparser_validate");
        tune(&mut group, input.bytes.len());
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(&input.name), input, |b, input| {
            b.iter(|| {
                wasmparser::Validator::new_with_features(wasm_features()).validate_all(&input.bytes).expect("valid")
            })
        });
        group.finish();
    }
    // wasmtime compiles eagerly: 100 MB takes minutes per sample, so it stops at 32 MB (and
    // python.wasm, 99 MB, with Cranelift only through the stress job's real_modules numbers).
    for input in inputs.iter().filter(|i| i.bytes.len() <= 40_000_000) {
        let prepared =
            prepare(&input.bytes, &GuestLimits::default(), &provided(input), Instrumentation::On).expect("prepares");
        for (name, strategy) in [("cranelift", ::wasmtime::Strategy::Cranelift), ("winch", ::wasmtime::Strategy::Winch)]
        {
            if name == "cranelift" && input.bytes.len() > 10_000_000 {
                // About 30 s a sample at 32 MB: Cranelift stops at 8 MB (its rate is flat).
                continue;
            }
            let mut config = reference_config(&GuestLimits::default());
            config.strategy(strategy);
            if name == "winch" {
                // Winch compiles the core proposals only; the synthetic modules use none of these.
                config
                    .wasm_gc(false)
                    .wasm_function_references(false)
                    .wasm_exceptions(false)
                    .wasm_tail_call(false)
                    .wasm_relaxed_simd(false)
                    .wasm_threads(false)
                    .shared_memory(false);
            }
            let engine = match ::wasmtime::Engine::new(&config) {
                Ok(engine) => engine,
                Err(e) => {
                    eprintln!("wasmtime {name}: no engine for this configuration: {e:#}");
                    continue;
                }
            };
            if let Err(e) = ::wasmtime::Module::new(&engine, &prepared.bytes[..]) {
                eprintln!("{}: wasmtime {name} cannot compile it: {e}", input.name);
                continue;
            }
            let mut group = c.benchmark_group(format!("wasmtime_{name}"));
            tune(&mut group, input.bytes.len());
            group.throughput(Throughput::Bytes(input.bytes.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(&input.name), &prepared.bytes, |b, bytes| {
                b.iter(|| ::wasmtime::Module::new(&engine, &bytes[..]).expect("compiles"))
            });
            group.finish();
        }
    }
}
