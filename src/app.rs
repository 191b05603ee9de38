//! The composition root: loads settings, starts telemetry, builds pools, adapters and tasks for
//! the command given, and shuts them down in order. Errors end here: a configuration error exits
//! with code 2, any other failure with code 1.

#[path = "app_emulator.rs"]
mod emulator_cmd;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::settings::{Settings, SettingsError};

/// Carries out one command; returns the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(code) => code,
        Err(error) => {
            if let Some(settings_error) = error.downcast_ref::<SettingsError>() {
                eprintln!("{settings_error}");
                return ExitCode::from(SettingsError::EXIT_CODE as u8);
            }
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::DefaultConfig => {
            print!("{}", crate::settings::DEFAULT_TOML);
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckConfig => {
            let settings = Settings::load(cli.config.as_deref())?;
            println!("{settings:#?}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Emulator(args) => emulator_cmd::serve(args).await,
    }
}

/// Resolves when the process is asked to stop (SIGINT or SIGTERM).
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(signal) => signal,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only SIGINT stops guestsync");
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
