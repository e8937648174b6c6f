use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// SLA-as-code: check, format and compile `.sla` agreements.
#[derive(Debug, Parser)]
#[command(name = "slac", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a workspace, printing every diagnostic.
    Check(CheckArgs),
    /// Rewrite `.sla` files in the canonical layout, keeping every comment.
    Fmt(FmtArgs),
    /// Create a new workspace: slac.toml, an example agreement, a .gitignore.
    Init(InitArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Workspace folders or `.sla` files (default: the workspace of the current folder).
    pub paths: Vec<PathBuf>,
    /// `human`: rendered with source snippets; `json`: one object per diagnostic per line.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Workspace folders or `.sla` files (default: the workspace of the current folder).
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that would change and exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder of the new workspace (default: the current folder).
    pub dir: Option<PathBuf>,
}
