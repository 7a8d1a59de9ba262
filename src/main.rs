//! The `webxsl` command line: a thin layer over the library (see `src/cli`).

mod cli;

/// Stack for the worker thread: template recursion is bounded (3000 levels by default), and
/// each level takes some stack; the memory is only committed when used.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() {
    let worker = std::thread::Builder::new()
        .name("webxsl".into())
        .stack_size(STACK_SIZE)
        .spawn(cli::main)
        .expect("start the worker thread");
    let code = worker.join().unwrap_or(cli::EXIT_ERROR);
    std::process::exit(code);
}
