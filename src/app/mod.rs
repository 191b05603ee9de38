//! The composition root: loads settings, starts telemetry, builds pools, adapters and tasks for
//! the command given, and shuts them down in order. Errors end here: a configuration error exits
//! with code 2, any other failure with code 1.

pub mod build;
mod daemon;
mod demo;
mod emulator;
pub mod http;
mod operate;
mod outputs;
mod print;
mod probe;
mod syncing;

use std::process::ExitCode;

use crate::cli::{Cli, Command, LogFormatArg};
use crate::settings::{LogFormat, Settings, SettingsError};

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
    let config = cli.config.as_deref();
    let log = cli.log_format;
    match cli.command {
        Command::DefaultConfig => {
            print!("{}", crate::settings::DEFAULT_TOML);
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckConfig => {
            let settings = Settings::load(config)?;
            println!("{settings:#?}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Emulator(args) => emulator::serve(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Run => daemon::run(&loaded(config, log)?).await,
        Command::Health(args) => probe::health(config, args).await,
        Command::Sync(args) => syncing::sync_once(&loaded(config, log)?, args).await,
        Command::Plan(args) => syncing::plan(&loaded(config, log)?, args).await,
        Command::Migrate => operate::migrate(&loaded(config, log)?).await,
        Command::Check => operate::check(&loaded(config, log)?).await,
        Command::Runs(args) => operate::runs(&loaded(config, log)?, args).await,
        Command::Items(args) => operate::items(&loaded(config, log)?, args).await,
        Command::Approve { run_id } => operate::approve(&loaded(config, log)?, run_id).await,
        Command::Reject { run_id } => operate::reject(&loaded(config, log)?, run_id).await,
    }
}

/// Loads settings and starts telemetry; `log` (`--log-format`) overrides `log.format`.
fn loaded(config: Option<&std::path::Path>, log: Option<LogFormatArg>) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(config)?;
    if let Some(format) = log {
        settings.log.format = match format {
            LogFormatArg::Auto => LogFormat::Auto,
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        };
    }
    crate::telemetry::init(&settings.log)?;
    Ok(settings)
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
