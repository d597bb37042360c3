//! Audits the limits inventory against the source: every limit-like constant is listed,
//! no entry is stale, every env var is really read (and documented), every test an entry
//! names exists, and docs/limits.md is the inventory as it is now.

use std::path::{Path, PathBuf};

use wasm_runner::limits::{inventory, INVENTORY};

/// Words that make a constant's name a limit.
const LIMIT_WORDS: &[&str] = &["LIMIT", "MAX_", "MIN_", "BUDGET", "TIMEOUT", "GRACE", "_BYTES", "RAISE", "_CAP"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Rust files under `sub`, relative to the repository root.
fn sources(sub: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&repo().join(sub), &mut files);
    files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect()
}

/// `(name, value text)` of every `const NAME: ... = value;` in `text`.
fn constants(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let rest = line.strip_prefix("pub const ").or_else(|| line.strip_prefix("const "))?;
            let (name, rest) = rest.split_once(':')?;
            let value = rest.split_once('=').map(|(_, v)| v.trim().trim_end_matches(';').to_string())?;
            Some((name.trim().to_string(), value))
        })
        .collect()
}

fn is_limit_like(name: &str) -> bool {
    !name.ends_with("_ENV") && LIMIT_WORDS.iter().any(|w| name.contains(w))
}

#[test]
fn every_limit_constant_is_in_the_inventory() {
    let src = sources("runtime/src");
    let listed: Vec<_> = INVENTORY.iter().map(|e| e.constant).collect();
    let mut missing = Vec::new();
    for (path, text) in &src {
        if path.ends_with("inventory.rs") {
            continue;
        }
        for (name, _) in constants(text) {
            if is_limit_like(&name) && !listed.contains(&name.as_str()) {
                missing.push(format!("{name} ({})", path.display()));
            }
        }
    }
    assert!(missing.is_empty(), "limit-like constants missing from the inventory: {missing:?}");
}

#[test]
fn no_inventory_entry_is_stale() {
    let src = sources("runtime/src");
    for entry in INVENTORY {
        let defined = src.iter().any(|(_, text)| constants(text).iter().any(|(name, _)| name == entry.constant));
        assert!(defined, "inventory entry {} names constant {} that no longer exists", entry.name, entry.constant);
    }
    let mut names: Vec<_> = INVENTORY.iter().map(|e| e.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), INVENTORY.len(), "inventory names are unique");
}

#[test]
fn every_inventory_env_var_is_read_and_documented() {
    let src = sources("runtime/src");
    let doc = std::fs::read_to_string(repo().join("docs/limits.md")).expect("docs/limits.md exists");
    for entry in INVENTORY {
        let Some(var) = entry.env_var else { continue };
        // The constant that spells the variable...
        let holder = src
            .iter()
            .flat_map(|(_, text)| constants(text))
            .find(|(_, value)| value == &format!("\"{var}\""))
            .map(|(name, _)| name)
            .unwrap_or_else(|| panic!("no constant spells env var {var}"));
        // ...is passed to something that reads the environment.
        let read = src.iter().any(|(_, text)| {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            ["read_positive(", "env::var("].iter().any(|reader| compact.contains(&format!("{reader}{holder}")))
        });
        assert!(read, "env var {var} (constant {holder}) is never read");
        assert!(doc.contains(var), "docs/limits.md does not document {var}");
    }
}

#[test]
fn every_named_test_exists() {
    let mut all = sources("runtime/src");
    all.extend(sources("runtime/tests"));
    for entry in INVENTORY {
        assert!(!entry.tested_by.is_empty(), "{} names no test", entry.name);
        for test in entry.tested_by {
            let found = all.iter().any(|(_, text)| text.contains(&format!("fn {test}(")));
            assert!(found, "inventory entry {} names test {test}, which does not exist", entry.name);
        }
    }
}

#[test]
fn audit_catches_what_it_should() {
    // The audit's own parsing, on text it must flag and text it must not.
    let text = "pub const MAX_THINGS: u32 = 5;\nconst FOO_ENV: &str = \"WASM_RUNNER_FOO\";\nlet x = 1;";
    let found = constants(text);
    assert_eq!(found[0], ("MAX_THINGS".to_string(), "5".to_string()));
    assert!(is_limit_like("MAX_THINGS"));
    assert!(!is_limit_like("FOO_ENV"));
    assert!(!is_limit_like("BOOTSTRAP_JS"));
}

#[test]
fn docs_limits_md_is_the_inventory_as_it_is_now() {
    let doc = std::fs::read_to_string(repo().join("docs/limits.md")).expect("docs/limits.md exists");
    assert!(
        doc == inventory::markdown(),
        "docs/limits.md is stale: regenerate it with `cargo run -p wasm-runner -- limits --markdown > docs/limits.md`"
    );
}
