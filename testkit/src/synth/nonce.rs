//! The same module as new bytes: for measuring or stressing cold warmups in a process whose
//! prepared-module cache would otherwise serve every warmup after the first.

/// `module` with a custom section named `wasm-runner-nonce` holding `nonce`. Custom sections
/// may appear anywhere, and engines ignore this one, so behaviour is unchanged.
pub fn with_nonce(module: &[u8], nonce: u64) -> Vec<u8> {
    let name = b"wasm-runner-nonce";
    let payload = nonce.to_le_bytes();
    let mut out = Vec::with_capacity(module.len() + 32);
    out.extend_from_slice(module);
    out.push(0); // custom section id
    out.push((1 + name.len() + payload.len()) as u8); // fits one LEB128 byte
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    out.extend_from_slice(&payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_make_distinct_valid_modules() {
        let module = wat::parse_str("(module (func (export \"f\") (result i32) i32.const 7))").unwrap();
        let (a, b) = (with_nonce(&module, 1), with_nonce(&module, 2));
        assert_ne!(a, b);
        for bytes in [&a, &b] {
            wasmparser::Validator::new().validate_all(bytes).unwrap();
            let custom = wasmparser::Parser::new(0).parse_all(bytes).find_map(|p| match p.unwrap() {
                wasmparser::Payload::CustomSection(c) => Some(c.name().to_string()),
                _ => None,
            });
            assert_eq!(custom.as_deref(), Some("wasm-runner-nonce"));
        }
    }
}
