//! Replays every input under `corpus/regressions/<target>/` through that target's oracle,
//! and every seed under `corpus/<target>/` too, so a fixed bug stays fixed under plain
//! `cargo test` (no cargo-fuzz needed).

use std::path::Path;

fn replay(dir: &Path, target: &str) -> usize {
    let Some(oracle) = wasm_runner_fuzzing::oracles::by_target(target) else {
        panic!("{} names no fuzz target", dir.display());
    };
    let mut count = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    for path in paths {
        let data = std::fs::read(&path).unwrap();
        eprintln!("replaying {}", path.display());
        oracle(&data);
        count += 1;
    }
    count
}

#[test]
fn corpus_seeds_and_regressions_pass_their_oracles() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut replayed = 0;
    for target in ["warmup", "guest_limits", "differential", "instrument", "guest_checks", "terminate"] {
        replayed += replay(&corpus.join(target), target);
        replayed += replay(&corpus.join("regressions").join(target), target);
    }
    assert!(replayed > 0, "no corpus found under {}", corpus.display());
    eprintln!("{replayed} inputs replayed");
}
