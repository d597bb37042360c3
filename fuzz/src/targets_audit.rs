//! Every place that lists the fuzz targets agrees with `TARGETS`: the binaries in
//! fuzz/Cargo.toml and their files, the corpus folders, fuzz/README.md; and the scripts
//! that run every target ask cargo-fuzz for the list instead of writing it out.

use std::path::{Path, PathBuf};

use crate::TARGETS;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A target's seed files, in name order.
fn seeds(target: &str) -> Vec<PathBuf> {
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(repo().join("corpus").join(target))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    seeds.sort();
    seeds
}

fn names() -> Vec<&'static str> {
    TARGETS.iter().map(|t| t.name).collect()
}

#[test]
fn the_manifest_has_one_binary_per_target_in_order() {
    let manifest = read("fuzz/Cargo.toml");
    let bins: Vec<&str> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(|section| section.lines().find_map(|l| l.trim().strip_prefix("name = ")))
        .map(|name| name.trim_matches('"'))
        .collect();
    assert_eq!(bins, names());
}

#[test]
fn every_target_binary_hands_its_input_to_its_own_target() {
    let files: Vec<String> = std::fs::read_dir(repo().join("fuzz/fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), TARGETS.len(), "fuzz/fuzz_targets holds one file per target: {files:?}");
    for name in names() {
        let text = read(&format!("fuzz/fuzz_targets/{name}.rs"));
        assert!(
            text.contains(&format!("wasm_runner_fuzz::fuzz(\"{name}\", data)")),
            "fuzz_targets/{name}.rs does not hand its input to wasm_runner_fuzz::fuzz(\"{name}\", data)"
        );
    }
}

#[test]
fn every_target_binary_carries_the_leak_suppression_for_v8s_liveness_record() {
    for name in names() {
        let text = read(&format!("fuzz/fuzz_targets/{name}.rs"));
        assert!(
            text.contains("sanitizer_defaults!()"),
            "fuzz_targets/{name}.rs lacks wasm_runner_fuzz::sanitizer_defaults!()"
        );
    }
}

#[test]
fn every_target_binary_applies_the_default_libfuzzer_flags() {
    for name in names() {
        let text = read(&format!("fuzz/fuzz_targets/{name}.rs"));
        assert!(
            text.contains("init: wasm_runner_fuzz::libfuzzer_flags::apply_defaults()"),
            "fuzz_targets/{name}.rs does not apply wasm_runner_fuzz::libfuzzer_flags::apply_defaults() in its init"
        );
    }
}

#[test]
fn every_target_has_a_seed_corpus_and_no_corpus_folder_is_orphaned() {
    let mut folders: Vec<String> = std::fs::read_dir(repo().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "real" && n != "regressions")
        .collect();
    folders.sort();
    let mut expected: Vec<String> = names().iter().map(|n| n.to_string()).collect();
    expected.sort();
    assert_eq!(folders, expected);
    for dir in std::fs::read_dir(repo().join("corpus/regressions")).unwrap() {
        let name = dir.unwrap().file_name().to_string_lossy().into_owned();
        assert!(names().contains(&name.as_str()), "corpus/regressions/{name} names no target");
    }
}

#[test]
fn the_readme_lists_every_target_in_order() {
    let readme = read("fuzz/README.md");
    let listed: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(name, _)| name))
        .collect();
    assert_eq!(listed, names());
}

#[test]
fn scripts_that_run_every_target_ask_cargo_fuzz_for_the_list() {
    for script in [".ci/run", ".clusterfuzzlite/build.sh"] {
        let text = read(script);
        assert!(text.contains("fuzz list"), "{script} does not take the targets from `cargo fuzz list`");
        for name in names() {
            assert!(!text.contains(&format!(" {name} ")), "{script} names the target {name} itself");
        }
    }
}

#[test]
fn every_target_that_checks_the_heap_mutates_from_its_elites() {
    for target in TARGETS {
        let text = read(&format!("fuzz/fuzz_targets/{}.rs", target.name));
        let steered = text.contains("heap_guided_mutator!()");
        assert_eq!(
            steered,
            target.heap_checked,
            "fuzz_targets/{}.rs: heap_checked is {} but the heap-guided mutator is {}",
            target.name,
            target.heap_checked,
            if steered { "there" } else { "not" }
        );
    }
}

/// `heap_checked` is what each oracle does: the first seed it checks leaves a heap check
/// for the elites exactly when the target says so.
#[test]
fn a_target_is_marked_heap_checked_exactly_when_its_oracle_checks_the_heap() {
    for target in TARGETS {
        let seeds = seeds(target.name);
        let checked = seeds.iter().find(|seed| {
            crate::elites::take_observed();
            (target.oracle)(&std::fs::read(seed).unwrap()) == crate::Verdict::Checked
        });
        let seed = checked.unwrap_or_else(|| panic!("no seed of {} reaches its property", target.name));
        assert_eq!(
            crate::elites::take_observed().is_some(),
            target.heap_checked,
            "{} on {}: heap_checked is {}",
            target.name,
            seed.display(),
            target.heap_checked
        );
    }
}

/// After `Target::fuzz` has checked a target's first checked seed, its oracle skips that
/// seed on the same thread exactly when the target says it skips repeats.
#[test]
fn a_target_skips_a_module_it_has_checked_exactly_when_it_says_so() {
    for target in TARGETS {
        let seeds = seeds(target.name);
        let again = std::thread::spawn(move || {
            let seed = seeds
                .iter()
                .map(|seed| std::fs::read(seed).unwrap())
                .find(|seed| matches!(target.fuzz(seed), libfuzzer_sys::Corpus::Keep));
            let seed = seed.unwrap_or_else(|| panic!("no seed of {} reaches its property", target.name));
            (target.oracle)(&seed)
        })
        .join()
        .unwrap();
        let expected = if target.skips_repeats {
            crate::Verdict::Skipped(crate::repeats::CHECKED_BEFORE)
        } else {
            crate::Verdict::Checked
        };
        assert_eq!(again, expected, "{} on its first checked seed, run again", target.name);
    }
}
