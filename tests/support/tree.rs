//! A folder's content as a map from relative path to a hash of the bytes, to compare outputs
//! before and after a build without keeping every byte.

// A panic is how a test fails: unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::Path;

/// Every file below `dir` with a hash of its bytes, every folder (`name/`), and every symbolic
/// link (`name -> target`); empty when `dir` does not exist.
pub fn hashes(dir: &Path) -> BTreeMap<String, u64> {
    let mut entries = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(listing) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in listing {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                entries.insert(format!("{name} -> {}", target.display()), 0);
            } else if kind.is_dir() {
                entries.insert(format!("{name}/"), 0);
                stack.push(path);
            } else {
                let mut hasher = DefaultHasher::new();
                hasher.write(&std::fs::read(&path).unwrap());
                entries.insert(name, hasher.finish());
            }
        }
    }
    entries
}

/// The names in `dir` that start with `prefix` (leftovers of killed builds, say).
pub fn names_starting(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort();
    names
}
