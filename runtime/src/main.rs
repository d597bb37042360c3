//! `wasm-runner`: warm WebAssembly modules up in a V8 isolate with a sized runner heap.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
