//! `wasm-runner limits`: the limits inventory, for people, scripts and docs/limits.md.

use std::process::ExitCode;

use super::output::{outln, print_json};
use crate::limits::{inventory, INVENTORY};

#[derive(Debug, clap::Args)]
pub(crate) struct LimitsArgs {
    /// Print the inventory as JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print docs/limits.md (the inventory as Markdown).
    #[arg(long)]
    pub markdown: bool,
}

pub(crate) fn run(args: LimitsArgs) -> ExitCode {
    if args.json {
        print_json(&INVENTORY);
    } else if args.markdown {
        let markdown = inventory::markdown();
        outln!("{}", markdown.strip_suffix('\n').unwrap_or(&markdown));
    } else {
        outln!("{:<36} {:>16}  {:<32} {:<10}", "limit", "default", "environment", "class");
        for e in INVENTORY {
            let class =
                serde_json::to_value(e.class).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            outln!("{:<36} {:>16}  {:<32} {:<10}", e.name, e.default, e.env_var.unwrap_or("-"), class);
        }
    }
    ExitCode::SUCCESS
}
