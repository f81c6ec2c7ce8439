use clap::Parser;
use refund_desk::cli::{self, Cli, ExitCode};

/// The system's allocator, or mimalloc for a bulk load (see refund_desk::alloc).
#[global_allocator]
static ALLOCATOR: refund_desk::alloc::Allocator = refund_desk::alloc::Allocator;

fn main() {
    let cli = Cli::parse();
    if cli.loads_in_bulk() {
        refund_desk::alloc::for_bulk_loads();
    }
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
