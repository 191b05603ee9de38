//! Sends a request and reads its answer as JSON, failing the test when either does not work.

/// The JSON body of the answer to `request`.
pub async fn json(request: reqwest::RequestBuilder) -> serde_json::Value {
    let answer = request.send().await.unwrap();
    answer.json().await.unwrap()
}
