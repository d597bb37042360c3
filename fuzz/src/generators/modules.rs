use arbitrary::{Result, Unstructured};

use crate::corpus::stored_input;

/// A module to run.
pub struct Generated {
    pub module: Vec<u8>,
}

/// A stored corpus entry as it is when it is still a valid module; a mutated one (the
/// fuzzer changes stored entries too) is regenerated from the input it carries; anything
/// else is fresh fuzz input for `generate`.
fn from_corpus_or(data: &[u8], generate: impl Fn(&[u8]) -> Result<Vec<u8>>) -> Result<Generated> {
    match stored_input(data) {
        Some(_)
            if wasmparser::Validator::new_with_features(wasm_runner::internals::wasm_features())
                .validate_all(data)
                .is_ok() =>
        {
            Ok(Generated { module: data.to_vec() })
        }
        Some(input) => Ok(Generated { module: generate(input)? }),
        None => Ok(Generated { module: generate(data)? }),
    }
}

/// Features V8 15.2 ships and the guest checks accept; the rest stay off so that a
/// rejection means a limit, not an unsupported proposal.
fn base_config() -> wasm_smith::Config {
    wasm_smith::Config {
        max_imports: 0,
        gc_enabled: false,
        threads_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        shared_everything_threads_enabled: false,
        custom_descriptors_enabled: false,
        canonicalize_nans: true,
        allow_invalid_funcs: false,
        ..Default::default()
    }
}

/// Modules with sizes far past wasm-smith's defaults: thousands of functions, large
/// bodies, big data and element segments, many exports.
pub fn large_module(data: &[u8]) -> Result<Generated> {
    from_corpus_or(data, generate_large)
}

/// A size in `low..=high`, as likely in each power-of-two range as in any other: uniform
/// draws made almost every large module about half the maximum in every dimension at once
/// (half a million table slots for V8 to allocate and clear, thousands of functions), so
/// the highest heaps came from the distribution alone; drawn this way most modules are
/// small and fast, and the large ones stay reachable for the heap feedback to climb to.
fn size_in(u: &mut Unstructured, low: u64, high: u64) -> Result<u64> {
    let span = high - low;
    let bits = u.int_in_range(0..=u64::BITS - span.leading_zeros())?;
    let top = if bits == 0 { 0 } else { span.min(u64::MAX >> (u64::BITS - bits)) };
    Ok(low + u.int_in_range(0..=top)?)
}

fn generate_large(data: &[u8]) -> Result<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let mut config = base_config();
    config.max_funcs = size_in(&mut u, 1, 5_000)? as usize;
    config.max_instructions = size_in(&mut u, 10, 2_000)? as usize;
    config.max_exports = size_in(&mut u, 0, 5_000)? as usize;
    config.max_globals = size_in(&mut u, 0, 5_000)? as usize;
    config.max_element_segments = size_in(&mut u, 0, 200)? as usize;
    config.max_elements = size_in(&mut u, 0, 20_000)? as usize;
    config.max_data_segments = size_in(&mut u, 0, 200)? as usize;
    config.max_tables = u.int_in_range(0..=10)?;
    config.max_table_elements = size_in(&mut u, 0, 1_000_000)?;
    config.max_memories = u.int_in_range(0..=2)?;
    config.max_memory32_bytes = 1 << 26;
    config.export_everything = u.arbitrary()?;
    // SIMD instructions are most of what generating a body costs (each step asks each of
    // some 250 of them whether the operand stack fits it), and no warmup heap cost depends
    // on them; v128 values do (globals, exception payloads), so a quarter of the modules
    // keep SIMD. The targets that compare or instrument bodies keep it always.
    config.simd_enabled = u.ratio(1u8, 4u8)?;
    let module = wasm_smith::Module::new(config, &mut u)?;
    Ok(module.to_bytes())
}

/// Small modules with one 32-bit memory at most and every function exported, so a run
/// has something to call.
fn callable_config(max_funcs: usize, max_instructions: usize, max_memory32_bytes: u64) -> wasm_smith::Config {
    let mut config = base_config();
    // A function needs a type: without this wasm-smith makes type-less, function-less
    // modules of some inputs, and the oracles have nothing to call.
    config.min_types = 1;
    config.min_funcs = 1;
    config.max_funcs = max_funcs;
    config.max_instructions = max_instructions;
    config.max_memories = 1;
    config.max_memory32_bytes = max_memory32_bytes;
    config.memory64_enabled = false;
    config.export_everything = true;
    config.allow_start_export = false;
    config
}

/// Small modules whose loops and recursion are bounded by wasm-smith's own fuel, with every
/// function exported (so there is something to call).
pub fn terminating_module(data: &[u8]) -> Result<Generated> {
    from_corpus_or(data, generate_terminating)
}

fn generate_terminating(data: &[u8]) -> Result<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let mut config = callable_config(20, 200, 1 << 22);
    config.max_tables = 2;
    // wasm-smith's default, a million, made almost every table larger than the guest
    // limits `guest_limits` draws (at most 5000), and had V8 build and clear a dispatch
    // table that size on every instantiation in `differential`. Large tables are the
    // `warmup` target's (`large_module`).
    config.max_table_elements = 10_000;
    config.relaxed_simd_enabled = false;
    let mut module = wasm_smith::Module::new(config, &mut u)?;
    module.ensure_termination(10_000).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(module.to_bytes())
}

/// The name of the first exported function.
pub fn first_export(module: &[u8]) -> Option<String> {
    wasmparser::Parser::new(0).parse_all(module).find_map(|p| match p.ok()? {
        wasmparser::Payload::ExportSection(r) => r
            .into_iter()
            .filter_map(|e| e.ok())
            .find(|e| e.kind == wasmparser::ExternalKind::Func)
            .map(|e| e.name.to_string()),
        _ => None,
    })
}

/// Small modules made endless (see `make_endless`): wasm-smith's output without its own
/// termination fuel, every parameterless loop turned into one that never exits.
pub fn endless_module(data: &[u8]) -> Result<Generated> {
    from_corpus_or(data, |input| {
        let mut u = Unstructured::new(input);
        // Tail calls included: the runner's interrupt check (docs/v8-findings.md #5) must
        // stop every tail-call cycle wasm-smith can make.
        let config = callable_config(10, 100, 1 << 20);
        let module = wasm_smith::Module::new(config, &mut u)?;
        super::make_endless(&module.to_bytes()).ok_or(arbitrary::Error::IncorrectFormat)
    })
}

/// `module` with custom sections made from `data` inserted between its sections: a
/// `name` section of arbitrary (mostly malformed) contents first, and one of an arbitrary
/// name last. Custom sections are never validated, so every engine accepts them; what
/// reads them (the instrumentation copies them) must not depend on their contents.
pub fn with_custom_sections(module: &[u8], data: &[u8]) -> Vec<u8> {
    let tail = &data[data.len().saturating_sub(64)..];
    let (name_contents, other) = tail.split_at(tail.len() / 2);
    let custom = |name: &str, contents: &[u8]| {
        let mut one = wasm_encoder::Module::new();
        one.section(&wasm_encoder::CustomSection { name: name.into(), data: contents.into() });
        one.as_slice()[8..].to_vec()
    };
    let mut out = module[..8.min(module.len())].to_vec();
    out.extend(custom("name", name_contents));
    out.extend(&module[8.min(module.len())..]);
    out.extend(custom(&String::from_utf8_lossy(other), other));
    out
}

/// Custom sections of `module` as (name, contents), in order.
pub fn custom_sections(module: &[u8]) -> Vec<(String, Vec<u8>)> {
    wasmparser::Parser::new(0)
        .parse_all(module)
        .filter_map(|p| match p.ok()? {
            wasmparser::Payload::CustomSection(c) => Some((c.name().to_string(), c.data().to_vec())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module of one `(func)` whose body is `code`, carrying a stored fuzz input (so the
    /// generators take it as it is).
    fn stored_module(code: &[u8]) -> Vec<u8> {
        use wasm_encoder::{CodeSection, ExportKind, ExportSection, FunctionSection, Module, TypeSection};
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut functions = FunctionSection::new();
        functions.function(0);
        let mut exports = ExportSection::new();
        exports.export("f", ExportKind::Func, 0);
        let mut body = wasm_encoder::Function::new([]);
        body.raw(code.iter().copied());
        let mut bodies = CodeSection::new();
        bodies.function(&body);
        let mut module = Module::new();
        module.section(&types).section(&functions).section(&exports).section(&bodies);
        crate::corpus::wrap(&module.finish(), b"input")
    }

    #[test]
    fn a_stored_module_with_legacy_exception_handling_is_compared_by_no_target_and_instrumented_by_all() {
        const TRY: u8 = 0x06;
        const CATCH_ALL: u8 = 0x19;
        const EMPTY: u8 = 0x40;
        const END: u8 = 0x0b;
        let legacy = stored_module(&[TRY, EMPTY, CATCH_ALL, END, END]);
        let generated = terminating_module(&legacy).unwrap();
        assert_eq!(generated.module, legacy, "taken as it is: the guest checks accept what V8 ships");
        // The reference reports `unsupported_feature`: nothing to compare, nothing failed.
        assert_eq!(crate::oracles::differential(&legacy), crate::Verdict::Skipped(crate::oracles::ENGINE_LACKS));
        assert_eq!(crate::oracles::instrument(&legacy), crate::Verdict::Checked);
    }

    /// Sizes from many inputs: (share at most 1/1000 of the range, share above half of it,
    /// the largest seen).
    fn spread(high: u64) -> (f64, f64, u64) {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let (mut small, mut large, mut largest, n) = (0, 0, 0, 20_000);
        for _ in 0..n {
            let bytes = super::super::test_bytes(&mut state, 16);
            let size = size_in(&mut Unstructured::new(&bytes), 0, high).unwrap();
            assert!(size <= high);
            small += usize::from(size <= high / 1000);
            large += usize::from(size > high / 2);
            largest = largest.max(size);
        }
        (small as f64 / n as f64, large as f64 / n as f64, largest)
    }

    #[test]
    fn sizes_are_spread_over_orders_of_magnitude_and_reach_the_top_of_the_range() {
        let (small, large, largest) = spread(1_000_000);
        assert!(small > 0.3, "{small} of the sizes are within a thousandth of the range");
        assert!(large > 0.01 && large < 0.1, "{large} of the sizes are above half the range");
        assert!(largest > 900_000, "the largest size seen is {largest}");
    }

    #[test]
    fn a_size_stays_within_its_bounds() {
        for data in [&[][..], &[0xff; 32], &[0x00; 32], &[0x80, 0x01, 0x7f]] {
            for (low, high) in [(0u64, 0u64), (1, 1), (10, 2_000), (0, u64::MAX)] {
                let size = size_in(&mut Unstructured::new(data), low, high).unwrap();
                assert!((low..=high).contains(&size), "{size} outside {low}..={high}");
            }
        }
    }
}
