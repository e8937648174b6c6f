//! Any text that parses formats to text that parses to the same model, with the same comments and
//! diagnostics, and that formats to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slac_fuzz::text::format_round_trip(data);
});
