//! Alertmanager configuration: a routing tree on agreement, objective, severity and escalation level, to receivers made from the parties' contacts.

use slac_model::Model;

use crate::{Build, BuildOptions};

pub(crate) fn build(_model: &Model, _options: &BuildOptions, _build: &mut Build) {}
