//! Writes small seed corpora under `corpus/<target>/`: modules generated from fixed inputs,
//! each carrying its input (see `corpus::wrap`). Run from the repository root:
//! `cargo run -p wasm-runner-fuzzing --bin seed-corpus`.

use std::path::Path;

use wasm_runner_fuzzing::corpus::wrap;
use wasm_runner_fuzzing::generators::{endless_module, large_module, terminating_module};

/// Deterministic input bytes (xorshift), so the seeds are reproducible.
fn input(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn main() {
    let root = Path::new("corpus");
    let mut written = 0;
    for target in ["warmup", "guest_limits", "differential", "instrument", "guest_checks", "terminate"] {
        let dir = root.join(target);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            std::process::exit(2);
        }
        let mut made = 0;
        for seed in 1..200u64 {
            if made == 4 {
                break;
            }
            let data = input(seed + 1000 * target.len() as u64, 1024);
            let module = match target {
                "warmup" | "guest_checks" => large_module(&data).map(|g| g.module),
                "guest_limits" => terminating_module(&data[64..]).map(|g| g.module),
                "terminate" => endless_module(&data).map(|g| g.module),
                _ => terminating_module(&data).map(|g| g.module),
            };
            let Ok(module) = module else { continue };
            if module.len() > 64 * 1024 {
                continue;
            }
            let path = dir.join(format!("seed-{seed:03}.wasm"));
            if let Err(e) = std::fs::write(&path, wrap(&module, &data)) {
                eprintln!("error: cannot write {}: {e}", path.display());
                std::process::exit(2);
            }
            made += 1;
            written += 1;
        }
    }
    println!("wrote {written} seeds under {}", root.display());
}
