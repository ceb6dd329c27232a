//! Shared fixture access for the integration tests.

use std::path::PathBuf;

pub fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    std::fs::read(fixture_path(relative))
        .unwrap_or_else(|e| panic!("fixture {relative} unreadable: {e}"))
}

pub fn fixture_string(relative: &str) -> String {
    String::from_utf8(fixture_bytes(relative)).expect("fixture is UTF-8")
}
