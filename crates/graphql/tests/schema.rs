//! The committed `schema.graphql` must match the code. Regenerate it with
//! `cargo run -p gatehouse-server -- schema > schema.graphql` (or `make schema`).

#[test]
fn committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql");
    let committed = std::fs::read_to_string(path).expect("schema.graphql exists at the repository root");
    let current = gatehouse_graphql::schema_sdl();
    assert!(committed == current, "schema.graphql is out of date: run `make schema` and commit the result");
}
