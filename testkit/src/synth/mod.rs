//! Synthetic modules for stress and regression tests, built with wasm-encoder.
//!
//! Each knob drives one thing that costs the runner something at warmup: code bytes and
//! function count (compile, off-heap), exports (export wrappers and names on the V8 heap),
//! table elements and element segments (table arrays on the heap), globals, and data.
//! Every generated module is valid, imports nothing, and none of its functions loops.

mod build;
mod nonce;
mod presets;

pub use build::build;
pub use nonce::with_nonce;
pub use presets::{preset, PRESETS, STRESS_PRESETS};

use serde::{Deserialize, Serialize};

/// What to generate. Zero means "none of this".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynthSpec {
    /// Defined functions, all of type `(i32) -> i32`.
    pub functions: u32,
    /// Approximate body size of each function, in bytes (at least 4).
    pub body_bytes: u32,
    /// Exported functions, named `f0`, `f1`, ...; more exports than functions re-export.
    pub exported_functions: u32,
    /// Initial (and maximum) size of one funcref table.
    pub table_elements: u32,
    /// Function references placed in that table by active element segments.
    pub element_items: u32,
    /// Items per element segment (the items above are split into segments of this size).
    pub element_segment_size: u32,
    /// Mutable i32 globals.
    pub globals: u32,
    /// How many of those globals are exported (`g0`, `g1`, ...).
    pub exported_globals: u32,
    /// Bytes of active data placed into a memory sized to hold them.
    pub data_bytes: u64,
}

impl SynthSpec {
    /// A spec whose code section reaches about `bytes` with the given body size.
    pub fn code_heavy(bytes: u64, body_bytes: u32) -> Self {
        let body = u64::from(body_bytes.max(4));
        SynthSpec { functions: (bytes / (body + 2)).max(1) as u32, body_bytes: body as u32, ..Default::default() }
    }
}

impl SynthSpec {
    /// Sets the knob `name` (a field name) to `value`; `Err` names the known knobs.
    pub fn set(&mut self, name: &str, value: u64) -> Result<(), String> {
        let narrow = |v: u64| u32::try_from(v).map_err(|_| format!("{name}={v} is too large"));
        match name {
            "functions" => self.functions = narrow(value)?,
            "body_bytes" => self.body_bytes = narrow(value)?,
            "exported_functions" => self.exported_functions = narrow(value)?,
            "table_elements" => self.table_elements = narrow(value)?,
            "element_items" => self.element_items = narrow(value)?,
            "element_segment_size" => self.element_segment_size = narrow(value)?,
            "globals" => self.globals = narrow(value)?,
            "exported_globals" => self.exported_globals = narrow(value)?,
            "data_bytes" => self.data_bytes = value,
            _ => {
                return Err(format!(
                    "unknown knob {name}; knobs: functions, body_bytes, exported_functions, table_elements, \
                     element_items, element_segment_size, globals, exported_globals, data_bytes"
                ))
            }
        }
        Ok(())
    }
}
