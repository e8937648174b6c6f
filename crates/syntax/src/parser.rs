//! The pest binding. Only `builder` reads its pairs.

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../../grammar/sla.pest"]
pub(crate) struct SlaParser;
