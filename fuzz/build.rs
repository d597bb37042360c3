//! Generates one test per corpus file (`src/replay.rs` includes them): seeds under
//! `corpus/<target>/`, regressions under `corpus/regressions/<target>/`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// `name` as a Rust identifier.
fn ident(name: &str) -> String {
    let mut out: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if out.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(read) => read.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    entries
}

/// `mod <group> { mod <target> { #[test] fn <file>() ... } }` for every file under `root`'s
/// target folders.
fn group(out: &mut String, group: &str, root: &Path, skip: &[&str]) {
    writeln!(out, "mod {group} {{").unwrap();
    for dir in sorted_entries(root).into_iter().filter(|p| p.is_dir()) {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        if skip.contains(&target.as_str()) {
            continue;
        }
        writeln!(out, "    mod {} {{", ident(&target)).unwrap();
        for file in sorted_entries(&dir).into_iter().filter(|p| p.is_file()) {
            let name = ident(&file.file_name().unwrap().to_string_lossy());
            let path = file.canonicalize().unwrap().display().to_string();
            writeln!(out, "        #[test]\n        fn {name}() {{ super::super::replay({target:?}, {path:?}); }}")
                .unwrap();
        }
        writeln!(out, "    }}").unwrap();
    }
    writeln!(out, "}}").unwrap();
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    println!("cargo:rerun-if-changed={}", corpus.display());
    for dir in sorted_entries(&corpus).into_iter().chain(sorted_entries(&corpus.join("regressions"))) {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let mut out = String::new();
    group(&mut out, "seeds", &corpus, &["real", "regressions"]);
    group(&mut out, "regressions", &corpus.join("regressions"), &[]);
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("replay_tests.rs");
    std::fs::write(dest, out).unwrap();
}
