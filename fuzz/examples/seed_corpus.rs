//! Writes small seed corpora under `corpus/<target>/`: modules generated from fixed inputs,
//! each carrying its input (see `corpus::wrap`), each one that reaches its target's
//! property. From the repository root: `cargo run -p wasm-runner-fuzz --example seed_corpus`.

use std::path::Path;

use wasm_runner_fuzz::corpus::wrap;
use wasm_runner_fuzz::generators::{endless_module, large_module, terminating_module, wasi_program};
use wasm_runner_fuzz::{Verdict, TARGETS};

fn main() {
    let root = Path::new("corpus");
    let mut written = 0;
    for target in TARGETS {
        let dir = root.join(target.name);
        // The old seeds go: a seed is only worth keeping if the current generator and
        // oracle reach the property with it.
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            std::process::exit(2);
        }
        let mut made = 0;
        for seed in 1..200u64 {
            if made == 4 {
                break;
            }
            let data = wasm_runner_testkit::rng::bytes(seed + 1000 * target.name.len() as u64, 1024);
            let module = match target.name {
                "warmup" | "guest_checks" => large_module(&data).map(|g| g.module),
                "guest_limits" => terminating_module(&data[64..]).map(|g| g.module),
                "terminate" => endless_module(&data).map(|g| g.module),
                "wasi" => wasi_program(&data).map(|g| g.module),
                _ => terminating_module(&data).map(|g| g.module),
            };
            let Ok(module) = module else { continue };
            if module.len() > 64 * 1024 {
                continue;
            }
            let entry = wrap(&module, &data);
            if (target.oracle)(&entry) != Verdict::Checked {
                continue;
            }
            let path = dir.join(format!("seed-{seed:03}.wasm"));
            if let Err(e) = std::fs::write(&path, entry) {
                eprintln!("error: cannot write {}: {e}", path.display());
                std::process::exit(2);
            }
            made += 1;
            written += 1;
        }
    }
    println!("wrote {written} seeds under {}", root.display());
}
