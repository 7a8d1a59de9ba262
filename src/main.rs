//! The `webxsl` command line: a thin layer over the library (see `src/cli`).

mod cli;

fn main() {
    // `webxsl --version` is what scripts call to check the tool is there: answered before the
    // worker thread and the argument parser are set up, as cheaply as a hello-world (clap's own
    // `--version` prints the same line; `tests/cli.rs` checks both).
    let mut args = std::env::args_os().skip(1);
    if let (Some(a), None) = (args.next(), args.next())
        && (a == "--version" || a == "-V")
    {
        use std::io::Write as _;
        let line = concat!("webxsl ", env!("CARGO_PKG_VERSION"), "\n");
        let _ = std::io::stdout().write_all(line.as_bytes());
        return;
    }
    // With a file-size limit (`ulimit -f`), a write past it raises SIGXFSZ, which kills the
    // process by default. Ignored, the write fails with EFBIG: the file at hand is reported and
    // left as it was, and the rest of a batch goes on.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN at startup, before any other thread
    // exists, has no memory-safety requirements.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // glibc's malloc gives memory back to the system as soon as 128 KB are free at the top of a
    // heap, and takes it again for the next file: on a batch of small files each worker's
    // heap shrinks and grows once a file, a system call and fresh zeroed pages each time.
    // Trimming only past 32 MB keeps the pages of one file for the next.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 32 << 20);
    }
    let worker = std::thread::Builder::new()
        .name("webxsl".into())
        .stack_size(cli::STACK_SIZE)
        .spawn(cli::main)
        .expect("start the worker thread");
    let code = worker.join().unwrap_or(cli::EXIT_ERROR);
    std::process::exit(code);
}
