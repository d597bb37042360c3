//! Named module shapes. The stress job adds its own on top; these are the ones tests use.

use crate::SynthSpec;

/// (name, what it stresses)
pub const PRESETS: &[(&str, &str)] = &[
    ("code-40mb", "40 MB of code in 40k functions: compile cost, next to nothing on the heap"),
    ("export-heavy", "1M exported functions: export wrappers and names on the runner heap"),
    ("table-heavy", "a 10M-slot funcref table filled by element segments"),
    (
        "seed-regression",
        "a mix (90k distinct exported functions, 10k exported globals, a 5M-slot table, 2M of it filled) whose \
         instantiation needs about 180 MiB of runner heap: more than the 128 MiB guest budget",
    ),
];

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
        "seed-regression" => SynthSpec {
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
        _ => return None,
    })
}
