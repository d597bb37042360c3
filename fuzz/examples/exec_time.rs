//! Where a fuzz target's time goes without libFuzzer: runs one target's oracle over every
//! file of a corpus folder, `--rounds` times, and prints the mean wall time per execution.
//! Set beside libFuzzer's own exec/s, the difference is what coverage instrumentation and
//! libFuzzer's bookkeeping cost. From the repository root:
//! `cargo run --release -p wasm-runner-fuzz --example exec_time -- warmup corpus/warmup`.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, dir, rounds) = match args.as_slice() {
        [name, dir] => (name, dir, 3),
        [name, dir, flag, n] if flag == "--rounds" => match n.parse() {
            Ok(n) if n > 0 => (name, dir, n),
            _ => fail(&format!("--rounds takes a positive count, not {n}")),
        },
        _ => fail("usage: exec_time TARGET CORPUS_DIR [--rounds N]"),
    };
    let Some(target) = wasm_runner_fuzz::target(name) else {
        fail(&format!("no fuzz target named {name}"));
    };
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| fail(&format!("cannot read {dir}: {e}")));
    let mut inputs = Vec::new();
    for entry in entries.flatten() {
        if let Ok(bytes) = std::fs::read(entry.path()) {
            inputs.push(bytes);
        }
    }
    if inputs.is_empty() {
        fail(&format!("{dir} holds no input"));
    }
    // One round first, untimed: the runtime's startup (V8, the snapshot) is not per execution.
    for input in &inputs {
        (target.oracle)(input);
    }
    let mut checked = 0usize;
    let started = Instant::now();
    for _ in 0..rounds {
        for input in &inputs {
            if (target.oracle)(input) == wasm_runner_fuzz::Verdict::Checked {
                checked += 1;
            }
        }
    }
    let execs = rounds * inputs.len();
    let per_exec = started.elapsed().as_secs_f64() / execs as f64;
    println!(
        "{name}: {execs} executions ({checked} reached the property), {:.3} ms each, {:.0} exec/s",
        per_exec * 1e3,
        1.0 / per_exec
    );
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2);
}
