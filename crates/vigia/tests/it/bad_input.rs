//! Bad input answers 4xx naming the field, and writes nothing.

use crate::common::*;

async fn count(base: &str, token: &str) -> i64 {
    let v: serde_json::Value =
        reqwest::Client::new().get(format!("{base}/api/v1/cases?limit=1")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    v["total"].as_i64().unwrap()
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_written() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let tokens = setup_users(&db);
    let server = Server::start(&db);
    let token = &tokens["caseworker_a"];
    let client = reqwest::Client::new();
    let post = |body: String| {
        client.post(format!("{}/api/v1/cases", server.base)).bearer_auth(token).header("content-type", "application/json").body(body).send()
    };
    let mut bad_country = case_json("A");
    bad_country["citizenship"] = "XX".into();
    let mut bad_route = case_json("A");
    bad_route["route"][1]["country"] = "QQ".into();
    let mut future = case_json("A");
    future["identified_on"] = "2999-12-31".into();
    let mut future_dob = case_json("A");
    future_dob["identity"]["date_of_birth"] = "2999-12-31".into();
    let mut negative = case_json("A");
    negative["age_at_identification"] = (-1).into();
    let mut bad_act = case_json("A");
    bad_act["acts"] = serde_json::json!(["recruitment", "smuggling"]);
    let mut unknown = case_json("A");
    unknown["favourite_colour"] = "red".into();
    let mut wrong_type = case_json("A");
    wrong_type["age_at_identification"] = "nineteen".into();
    let cases: Vec<(String, u16, &str)> = vec![
        ("{\"sex\": \"female\",".to_string(), 400, "malformed JSON"),
        ("not json at all".to_string(), 400, "malformed JSON"),
        (bad_country.to_string(), 422, "citizenship"),
        (bad_route.to_string(), 422, "route[1].country"),
        (future.to_string(), 422, "identified_on"),
        (future_dob.to_string(), 422, "identity.date_of_birth"),
        (negative.to_string(), 422, "age_at_identification"),
        (bad_act.to_string(), 422, "acts[1]"),
        (unknown.to_string(), 422, "favourite_colour"),
        (wrong_type.to_string(), 422, "age_at_identification"),
    ];
    let before = count(&server.base, token).await;
    for (body, status, field) in cases {
        let res = post(body.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{body}");
        let text = res.text().await.unwrap();
        assert!(text.contains(field), "answer to {body} should name {field}: {text}");
    }
    // Wrong content type.
    let res = client.post(format!("{}/api/v1/cases", server.base)).bearer_auth(token).body(case_json("A").to_string()).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 415);
    assert_eq!(count(&server.base, token).await, before, "nothing was written");
    // And a good one still works.
    assert_eq!(post(case_json("A").to_string()).await.unwrap().status().as_u16(), 201);
    assert_eq!(count(&server.base, token).await, before + 1);
}
