#![allow(dead_code)]
use std::path::PathBuf;

use vigia_linkage::{eval, Dataset, LinkConfig, Outcome};

/// FEBRL data: `$VIGIA_SHARED_DATA` or `../../../shared/data/linkage` from the crate.
pub fn data_dir() -> PathBuf {
    if let Ok(d) = std::env::var("VIGIA_SHARED_DATA") {
        let p = PathBuf::from(d);
        if p.join("linkage").is_dir() {
            return p.join("linkage");
        }
        return p;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/linkage")
}

pub const ALL_FIELDS: &str = r#"
id = "rec_id"
[[fields]]
column = "given_name"
kind = "name"
[[fields]]
column = "surname"
kind = "name"
[[fields]]
column = "street_number"
kind = "text"
[[fields]]
column = "address_1"
kind = "street"
[[fields]]
column = "address_2"
kind = "street"
[[fields]]
column = "suburb"
kind = "text"
[[fields]]
column = "postcode"
kind = "postcode"
[[fields]]
column = "state"
kind = "text"
[[fields]]
column = "date_of_birth"
kind = "date"
[[fields]]
column = "soc_sec_id"
kind = "id"
"#;

pub fn config(with_ssid: bool) -> LinkConfig {
    let mut text = ALL_FIELDS.to_owned();
    if !with_ssid {
        let cut = text.rfind("[[fields]]").unwrap();
        text.truncate(cut);
    }
    LinkConfig::from_toml(&text).unwrap()
}

pub fn load(cfg: &LinkConfig, name: &str) -> Dataset {
    Dataset::from_csv(cfg, &data_dir().join(name)).unwrap()
}

pub fn truth(name: &str) -> Vec<(String, String)> {
    eval::read_pairs(&data_dir().join(name)).unwrap()
}

pub fn scores(o: &Outcome, left: &Dataset, right: Option<&Dataset>, truth: &[(String, String)]) -> eval::Scores {
    let rids = right.map_or(&left.ids, |r| &r.ids);
    let pairs = eval::outcome_pairs(o, &left.ids, rids);
    eval::score(&pairs, truth, right.is_none())
}
