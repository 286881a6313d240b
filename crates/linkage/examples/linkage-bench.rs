//! Benchmark driver: links FEBRL-style files, prints F1 and wall time as one
//! JSON line. Usage:
//!   linkage-bench clear|pprl CONFIG LEFT [RIGHT] --truth PAIRS [--key KEYFILE]
//!   linkage-bench synth N OUTDIR        (writes a generated two-list test set)

use std::path::PathBuf;
use std::time::Instant;

use vigia_linkage::{eval, pprl, synth, Dataset, LinkConfig};

/// Prints the wall time of each stage to stderr.
struct Stages(std::sync::Mutex<(Instant, String)>);
impl vigia_linkage::Progress for Stages {
    fn stage(&self, name: &str, _total: u64) {
        let mut g = self.0.lock().unwrap();
        eprintln!("  {:<32} {:>8.2} s", g.1, g.0.elapsed().as_secs_f64());
        *g = (Instant::now(), name.to_owned());
    }
    fn finish(&self) {
        self.stage("", 0);
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("synth") {
        let n: usize = args[1].parse()?;
        let dir = PathBuf::from(&args[2]);
        let seed = args.get(3).map_or(Ok(7), |s| s.parse())?;
        synth::write_two_lists(&dir, n, seed)?;
        return Ok(());
    }
    let mode = args[0].clone();
    let cfg = LinkConfig::from_file(&PathBuf::from(&args[1]))?;
    let mut files = Vec::new();
    let mut truth = None;
    let mut key = None;
    let mut i = 2;
    while i < args.len() {
        match args[i].as_str() {
            "--truth" => {
                truth = Some(PathBuf::from(&args[i + 1]));
                i += 1;
            }
            "--key" => {
                key = Some(PathBuf::from(&args[i + 1]));
                i += 1;
            }
            f => files.push(PathBuf::from(f)),
        }
        i += 1;
    }
    let t0 = Instant::now();
    let left = Dataset::from_csv(&cfg, &files[0])?;
    let right = files.get(1).map(|f| Dataset::from_csv(&cfg, f)).transpose()?;
    let t_read = t0.elapsed().as_secs_f64();
    let stages = Stages(std::sync::Mutex::new((Instant::now(), "read".into())));
    let outcome = if mode == "pprl" {
        let key = pprl::Key::from_file(key.as_deref().expect("--key"))?;
        let a = pprl::encode(&cfg, &left, &key);
        let b = right.as_ref().map(|r| pprl::encode(&cfg, r, &key));
        pprl::link_encoded(&cfg, &a, b.as_ref(), &stages)?
    } else {
        vigia_linkage::link_clear(&cfg, &left, right.as_ref(), &stages)
    };
    let secs = t0.elapsed().as_secs_f64();
    let rids = right.as_ref().map_or(&left.ids, |r| &r.ids);
    let pairs = eval::outcome_pairs(&outcome, &left.ids, rids);
    let s = truth.map(|t| eval::read_pairs(&t).map(|tp| eval::score(&pairs, &tp, right.is_none()))).transpose()?;
    println!(
        "{{\"mode\":\"{mode}\",\"left\":{},\"right\":{},\"candidates\":{},\"matches\":{},\"lambda\":{:.6},\"em_iterations\":{},\"read_s\":{t_read:.3},\"total_s\":{secs:.3}{}}}",
        left.ids.len(),
        right.as_ref().map_or(0, |r| r.ids.len()),
        outcome.candidates,
        outcome.matches.len(),
        outcome.model.lambda,
        outcome.model.iterations,
        s.map_or(String::new(), |s| format!(",\"precision\":{:.5},\"recall\":{:.5},\"f1\":{:.5},\"tp\":{}", s.precision, s.recall, s.f1, s.tp))
    );
    Ok(())
}
