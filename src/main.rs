//! The `webxsl` command line: a thin layer over the library (see `src/cli`).

mod cli;

fn main() {
    let worker = std::thread::Builder::new()
        .name("webxsl".into())
        .stack_size(cli::STACK_SIZE)
        .spawn(cli::main)
        .expect("start the worker thread");
    let code = worker.join().unwrap_or(cli::EXIT_ERROR);
    std::process::exit(code);
}
