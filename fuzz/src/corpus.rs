//! Corpus entries that survive generator changes: a generated module carries the fuzz
//! input it came from in a custom section. A target given such a module runs it as it is
//! (the exact case that was found), and the input is there to regenerate or minimise from.

use wasmparser::{Parser, Payload};

/// Name of the custom section holding the original fuzz input.
pub const INPUT_SECTION: &str = "wasm-runner:fuzz-input";

/// `module` with `input` appended as a custom section.
pub fn wrap(module: &[u8], input: &[u8]) -> Vec<u8> {
    let mut carrier = wasm_encoder::Module::new();
    carrier.section(&wasm_encoder::CustomSection { name: INPUT_SECTION.into(), data: input.into() });
    let carrier = carrier.finish();
    let mut out = module.to_vec();
    // Everything after the carrier's 8-byte header is the encoded section itself.
    out.extend_from_slice(&carrier[8..]);
    out
}

/// The fuzz input stored in `data`, when `data` is a module that carries one.
pub fn stored_input(data: &[u8]) -> Option<&[u8]> {
    if !data.starts_with(b"\0asm") {
        return None;
    }
    for payload in Parser::new(0).parse_all(data) {
        match payload {
            Ok(Payload::CustomSection(c)) if c.name() == INPUT_SECTION => return Some(c.data()),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_modules_keep_their_input_and_stay_valid() {
        let module = wasm_encoder::Module::new().finish();
        let wrapped = wrap(&module, b"seed bytes");
        assert_eq!(stored_input(&wrapped), Some(&b"seed bytes"[..]));
        wasmparser::Validator::new().validate_all(&wrapped).expect("still a valid module");
        assert_eq!(stored_input(b"plain fuzz bytes"), None);
    }
}
