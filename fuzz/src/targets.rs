//! The fuzz targets: the one list every other place that names them is checked against.

use crate::oracles;

/// What an oracle made of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The property was checked on this input (and held: a violation panics).
    Checked,
    /// The input never reached the property, and why (no module came of it, the run ended
    /// where the engines cannot be compared...). libFuzzer keeps such inputs out of the corpus.
    Skipped(&'static str),
}

/// One fuzz target: its binary's name, its oracle, and the property the oracle checks.
pub struct Target {
    pub name: &'static str,
    pub oracle: fn(&[u8]) -> Verdict,
    pub property: &'static str,
    /// Whether the oracle holds the runner heap to the heap model (and so can feed the
    /// heap-guided feedback: the target then mutates from its elites, `elites`).
    pub heap_checked: bool,
    /// Whether the oracle's verdict is a function of the generated module alone (a fixed
    /// request, fixed limits, a deterministic comparison), so that the target skips a module
    /// its process has checked before (`repeats`). Not for targets that draw more than the
    /// module from the input, nor for `terminate`, whose property is about timing.
    pub skips_repeats: bool,
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "warmup",
        oracle: oracles::warmup,
        property: "wasm-smith modules far past its default sizes warm up under default limits; never \
                   `heap_limit_exhausted`, never a panic; a failure is only a typed guest-limit rejection or the \
                   guest's own start function",
        heap_checked: true,
        skips_repeats: true,
    },
    Target {
        name: "guest_limits",
        oracle: oracles::guest_limits,
        property: "under small arbitrary guest limits, linear memory never ends above the cap, fuel used never \
                   above the limit, and the outcome is always typed",
        heap_checked: true,
        skips_repeats: false,
    },
    Target {
        name: "differential",
        oracle: oracles::differential,
        property: "the V8 runner and the wasmtime reference, both through the `Engine` trait, end a terminating \
                   module the same way: outcome, integer results, memory size and hash, exported globals, fuel, \
                   stdout (stack exhaustion and timeouts are compared by kind only)",
        heap_checked: true,
        skips_repeats: true,
    },
    Target {
        name: "instrument",
        oracle: oracles::instrument,
        property: "instrumented modules validate, the validating pass and `instrument` alone rewrite them alike, \
                   add exactly what `additions()` reserves room for, \
                   and with ample fuel they compute what the original does (a run that ends by its stack depth \
                   or its speed is compared with nothing)",
        heap_checked: false,
        skips_repeats: true,
    },
    Target {
        name: "guest_checks",
        oracle: oracles::guest_checks,
        property: "raw bytes into the guest checks: no panic, and nothing wasmparser rejects is accepted, before \
                   or after instrumentation",
        heap_checked: false,
        skips_repeats: false,
    },
    Target {
        name: "terminate",
        oracle: oracles::terminate,
        property: "guests whose loops never exit, with fuel out of the way and a 200 ms wall time, always end \
                   (as `timeout` when they spin) within 5 s of the deadline, never `termination_lost`",
        heap_checked: false,
        skips_repeats: false,
    },
    Target {
        name: "wasi",
        oracle: oracles::wasi,
        property: "guests calling WASI preview1 with hostile arguments (pointers past memory or misaligned, huge \
                   counts, bad descriptors and paths, calls repeated a thousand times) against a seeded file tree \
                   end in a guest-caused outcome in both engines, grow the runner heap within the budgets' model, \
                   and under the deterministic mode end exactly alike: outcome, every call's errno, the bytes \
                   written to memory, fuel, output",
        heap_checked: true,
        skips_repeats: true,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

impl Target {
    /// One libFuzzer execution of this target: what `heap_checked` and `skips_repeats` say
    /// around its oracle, and the verdict as libFuzzer's keep or reject.
    pub fn fuzz(&self, data: &[u8]) -> libfuzzer_sys::Corpus {
        if self.skips_repeats {
            crate::repeats::skip_repeats_on_this_thread();
        }
        let started = std::time::Instant::now();
        let verdict = (self.oracle)(data);
        if self.heap_checked {
            crate::elites::offer(data, started.elapsed());
        }
        match verdict {
            Verdict::Checked => libfuzzer_sys::Corpus::Keep,
            Verdict::Skipped(_) => libfuzzer_sys::Corpus::Reject,
        }
    }
}

/// What a target binary's `fuzz_target!` body does with each input: `Target::fuzz` of the
/// target named `name`.
pub fn fuzz(name: &str, data: &[u8]) -> libfuzzer_sys::Corpus {
    target(name).unwrap_or_else(|| panic!("no fuzz target is named {name}")).fuzz(data)
}
