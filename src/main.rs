//! The `guestsync` binary: parses the command line and hands over to [`guestsync::app`].

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = guestsync::cli::Cli::parse();
    guestsync::app::run(cli).await
}
