//! The `pruning-playground` command-line tool.
fn main() {}
