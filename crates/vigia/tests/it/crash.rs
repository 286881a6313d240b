//! SIGKILL during a stream of acknowledged case writes: after restart every
//! acknowledged case is there and the audit chain verifies.

use std::sync::{Arc, Mutex};

use crate::common::*;

async fn kill_during_writes(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let tokens = setup_users(&db);
    let mut server = Server::start(&db);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let client = reqwest::Client::new();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, token, acked) = (client.clone(), server.base.clone(), tokens["caseworker_a"].clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let res = client.post(format!("{base}/api/v1/cases")).bearer_auth(&token).json(&case_json(&format!("W{w}N{i}"))).send().await;
                match res {
                    Ok(r) if r.status() == 201 => {
                        let v: serde_json::Value = match r.json().await {
                            Ok(v) => v,
                            Err(_) => return, // cut mid-answer: not acknowledged
                        };
                        acked.lock().unwrap().push(v["id"].as_str().unwrap().to_string());
                    }
                    _ => return,
                }
            }
        }));
    }
    // Let a stream of writes build up, then kill without warning.
    while acked.lock().unwrap().len() < 120 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.kill9();
    for w in writers {
        let _ = w.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 120);

    let server = Server::start(&db);
    let client = reqwest::Client::new();
    for id in &acked {
        let r = client.get(format!("{}/api/v1/cases/{id}", server.base)).bearer_auth(&tokens["caseworker_a"]).send().await.unwrap();
        assert_eq!(r.status(), 200, "acknowledged case {id} lost");
    }
    drop(server);
    let (code, out, err) = db.run(&["audit", "verify"], None);
    assert_eq!(code, 0, "audit chain broken after a crash: {out}{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_sigkill() {
    kill_during_writes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_sigkill() {
    kill_during_writes(Backend::Postgres).await;
}
