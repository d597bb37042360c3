//! One release `wasm-runner` per revision: the revision is checked out into one git worktree,
//! `target/bench-gate/tree`, and built into one target folder of the gate's own,
//! `target/bench-gate/target`, so the revisions share every dependency and only what a
//! checkout changed is built again; the binary is kept under `target/bench-gate/<commit>/`.
//! One worktree for every revision, and a target folder apart from the repository's: cargo
//! names a workspace crate's build by its path inside the workspace, so a second worktree's
//! crates would count as already built, and the gate's builds would make the repository's
//! own release build count as built from the worktree's sources.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Built {
    /// The short commit the revision named.
    pub name: String,
    pub binary: PathBuf,
}

fn repo_root() -> Result<PathBuf, String> {
    let out = git(Path::new("."), &["rev-parse", "--show-toplevel"])?;
    Ok(PathBuf::from(out.trim()))
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output =
        Command::new("git").current_dir(dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Builds `rev`'s `wasm-runner` (once per commit: a binary already built for it is reused).
pub fn build(rev: &str) -> Result<Built, String> {
    let root = repo_root()?;
    let commit = git(&root, &["rev-parse", "--short=12", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("{rev:?} names no commit here"))?
        .trim()
        .to_string();
    let target = root.join("target");
    let home = target.join("bench-gate").join(&commit);
    let binary = home.join("wasm-runner");
    if binary.is_file() {
        eprintln!("[bench-gate] {rev} ({commit}): using {}", binary.display());
        return Ok(Built { name: commit, binary });
    }
    let tree = target.join("bench-gate").join("tree");
    if !tree.join(".git").exists() {
        let _ = std::fs::remove_dir_all(&tree);
        let _ = git(&root, &["worktree", "prune"]);
        git(&root, &["worktree", "add", "--detach", &tree.to_string_lossy(), &commit])?;
    }
    git(&tree, &["checkout", "--detach", "--force", &commit])?;
    eprintln!("[bench-gate] building {rev} ({commit})");
    // The V8 archive is found relative to the repository (../shared/v8), not to the worktree.
    let v8 = std::env::var_os("RUSTY_V8_ARCHIVE").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/v8"));
    let gate_target = target.join("bench-gate").join("target");
    let status = Command::new("cargo")
        .current_dir(&tree)
        .args(["build", "--release", "-p", "wasm-runner", "--bin", "wasm-runner"])
        .env("CARGO_TARGET_DIR", &gate_target)
        .env("RUSTY_V8_ARCHIVE", v8)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building {rev} ({commit}) failed"));
    }
    std::fs::create_dir_all(&home).map_err(|e| format!("cannot make {}: {e}", home.display()))?;
    std::fs::copy(gate_target.join("release/wasm-runner"), &binary)
        .map_err(|e| format!("cannot keep {rev}'s binary: {e}"))?;
    Ok(Built { name: commit, binary })
}
