//! [`TlsSettings`]: Kapacitor's TLS options of a service (`ssl-ca`, `ssl-cert`,
//! `ssl-key`, `insecure-skip-verify`) and the rustls configuration they make.

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

/// The TLS options of one service; the defaults trust the Mozilla roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// A PEM file of CA certificates to trust instead of the Mozilla roots; empty for none.
    pub ssl_ca: String,
    /// A PEM client certificate; empty for none.
    pub ssl_cert: String,
    /// The client certificate's PEM private key (the certificate's file when empty).
    pub ssl_key: String,
    /// Accept any server certificate.
    pub insecure_skip_verify: bool,
}

/// A TLS file that cannot be read or holds no usable certificate or key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(pub String);

impl TlsSettings {
    /// The rustls configuration of these settings.
    pub fn config(&self) -> Result<TlsConfig, TlsError> {
        let mut builder = TlsConfig::builder().disable_verification(self.insecure_skip_verify);
        if !self.ssl_ca.is_empty() {
            let (certs, _) = pem(&self.ssl_ca, "ssl-ca")?;
            if certs.is_empty() {
                return Err(TlsError(format!(
                    "ssl-ca {:?} holds no certificate",
                    self.ssl_ca
                )));
            }
            builder = builder.root_certs(RootCerts::new_with_certs(&certs));
        }
        if !self.ssl_cert.is_empty() {
            builder = builder.client_cert(Some(self.client_cert()?));
        }
        Ok(builder.build())
    }

    /// `ssl-cert` with its key from `ssl-key` (or from `ssl-cert` itself).
    fn client_cert(&self) -> Result<ClientCert, TlsError> {
        let (certs, _) = pem(&self.ssl_cert, "ssl-cert")?;
        let key_file = match self.ssl_key.as_str() {
            "" => &self.ssl_cert,
            key => key,
        };
        let (_, key) = pem(key_file, "ssl-key")?;
        let key =
            key.ok_or_else(|| TlsError(format!("ssl-key {key_file:?} holds no private key")))?;
        if certs.is_empty() {
            return Err(TlsError(format!(
                "ssl-cert {:?} holds no certificate",
                self.ssl_cert
            )));
        }
        Ok(ClientCert::new_with_certs(&certs, key))
    }
}

/// The certificates and the first private key of the PEM file `path` (setting `key`).
fn pem(
    path: &str,
    key: &str,
) -> Result<(Vec<Certificate<'static>>, Option<PrivateKey<'static>>), TlsError> {
    let bytes =
        std::fs::read(path).map_err(|e| TlsError(format!("cannot read {key} {path:?}: {e}")))?;
    let (mut certs, mut private) = (Vec::new(), None);
    for item in ureq::tls::parse_pem(&bytes) {
        match item.map_err(|e| TlsError(format!("{key} {path:?}: {e}")))? {
            PemItem::Certificate(cert) => certs.push(cert.to_owned()),
            PemItem::PrivateKey(k) if private.is_none() => private = Some(k.to_owned()),
            _ => {}
        }
    }
    Ok((certs, private))
}
