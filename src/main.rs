//! The `webxsl` command line: a thin layer over the library (see `src/cli`).

mod cli;

fn main() {
    // With a file-size limit (`ulimit -f`), a write past it raises SIGXFSZ, which kills the
    // process by default. Ignored, the write fails with EFBIG: the file at hand is reported and
    // left as it was, and the rest of a batch goes on.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN at startup, before any other thread
    // exists, has no memory-safety requirements.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let worker = std::thread::Builder::new()
        .name("webxsl".into())
        .stack_size(cli::STACK_SIZE)
        .spawn(cli::main)
        .expect("start the worker thread");
    let code = worker.join().unwrap_or(cli::EXIT_ERROR);
    std::process::exit(code);
}
