//! `slac init`: a new workspace that checks clean. Existing files are never overwritten.

use std::path::{Path, PathBuf};

use crate::args::InitArgs;
use crate::Outcome;

const CONFIG: &str = r#"# slac workspace settings (see docs/language.md, "Workspace").
[workspace]
include = ["**/*.sla"]   # the agreements of this workspace
out = "build"            # where `slac build` writes monitoring configs and documents

[docs]
languages = ["en"]       # contract documents to produce: "fr", "en"
"#;

const GITIGNORE: &str =
    "# Output of `slac build`: generated from the .sla files, never edited by hand.\n/build/\n";

const EXAMPLE: &str = r#"// An example agreement: a service desk answers an internal customer within business hours.
// Run `slac check` after each change; `slac fmt` lays the file out.

/// The team that provides the service.
party service_desk {
  name "Service Desk"
  kind internal
  contact manager "desk-manager@example.com"
}

/// The department that uses it.
party finance {
  name "Finance department"
  kind internal
  contact head {
    name "Head of Finance"
    email "finance-head@example.com"
  }
}

/// When the service desk's clock runs.
calendar office_hours {
  timezone "Europe/London"
  open mon-fri 09:00-17:30
}

/// Who is told when an objective is at risk.
escalation desk_escalation {
  level 1 at 50% notify service_desk.manager
  level 2 at breach notify service_desk.manager, finance.head
}

/// Support of the finance department's workstations.
agreement finance_support {
  title "Workstation support for Finance"
  kind internal
  version 1.0.0
  effective from 2026-01-01
  provider service_desk
  customer finance
  language en
  review quarterly with finance.head, service_desk.manager
  escalation desk_escalation

  /// First response to a ticket, counted in open hours.
  objective response {
    title "Time to first response"
    sli response_time
    calendar office_hours
    target 95%
    window month
    within 1h for priority = P1
    within 4h for priority = P2
    within 2bd // every other ticket
    owner service_desk.manager
  }

  responsibility provider "Answer every ticket through the portal."
  responsibility customer "Give each ticket a priority and the workstation's asset tag."
}
"#;

pub fn run(args: &InitArgs) -> Outcome {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if dir.exists() && !dir.is_dir() {
        return Outcome::Environment(format!("{} exists and is not a folder", dir.display()));
    }
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return Outcome::Environment(format!("{}: {error}", dir.display()));
    }
    let files = [
        ("slac.toml", CONFIG),
        (".gitignore", GITIGNORE),
        ("agreements.sla", EXAMPLE),
    ];
    for (name, content) in files {
        match write_new(&dir.join(name), content) {
            Ok(true) => crate::ui::say!("created {}", dir.join(name).display()),
            Ok(false) => {
                crate::ui::say!("kept    {} (it already exists)", dir.join(name).display())
            }
            Err(message) => return Outcome::Environment(message),
        }
    }
    crate::ui::say!("next: `slac check {}`", dir.display());
    Outcome::Success
}

/// Writes `content` to a new file; `Ok(false)` when the file already exists.
fn write_new(path: &Path, content: &str) -> Result<bool, String> {
    use std::io::Write;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => file
            .write_all(content.as_bytes())
            .map(|()| true)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => Err(format!("{}: {error}", path.display())),
    }
}
