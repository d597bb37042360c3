//! Writes the endless module the `terminate` generator makes of a fuzz input, to inspect a
//! finding: `cargo run -p wasm-runner-fuzz --example endless_module -- INPUT OUT.wasm`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out] = args.as_slice() else {
        eprintln!("usage: endless-module INPUT OUT.wasm");
        std::process::exit(2);
    };
    let data = match std::fs::read(input) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read {input}: {e}");
            std::process::exit(2);
        }
    };
    match wasm_runner_fuzz::generators::endless_module(&data) {
        Ok(g) => {
            if let Err(e) = std::fs::write(out, &g.module) {
                eprintln!("error: cannot write {out}: {e}");
                std::process::exit(2);
            }
            println!("wrote {out}: {} bytes", g.module.len());
        }
        Err(e) => {
            eprintln!("error: no module from this input: {e}");
            std::process::exit(1);
        }
    }
}
