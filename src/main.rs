//! The `pruning-playground` command-line tool: the same core the browser runs, natively.
//!
//! Errors go to stderr with a non-zero exit status; with `--json`, stdout carries only JSON lines.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
