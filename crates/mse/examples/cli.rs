//! Stand-alone runner of the `vigia estimate` subcommands, for trying the CLI
//! without the `vigia` binary:
//!
//! cargo run --release -p vigia-mse --features cli --example cli -- mse FILE.csv [--json]
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "vigia-estimate",
    about = "Estimate hidden populations (the `vigia estimate` subcommands)"
)]
struct Cli {
    #[command(subcommand)]
    command: vigia_mse::cli::EstimateCommand,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    vigia_mse::cli::run(&cli.command)
}
