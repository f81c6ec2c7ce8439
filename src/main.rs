use clap::Parser;
use refund_desk::cli::{self, Cli, ExitCode};

/// The import's parser thread allocates every ticket and its writer frees
/// it: glibc's arenas then lock on each free (an eighth of an import was
/// malloc, free and their futex waits). mimalloc frees across threads
/// without a lock. Version 2, without transparent huge pages: version 3
/// reserves and maps its arenas at start-up, a millisecond and a half of
/// every command (issue 14's first frame).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "refund-desk: {}",
                refund_desk::text::inert(&format!("{e:#}"))
            );
            ExitCode::Error
        }
    };
    std::process::exit(code as i32);
}
