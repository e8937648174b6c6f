//! The OpenSLO v1 schema vendored under `tests/fixtures/openslo/` (see its README for the source
//! and for how inline alert policies are checked), for the tests that validate generated documents.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// The vendored schema and its README.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/openslo")
}

/// The OpenSLO v1 schema: the vendored parts, registered under their `$id`s, and the entry point
/// that picks the part of the document's kind.
pub struct Schema {
    validator: jsonschema::Validator,
    /// The general schema and the part of one kind, without the `oneOf` of the entry point: its
    /// errors name the field at fault.
    kinds: BTreeMap<&'static str, jsonschema::Validator>,
}

impl Schema {
    pub fn load() -> Schema {
        let read = |path: &Path| -> Value {
            serde_json::from_str(&std::fs::read_to_string(path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let mut parts = Vec::new();
        let folder = fixtures().join("schemas/v1/parts");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let part = read(&path);
            let id = part["$id"].as_str().unwrap().to_string();
            parts.push((id, jsonschema::Resource::from_contents(part)));
        }
        assert!(parts.len() >= 12, "the vendored schema parts are missing");
        let registry = jsonschema::Registry::new()
            .extend(parts)
            .unwrap()
            .prepare()
            .unwrap();
        let entry = read(&fixtures().join("openslo-v1.schema.json"));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .with_registry(&registry)
            .build(&entry)
            .unwrap();
        let mut kinds = BTreeMap::new();
        for (kind, part) in [
            ("AlertCondition", "alertcondition"),
            ("AlertNotificationTarget", "alertnotificationtarget"),
            ("AlertPolicy", "alertpolicy"),
            ("DataSource", "datasource"),
            ("Service", "service"),
            ("SLI", "sli"),
            ("SLO", "slo"),
        ] {
            let schema = serde_json::json!({
                "allOf": [
                    {"$ref": "https://openslo.com/schemas/v1/parts/general.schema.json"},
                    {"$ref": format!("https://openslo.com/schemas/v1/parts/{part}-spec.schema.json")}
                ]
            });
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .with_registry(&registry)
                .build(&schema)
                .unwrap();
            kinds.insert(kind, validator);
        }
        Schema { validator, kinds }
    }

    /// The schema errors of one document, each with its place in the document. The official
    /// schema lists `spec.alertPolicies` as names, where the specification (and its reference
    /// SDK) allows inline policies: an SLO is checked without them, and each inline policy is
    /// checked as the `AlertPolicy` document it would be on its own (its inline condition as the
    /// `AlertCondition` document).
    pub fn errors(&self, document: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let mut slo = document.clone();
        let inline = slo
            .get_mut("spec")
            .and_then(Value::as_object_mut)
            .and_then(|spec| spec.remove("alertPolicies"));
        self.collect(&slo, "", &mut out);
        if let Some(policies) = inline {
            let Some(policies) = policies.as_array() else {
                out.push("spec.alertPolicies: not a list".into());
                return out;
            };
            for (i, policy) in policies.iter().enumerate() {
                let mut standalone = policy.clone();
                match standalone.as_object_mut() {
                    Some(fields) => {
                        fields.insert("apiVersion".into(), document["apiVersion"].clone());
                    }
                    None => {
                        out.push(format!("spec.alertPolicies[{i}]: not an inline policy"));
                        continue;
                    }
                }
                if standalone["kind"] != "AlertPolicy" {
                    out.push(format!("spec.alertPolicies[{i}]: kind is not AlertPolicy"));
                }
                let prefix = format!("/spec/alertPolicies/{i}");
                self.collect(&standalone, &prefix, &mut out);
                // The official policy schema applies the condition part one level too deep, so
                // an inline condition is checked as the `AlertCondition` document it would be.
                let conditions = policy["spec"]["conditions"].as_array();
                for (j, condition) in conditions.into_iter().flatten().enumerate() {
                    if condition.get("kind").is_none() {
                        continue;
                    }
                    let mut standalone = condition.clone();
                    if let Some(fields) = standalone.as_object_mut() {
                        fields.insert("apiVersion".into(), document["apiVersion"].clone());
                    }
                    let prefix = format!("{prefix}/spec/conditions/{j}");
                    self.collect(&standalone, &prefix, &mut out);
                }
            }
        }
        out
    }

    fn collect(&self, document: &Value, prefix: &str, out: &mut Vec<String>) {
        let list = |validator: &jsonschema::Validator| -> Vec<String> {
            validator
                .iter_errors(document)
                .map(|error| format!("{prefix}{}: {error}", error.instance_path()))
                .collect()
        };
        let errors = list(&self.validator);
        if errors.is_empty() {
            return;
        }
        let detailed = document["kind"]
            .as_str()
            .and_then(|kind| self.kinds.get(kind))
            .map(list)
            .filter(|detailed| !detailed.is_empty());
        out.extend(detailed.unwrap_or(errors));
    }
}

/// The documents of a YAML stream.
pub fn documents(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|document| Value::deserialize(document).unwrap())
        .collect()
}
