//! The CLI layer as the `vigia` binary uses it.
#![cfg(feature = "cli")]

mod common;
use clap::{CommandFactory, Parser, Subcommand};
use common::*;
use vigia_linkage::cli::{run_encode, run_link, EncodeArgs, LinkArgs};
use vigia_linkage::eval;

#[derive(Parser)]
#[command(name = "vigia")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    Link(LinkArgs),
    Encode(EncodeArgs),
}

fn run(args: &[&str]) -> anyhow::Result<()> {
    let cli = Cli::try_parse_from(std::iter::once("vigia").chain(args.iter().copied()))?;
    match cli.cmd {
        Cmd::Link(a) => run_link(&a),
        Cmd::Encode(a) => run_encode(&a),
    }
}

const MINIMAL: &str = r#"
id = "rec_id"
[[fields]]
column = "given_name"
kind = "name"
[[fields]]
column = "surname"
kind = "name"
[[fields]]
column = "date_of_birth"
kind = "date"
[[fields]]
column = "postcode"
kind = "postcode"
[[fields]]
column = "suburb"
kind = "text"
[[fields]]
column = "address_1"
kind = "street"
"#;

fn read_out(p: &std::path::Path) -> (String, Vec<(String, String)>) {
    let text = std::fs::read_to_string(p).unwrap();
    let header = text.lines().next().unwrap().to_owned();
    let pairs = text.lines().skip(1).map(|l| {
        let v: Vec<&str> = l.split(',').collect();
        assert_eq!(v.len(), 3);
        let p: f64 = v[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
        (v[0].to_owned(), v[1].to_owned())
    });
    (header, pairs.collect())
}

#[test]
fn link_two_files_and_dedup_one() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("link.toml");
    std::fs::write(&cfg, MINIMAL).unwrap();
    let d = data_dir();
    let out = dir.path().join("m.csv");
    let a = d.join("febrl4a.csv");
    let b = d.join("febrl4b.csv");
    run(&["link", "--config", cfg.to_str().unwrap(), a.to_str().unwrap(), b.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]).unwrap();
    let (header, pairs) = read_out(&out);
    assert_eq!(header, "left_id,right_id,probability");
    let s = eval::score(&pairs, &truth("febrl4_true_pairs.csv"), false);
    eprintln!("cli febrl4 minimal config: {s:?}");
    assert!(s.f1 >= 0.98);

    let out1 = dir.path().join("d.csv");
    let clusters = dir.path().join("c.csv");
    let f1 = d.join("febrl1.csv");
    run(&["link", "-c", cfg.to_str().unwrap(), f1.to_str().unwrap(), "-o", out1.to_str().unwrap(), "--clusters", clusters.to_str().unwrap(), "-q"]).unwrap();
    let (_, pairs) = read_out(&out1);
    let mut seen = std::collections::HashSet::new();
    for (l, r) in &pairs {
        assert_ne!(l, r);
        let key = if l < r { (l.clone(), r.clone()) } else { (r.clone(), l.clone()) };
        assert!(seen.insert(key), "pair reported twice");
    }
    let s = eval::score(&pairs, &truth("febrl1_true_pairs.csv"), true);
    assert!(s.f1 >= 0.97, "{s:?}");
    assert_eq!(std::fs::read_to_string(&clusters).unwrap().lines().count(), 1001);
}

#[test]
fn encode_then_link_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    std::fs::write(p("link.toml"), MINIMAL).unwrap();
    std::fs::write(p("k1"), [0xA1u8; 32]).unwrap();
    std::fs::write(p("k2"), [0xB2u8; 32]).unwrap();
    let d = data_dir();
    let (a, b) = (d.join("febrl4a.csv"), d.join("febrl4b.csv"));
    run(&["encode", "--config", &p("link.toml"), "--key-file", &p("k1"), a.to_str().unwrap(), "--out", &p("a.enc"), "-q"]).unwrap();
    run(&["encode", "--config", &p("link.toml"), "--key-file", &p("k1"), b.to_str().unwrap(), "--out", &p("b.enc"), "-q"]).unwrap();
    run(&["encode", "--config", &p("link.toml"), "--key-file", &p("k2"), b.to_str().unwrap(), "--out", &p("b2.enc"), "-q"]).unwrap();
    // The coordinator needs no config.
    run(&["link", "--encoded", &p("a.enc"), &p("b.enc"), "--out", &p("m.csv"), "-q"]).unwrap();
    let (_, pairs) = read_out(std::path::Path::new(&p("m.csv")));
    let s = eval::score(&pairs, &truth("febrl4_true_pairs.csv"), false);
    eprintln!("cli encoded febrl4 minimal config: {s:?}");
    assert!(s.f1 >= 0.98);
    // Different keys: refused with a clear message.
    let e = run(&["link", "--encoded", &p("a.enc"), &p("b2.enc"), "--out", &p("m2.csv"), "-q"]).unwrap_err();
    assert!(e.to_string().contains("different keys"), "{e}");
    // A CSV given as encoded input is rejected clearly.
    let e = run(&["link", "--encoded", a.to_str().unwrap(), "--out", &p("m3.csv"), "-q"]).unwrap_err();
    assert!(e.to_string().contains("not a Vigia encoded file"), "{e}");
}

#[test]
fn config_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    let out = dir.path().join("o.csv");
    let a = data_dir().join("febrl1.csv");
    for (text, needle) in [
        ("id = \"rec_id\"\nblock_size = 3\n[[fields]]\ncolumn = \"surname\"\nkind = \"name\"\n", "block_size"),
        ("id = \"rec_id\"\n[[fields]]\ncolumn = \"surname\"\nkind = \"surname\"\n", "surname"),
        ("id = \"rec_id\"\n[[fields]]\ncolumn = \"nosuch\"\nkind = \"name\"\n", "nosuch"),
    ] {
        std::fs::write(&cfg, text).unwrap();
        let e = run(&["link", "--config", cfg.to_str().unwrap(), a.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]).unwrap_err();
        assert!(format!("{e:#}").contains(needle), "{e:#}");
    }
}

#[test]
fn dates_in_three_formats_and_empty_cells() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("c.toml"), "id = \"id\"\n[[fields]]\ncolumn = \"given\"\nkind = \"name\"\n[[fields]]\ncolumn = \"family\"\nkind = \"name\"\n[[fields]]\ncolumn = \"dob\"\nkind = \"date\"\n").unwrap();
    let mut a = String::from("id,given,family,dob\n");
    let mut b = String::from("id,given,family,dob\n");
    let given = ["Ana", "Kwame", "Lucía", "Oluwaseun", "John", "Fatoumata", "Gonçalo", "Ngozi", "Pilar", "Yaw"];
    let family = ["Silva", "Mensah", "García", "Adeyemi", "Smith", "Diallo", "Nogueira", "Eze", "Ramos", "Owusu"];
    for i in 0..100 {
        let (g, f) = (given[i % 10], family[(i / 10) % 10]);
        let (y, m, d) = (1960 + i % 40, 1 + i % 12, 1 + (i * 7) % 28);
        a.push_str(&format!("a{i},{g},{f},{y}{m:02}{d:02}\n"));
        let dob = match i % 4 {
            0 => format!("{y}-{m:02}-{d:02}"),
            1 => format!("{d:02}/{m:02}/{y}"),
            2 => String::new(),
            _ => format!("{y}{m:02}{d:02}"),
        };
        b.push_str(&format!("b{i},{},{},{dob}\n", g.to_uppercase(), f));
    }
    std::fs::write(p("a.csv"), a).unwrap();
    std::fs::write(p("b.csv"), b).unwrap();
    let s = |x: std::path::PathBuf| x.to_str().unwrap().to_owned();
    run(&["link", "--config", &s(p("c.toml")), &s(p("a.csv")), &s(p("b.csv")), "--out", &s(p("m.csv")), "-q"]).unwrap();
    let (_, pairs) = read_out(&p("m.csv"));
    let truth: Vec<(String, String)> = (0..100).map(|i| (format!("a{i}"), format!("b{i}"))).collect();
    let sc = eval::score(&pairs, &truth, false);
    assert!(sc.recall >= 0.95 && sc.precision >= 0.95, "{sc:?}");
}

#[test]
fn help_texts() {
    let mut c = Cli::command();
    let link = c.find_subcommand_mut("link").unwrap().render_long_help().to_string();
    assert!(link.contains("--encoded") && link.contains("de-duplicated"));
    let enc = c.find_subcommand_mut("encode").unwrap().render_long_help().to_string();
    assert!(enc.contains("--key-file") && enc.contains("coordinator"));
}
