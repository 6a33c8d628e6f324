//! `www/config-types.js` is generated from the settings structs of `src/config.rs`: the JSDoc
//! typedefs of the config objects the JS API takes, each field with its type, its doc comment and
//! its default. This test renders the file and fails when the checked-in copy differs, naming the
//! command that rewrites it; so a new setting reaches the page's types without a hand edit.

use pruning_playground::config::{
    DataConfig, ExperimentConfig, GradualConfig, JsField, LotteryConfig, PruneConfig,
};
use serde::Serialize;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/config-types.js");
const REWRITE: &str = "UPDATE_JS_TYPES=1 cargo test --test js_types";

/// Joins a doc comment's lines into one line.
fn one_line(doc: &[&str]) -> String {
    doc.iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A default as JSON, with an `f32` setting's value written as the `f32` it is (0.1, not
/// 0.10000000149011612).
fn json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f64::from(f as f32) == f => format!("{}", f as f32),
            _ => n.to_string(),
        },
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(json).collect::<Vec<_>>().join(", ")
            )
        }
        other => other.to_string(),
    }
}

/// One typedef: the struct's doc, then each field (every key optional: the engine fills what is
/// left out from its default), with the default value where it is a plain JSON value.
fn typedef<T: Default + Serialize>(name: &str, doc: &[&str], fields: Vec<JsField>) -> String {
    let defaults = serde_json::to_value(T::default()).expect("settings serialize");
    let mut out = format!("/**\n * {}\n * @typedef {{object}} {name}\n", one_line(doc));
    for f in fields {
        let mut text = one_line(&f.doc);
        match defaults.get(f.key) {
            Some(v) if !v.is_null() && !v.is_object() => {
                text = format!("{text} Default: {}.", json(v)).trim().to_string();
            }
            _ => {}
        }
        out += &format!(" * @property {{{}}} [{}] {text}\n", f.js_type, f.key).replace(" \n", "\n");
    }
    out + " */\n"
}

fn render() -> String {
    let mut out = String::from(
        "// Generated from src/config.rs by tests/js_types.rs: do not edit by hand.\n\
         // Rewrite it with `UPDATE_JS_TYPES=1 cargo test --test js_types`.\n\
         // The config objects of the JS API (docs/api.md); no runtime code.\n\n",
    );
    let blocks = [
        typedef::<DataConfig>(
            DataConfig::JS_NAME,
            DataConfig::JS_DOC,
            DataConfig::js_fields(),
        ),
        typedef::<ExperimentConfig>(
            ExperimentConfig::JS_NAME,
            ExperimentConfig::JS_DOC,
            ExperimentConfig::js_fields(),
        ),
        typedef::<PruneConfig>(
            PruneConfig::JS_NAME,
            PruneConfig::JS_DOC,
            PruneConfig::js_fields(),
        ),
        typedef::<LotteryConfig>(
            LotteryConfig::JS_NAME,
            LotteryConfig::JS_DOC,
            LotteryConfig::js_fields(),
        ),
        typedef::<GradualConfig>(
            GradualConfig::JS_NAME,
            GradualConfig::JS_DOC,
            GradualConfig::js_fields(),
        ),
    ];
    out += &blocks.join("\n");
    out += "\nexport {};\n";
    out
}

#[test]
fn config_types_js_is_generated_from_the_settings() {
    let want = render();
    if std::env::var_os("UPDATE_JS_TYPES").is_some() {
        std::fs::write(PATH, &want).expect("write www/config-types.js");
        return;
    }
    let have = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        have == want,
        "www/config-types.js is not what src/config.rs generates; run `{REWRITE}`"
    );
}

/// Each typedef lists exactly its struct's keys, with the types the engine reads.
#[test]
fn typedefs_name_every_field_with_its_type() {
    let text = render();
    for (name, fields) in [
        (ExperimentConfig::JS_NAME, ExperimentConfig::js_fields()),
        (LotteryConfig::JS_NAME, LotteryConfig::js_fields()),
    ] {
        let start = text.find(&format!("@typedef {{object}} {name}\n")).unwrap();
        let block = &text[start..start + text[start..].find("*/").unwrap()];
        assert_eq!(block.matches("@property").count(), fields.len(), "{name}");
    }
    assert!(text.contains("@property {DatasetConfig} [dataset] The data.\n"));
    assert!(text.contains(
        "@property {number[]} [hidden] Hidden layer widths, input side first. Default: [8, 8].\n"
    ));
    assert!(text.contains("@property {string[]} [controls]"));
    assert!(text.contains("@property {number} [compareSeed]"));
}
