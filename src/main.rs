use clap::Parser;
use refund_desk::cli::{self, Cli, ExitCode};

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
