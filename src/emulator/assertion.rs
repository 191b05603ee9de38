//! Verification of a client assertion (certificate credential): a JWT signed PS256 or RS256 with
//! the registered certificate's key, whose `x5t#S256` (or legacy SHA-1 `x5t`) header names that
//! certificate, `aud` = the token URL, `iss` = `sub` = client id, `exp` ahead and `nbf` not ahead.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::Digest;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

use super::config::EmulatorConfig;

/// The only accepted `client_assertion_type`.
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

#[derive(Deserialize)]
struct Claims {
    aud: String,
    iss: String,
    sub: String,
    exp: i64,
    nbf: Option<i64>,
}

struct Registered {
    sha256: String,
    sha1: String,
    key: DecodingKey,
}

fn registered(pem: &str) -> Result<Registered, String> {
    let cert = Certificate::from_pem(pem.as_bytes())
        .map_err(|_| "registered certificate unreadable".to_owned())?;
    let der = cert
        .to_der()
        .map_err(|_| "registered certificate unreadable".to_owned())?;
    let sha256 = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&der));
    let sha1 = URL_SAFE_NO_PAD.encode(<sha1::Sha1 as sha1::Digest>::digest(&der));
    let spki = cert.tbs_certificate.subject_public_key_info;
    let key = DecodingKey::from_rsa_der(spki.subject_public_key.raw_bytes());
    Ok(Registered { sha256, sha1, key })
}

/// Verifies `assertion` for the token URL `audience` at Unix time `now` (with Entra's 5-minute
/// clock-skew allowance on `nbf`); the error names what failed.
pub(crate) fn verify(
    config: &EmulatorConfig,
    assertion: &str,
    audience: &str,
    now: i64,
) -> Result<(), String> {
    let pem = config
        .client_certificate_pem
        .as_deref()
        .ok_or("no certificate is registered")?;
    let cert = registered(pem)?;
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| "malformed JWT".to_owned())?;
    if !matches!(header.alg, Algorithm::PS256 | Algorithm::RS256) {
        return Err("unsupported algorithm".into());
    }
    let thumbprint_ok = match (&header.x5t_s256, &header.x5t) {
        (Some(t), _) => *t == cert.sha256,
        (None, Some(t)) => *t == cert.sha1,
        (None, None) => false,
    };
    if !thumbprint_ok {
        return Err("the certificate thumbprint does not match a registered certificate".into());
    }
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Claims>(assertion, &cert.key, &validation)
        .map_err(|_| "signature validation failed".to_owned())?;
    let claims = data.claims;
    if claims.aud != audience {
        return Err("wrong audience".into());
    }
    if claims.iss != config.client_id || claims.sub != config.client_id {
        return Err("iss and sub must be the client id".into());
    }
    if claims.exp <= now || claims.nbf.is_some_and(|nbf| nbf > now + 300) {
        return Err("the assertion is expired or not yet valid".into());
    }
    Ok(())
}
