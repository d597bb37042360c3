//! Writes a synthetic module: `synth OUT.wasm preset=NAME` or `synth OUT.wasm key=value ...`
//! with the `SynthSpec` field names as keys.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: synth OUT.wasm [preset=NAME] [functions=N body_bytes=N exported_functions=N ...]");
        std::process::exit(2);
    };
    let mut spec = serde_json::to_value(wasm_runner_synth::SynthSpec::default()).expect("spec encodes");
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            eprintln!("error: expected key=value, got {arg}");
            std::process::exit(2);
        };
        if key == "preset" {
            match wasm_runner_synth::preset(value) {
                Some(p) => spec = serde_json::to_value(p).expect("spec encodes"),
                None => {
                    eprintln!("error: unknown preset {value}");
                    std::process::exit(2);
                }
            }
            continue;
        }
        let Ok(number) = value.parse::<u64>() else {
            eprintln!("error: {key} needs a whole number, got {value}");
            std::process::exit(2);
        };
        if spec.get(key).is_none() {
            eprintln!("error: unknown knob {key}");
            std::process::exit(2);
        }
        spec[key] = number.into();
    }
    let spec: wasm_runner_synth::SynthSpec = match serde_json::from_value(spec) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let bytes = wasm_runner_synth::build(&spec);
    if let Err(e) = std::fs::write(&out, &bytes) {
        eprintln!("error: cannot write {out}: {e}");
        std::process::exit(2);
    }
    eprintln!("wrote {out}: {} bytes", bytes.len());
}
