//! A calendar (zone, open ranges, holidays, closed periods) and queries on it, built from
//! structured input: the engine never panics, and its answers keep the invariants of
//! `slac_fuzz::calendar::Scenario::run`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|scenario: slac_fuzz::calendar::Scenario| {
    scenario.run();
});
