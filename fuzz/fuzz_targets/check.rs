//! Any text, as the one file of a workspace: parsing, checking, rendering every diagnostic and,
//! when the workspace has no errors, building every target never panics or hangs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slac_fuzz::text::check(data);
});
