//! The certificate credential: a JWT client assertion signed PS256 with the registered
//! certificate's key, carrying `x5t#S256` (base64url SHA-256 of the certificate's DER).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

use super::error::{ErrorClass, GraphError};

/// Lifetime of one client assertion.
const ASSERTION_LIFETIME_SECS: i64 = 300;

/// Signs client assertions for one certificate. `Debug` shows only the thumbprint.
pub struct AssertionSigner {
    key: EncodingKey,
    x5t_s256: String,
}

impl fmt::Debug for AssertionSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssertionSigner")
            .field("x5t_s256", &self.x5t_s256)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    nbf: i64,
    iat: i64,
    exp: i64,
}

fn invalid(what: &str) -> GraphError {
    GraphError::new(
        ErrorClass::Permanent,
        format!("invalid certificate credential: {what}"),
    )
}

/// base64url(SHA-256(DER of the certificate in `pem`)).
pub fn thumbprint_s256(certificate_pem: &str) -> Result<String, GraphError> {
    let cert = Certificate::from_pem(certificate_pem.as_bytes())
        .map_err(|_| invalid("certificate PEM"))?;
    let der = cert.to_der().map_err(|_| invalid("certificate DER"))?;
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(&der)))
}

impl AssertionSigner {
    /// Loads the certificate and its RSA private key (PKCS#1 or PKCS#8 PEM).
    pub fn new(certificate_pem: &str, private_key_pem: &SecretString) -> Result<Self, GraphError> {
        let key = EncodingKey::from_rsa_pem(private_key_pem.expose_secret().as_bytes())
            .map_err(|_| invalid("private key PEM (RSA expected)"))?;
        Ok(Self {
            key,
            x5t_s256: thumbprint_s256(certificate_pem)?,
        })
    }

    /// The certificate thumbprint sent as `x5t#S256`.
    pub fn thumbprint(&self) -> &str {
        &self.x5t_s256
    }

    /// A signed assertion for `client_id` at `token_url`, valid from `now` for five minutes.
    pub fn assertion(
        &self,
        client_id: &str,
        token_url: &str,
        now: DateTime<Utc>,
    ) -> Result<SecretString, GraphError> {
        let mut header = Header::new(Algorithm::PS256);
        header.typ = Some("JWT".to_owned());
        header.x5t_s256 = Some(self.x5t_s256.clone());
        let t = now.timestamp();
        let claims = Claims {
            aud: token_url,
            iss: client_id,
            sub: client_id,
            jti: uuid::Uuid::new_v4().to_string(),
            nbf: t,
            iat: t,
            exp: t + ASSERTION_LIFETIME_SECS,
        };
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map(SecretString::from)
            .map_err(|_| invalid("signing the client assertion failed"))
    }
}
