//! Named module shapes. The stress job adds its own on top; these are the ones tests use.

use super::SynthSpec;

/// (name, what it stresses)
pub const PRESETS: &[(&str, &str)] = &[
    ("code-40mb", "40 MB of code in 40k functions: compile cost, next to nothing on the heap"),
    ("export-heavy", "1M exported functions: export wrappers and names on the runner heap"),
    ("table-heavy", "a 10M-slot funcref table filled by element segments"),
    (
        "production-bug",
        "the production bug's shape: a mix (90k distinct exported functions, 10k exported globals, a 5M-slot \
         table, 2M of it filled) whose instantiation needs about 160 MiB of runner heap, more than the 128 MiB \
         guest budget the runner was once given",
    ),
    ("code-100mb", "100 MB of code in 100k functions: the compile and validation path at the largest size"),
    ("exports-100k", "100k exported functions, the default export budget: export wrappers on the runner heap"),
    ("table-5m", "a 5M-slot funcref table filled by 5M element items, both at their default budgets"),
    ("mixed", "functions, exports, exported globals, a large table and data together, within every default"),
];

/// The presets the stress job runs: each stays within the default guest limits.
pub const STRESS_PRESETS: &[&str] = &["code-100mb", "exports-100k", "table-5m", "mixed", "production-bug"];

pub fn preset(name: &str) -> Option<SynthSpec> {
    Some(match name {
        "code-40mb" => SynthSpec::code_heavy(40_000_000, 1000),
        "export-heavy" => {
            SynthSpec { functions: 1000, body_bytes: 8, exported_functions: 1_000_000, ..Default::default() }
        }
        "table-heavy" => SynthSpec {
            functions: 1000,
            body_bytes: 8,
            table_elements: 10_000_000,
            element_items: 10_000_000,
            element_segment_size: 100_000,
            ..Default::default()
        },
        "production-bug" => SynthSpec {
            functions: 100_000,
            body_bytes: 8,
            exported_functions: 90_000,
            globals: 10_000,
            exported_globals: 10_000,
            table_elements: 5_000_000,
            element_items: 2_000_000,
            element_segment_size: 50_000,
            data_bytes: 0,
        },
        "code-100mb" => SynthSpec::code_heavy(100_000_000, 1000),
        "exports-100k" => {
            SynthSpec { functions: 100_000, body_bytes: 8, exported_functions: 100_000, ..Default::default() }
        }
        "table-5m" => SynthSpec {
            functions: 1000,
            body_bytes: 8,
            table_elements: 5_000_000,
            element_items: 5_000_000,
            element_segment_size: 100_000,
            ..Default::default()
        },
        "mixed" => SynthSpec {
            functions: 200_000,
            body_bytes: 64,
            exported_functions: 50_000,
            globals: 50_000,
            exported_globals: 50_000,
            table_elements: 3_000_000,
            element_items: 3_000_000,
            element_segment_size: 100_000,
            data_bytes: 8_000_000,
        },
        _ => return None,
    })
}
