//! `wasm-runner`: warm WebAssembly modules up and run them in a V8 isolate with a sized
//! runner heap (see `wasm_runner::cli`).

fn main() -> std::process::ExitCode {
    wasm_runner::cli::main()
}
