//! [`client_config`]: the rustls configuration of a `[[kafka]]` section with
//! `use-ssl`: the Mozilla roots or `ssl-ca`, a client certificate from `ssl-cert` and
//! `ssl-key`, and `insecure-skip-verify`, which accepts any broker certificate (its
//! signatures are still checked).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::KafkaConfig;

/// The TLS configuration of `config`; a file that cannot be read or holds nothing
/// usable is an error naming it.
pub(super) fn client_config(config: &KafkaConfig) -> Result<Arc<ClientConfig>, String> {
    // ring is the workspace's provider (no C toolchain for aws-lc); it has no
    // post-quantum key exchange, which rustls now marks as deprecated.
    #[allow(deprecated)]
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match config.insecure_skip_verify {
        true => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider))),
        false => builder.with_root_certificates(roots(&config.ssl_ca)?),
    };
    let tls = match config.ssl_cert.as_str() {
        "" => builder.with_no_client_auth(),
        cert => {
            let key_file = match config.ssl_key.as_str() {
                "" => cert,
                key => key,
            };
            let key = PrivateKeyDer::from_pem_file(key_file)
                .map_err(|e| format!("ssl-key {key_file:?}: {e}"))?;
            (builder.with_client_auth_cert(certificates(cert, "ssl-cert")?, key))
                .map_err(|e| format!("ssl-cert {cert:?}: {e}"))?
        }
    };
    Ok(Arc::new(tls))
}

/// The certificates of `ssl_ca`, or the Mozilla roots when it is empty.
fn roots(ssl_ca: &str) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    match ssl_ca {
        "" => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        path => {
            for cert in certificates(path, "ssl-ca")? {
                roots
                    .add(cert)
                    .map_err(|e| format!("ssl-ca {path:?}: {e}"))?;
            }
        }
    }
    Ok(roots)
}

/// The certificates of the PEM file `path` (the option `key`), at least one.
fn certificates(path: &str, key: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = (CertificateDer::pem_file_iter(path))
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| format!("{key} {path:?}: {e}"))?;
    match certs.is_empty() {
        true => Err(format!("{key} {path:?} holds no certificate")),
        false => Ok(certs),
    }
}

/// `insecure-skip-verify`: any certificate, with valid handshake signatures.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(config: KafkaConfig) -> Result<Arc<ClientConfig>, String> {
        client_config(&KafkaConfig {
            use_ssl: true,
            ..config
        })
    }

    #[test]
    fn the_mozilla_roots_or_any_certificate_make_a_configuration() {
        assert!(tls(KafkaConfig::default()).is_ok());
        let insecure = KafkaConfig {
            insecure_skip_verify: true,
            ..KafkaConfig::default()
        };
        assert!(tls(insecure).is_ok());
    }

    #[test]
    fn unusable_files_are_errors_naming_the_option_and_file() {
        let missing = KafkaConfig {
            ssl_ca: "/nonexistent/ca.pem".into(),
            ..KafkaConfig::default()
        };
        let error = tls(missing).err().unwrap_or_default();
        assert!(
            error.starts_with("ssl-ca \"/nonexistent/ca.pem\""),
            "{error}"
        );
        let empty = std::env::temp_dir().join(format!("tickflow-kafka-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").expect("a temp file");
        let path = empty.display().to_string();
        let no_cert = KafkaConfig {
            ssl_ca: path.clone(),
            ..KafkaConfig::default()
        };
        assert_eq!(
            tls(no_cert).err(),
            Some(format!("ssl-ca {path:?} holds no certificate"))
        );
        let _ = std::fs::remove_file(&empty);
    }
}
