//! The page's only style sheet and script, inline, and the Content-Security-Policy that allows
//! exactly them (by hash): no CDN, no framework, nothing fetched but the admin API.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The style sheet.
pub const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1000px;color:#222;background:#fafafa}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{text-align:left;padding:.2rem .4rem;border-bottom:1px solid #eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.fail,.failed,.dead{color:#c62828}.held,.running{color:#b26a00}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;color:#fff}
.badge.ok{background:#1a7f37}.badge.fail{background:#c62828}
.muted{color:#666;font-size:.85rem}.chart{background:#fff;border:1px solid #eee}
form.admin{background:#fff;border:1px solid #ddd;padding:.6rem;margin:.5rem 0}
button{margin-left:.3rem}
";

/// The admin actions: a POST with the token the user typed (never stored) to the path in the
/// button's `data-path`; the answer's status is shown next to the token field.
pub const SCRIPT: &str = "
document.addEventListener('submit', (event) => event.preventDefault());
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-path]');
  if (!button) return;
  event.preventDefault();
  const token = document.getElementById('admin-token').value;
  const out = document.getElementById('admin-result');
  if (!token) { out.textContent = 'type the admin token first'; return; }
  try {
    const answer = await fetch(button.dataset.path, {
      method: 'POST', headers: { 'Authorization': 'Bearer ' + token },
    });
    out.textContent = button.dataset.label + ': HTTP ' + answer.status;
  } catch (error) {
    out.textContent = button.dataset.label + ': ' + error;
  }
});
";

/// The Content-Security-Policy header value for the page.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; connect-src 'self'; \
         img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
        hash(STYLE),
        hash(SCRIPT)
    )
}

fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_the_inline_assets_by_hash_only() {
        let csp = content_security_policy();
        assert!(csp.contains(&hash(STYLE)) && csp.contains(&hash(SCRIPT)));
        assert!(!csp.contains("unsafe-inline"));
    }
}
