//! Where two engines part on a `wasi` input: runs its guest with only the first k
//! calls, each once, for k = 1, 2, ..., and prints every call with its arguments and the
//! errno each engine answered, up to the first whose errno or written bytes differ. From the repository root:
//! `cargo run --release -p wasm-runner-fuzz --example wasi_narrow -- INPUT`.

use wasm_runner::{RunOutcome, RunReport};
use wasm_runner_fuzz::generators::wasi_program_prefix;
use wasm_runner_fuzz::oracles::run_wasi_module;

/// The run's folded errnos (`run` returns `acc * 31 + errno`, call after call).
fn folded(report: &RunReport) -> Option<u32> {
    match &report.outcome {
        RunOutcome::Ok { returned } => returned.first()?.parse::<i64>().ok().map(|v| v as u32),
        _ => None,
    }
}

/// The constant arguments of the module's last call (the generator pushes each argument as
/// one constant right before its call).
fn last_call_arguments(module: &[u8]) -> Vec<String> {
    let mut args = Vec::new();
    let mut last = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module).flatten() {
        let wasmparser::Payload::CodeSectionEntry(body) = payload else { continue };
        let Ok(reader) = body.get_operators_reader() else { continue };
        for op in reader.into_iter().flatten() {
            match op {
                wasmparser::Operator::I32Const { value } => args.push((value as u32).to_string()),
                wasmparser::Operator::I64Const { value } => args.push(format!("{value}i64")),
                wasmparser::Operator::Call { .. } => last = std::mem::take(&mut args),
                _ => args.clear(),
            }
        }
    }
    last
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: wasi_narrow INPUT");
        std::process::exit(2);
    };
    let data = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("error: cannot read {path}: {e}");
        std::process::exit(2);
    });
    let data = wasm_runner_fuzz::corpus::stored_input(&data).unwrap_or(&data).to_vec();
    let mut before = [Some(0u32), Some(0u32)];
    for keep in 1.. {
        let Ok((module, names)) = wasi_program_prefix(&data, keep, Some(1)) else {
            eprintln!("error: no guest comes of this input");
            std::process::exit(2);
        };
        if keep > names.len() {
            println!("all {} calls answer alike", names.len());
            return;
        }
        let module_copy = module.clone();
        let Some((v8, wasmtime)) = run_wasi_module(module, "run".into()) else {
            eprintln!("error: no scratch folder");
            std::process::exit(2);
        };
        let now = [folded(&v8), folded(&wasmtime)];
        if now == [None, None] {
            println!("      ({})", last_call_arguments(&module_copy).join(", "));
            println!(
                "{keep:3} {:24} ends the run in both: {} / {}",
                names[keep - 1],
                v8.outcome.kind(),
                wasmtime.outcome.kind()
            );
            return;
        }
        let errno = |i: usize| match (before[i], now[i]) {
            (Some(b), Some(n)) => n.wrapping_sub(b.wrapping_mul(31)).to_string(),
            _ => format!("{:?}", [&v8, &wasmtime][i].outcome),
        };
        let (a, b) = (errno(0), errno(1));
        println!("{keep:3} {:24} v8 {a:>6}  wasmtime {b:>6}", names[keep - 1]);
        println!("      ({})", last_call_arguments(&module_copy).join(", "));
        if a != b {
            println!("the engines part at call {keep} ({})", names[keep - 1]);
            return;
        }
        if v8.observed != wasmtime.observed {
            println!("the engines part at call {keep} ({}): it wrote different bytes to memory", names[keep - 1]);
            return;
        }
        before = now;
    }
}
