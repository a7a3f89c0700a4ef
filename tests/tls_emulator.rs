//! The HTTPS client the binary builds (hyper and rustls on the ring provider, the platform's
//! trust store; src/aws/sdk.rs): every other emulator test talks plain HTTP, as moto does by
//! default, so this one puts moto behind TLS with a certificate from a throwaway authority.
//! It stands in for AWS's endpoints, which are HTTPS only: a run must complete the handshake
//! and verify the server against the trust store, and refuse a server it cannot verify.

mod support;

use std::path::Path;

use support::moto::Moto;
use support::*;

/// A throwaway certificate authority and a server certificate for 127.0.0.1 signed by it,
/// written as ca.pem, server.pem and server.key (Python's `cryptography`, which moto needs).
fn make_certificates(dir: &Path) {
    let code = r#"
import datetime, ipaddress, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
out = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn): return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
ca_key = ec.generate_private_key(ec.SECP256R1())
ca = (x509.CertificateBuilder().subject_name(name("cfn-baseline test CA")).issuer_name(name("cfn-baseline test CA"))
      .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
      .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
      .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
      .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
          encipher_only=False, decipher_only=False), critical=True)
      .sign(ca_key, hashes.SHA256()))
key = ec.generate_private_key(ec.SECP256R1())
leaf = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256()))
open(out + "/ca.pem", "wb").write(ca.public_bytes(serialization.Encoding.PEM))
open(out + "/server.pem", "wb").write(leaf.public_bytes(serialization.Encoding.PEM))
open(out + "/server.key", "wb").write(key.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
"#;
    let out = std::process::Command::new(test_python())
        .arg("-c")
        .arg(code)
        .arg(dir)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn plans_over_https_when_the_server_is_trusted_and_refuses_it_when_not() {
    let certs = tempfile::tempdir().unwrap();
    make_certificates(certs.path());
    let moto = Moto::start_tls(
        certs.path(),
        &certs.path().join("server.pem"),
        &certs.path().join("server.key"),
    );
    assert!(moto.endpoint.starts_with("https://"), "{}", moto.endpoint);
    let dir = dir_with_default_baseline();
    let ca = certs.path().join("ca.pem");

    // Trusted (rustls-native-certs reads SSL_CERT_FILE as the platform store): the whole
    // plan runs over TLS, STS, discovery and CloudFormation alike.
    let mut cmd = moto.command(dir.path(), &["plan"]);
    let out = cmd.env("SSL_CERT_FILE", &ca).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("+ current/us-east-1/baseline-guardduty  create"),
        "{}",
        stdout(&out)
    );

    // Not trusted (a store without the test authority): the handshake is refused and the
    // run stops with a sentence naming the certificate, having changed nothing.
    let other = certs.path().join("other.pem");
    std::fs::copy(certs.path().join("server.pem"), &other).unwrap();
    let mut cmd = moto.command(dir.path(), &["plan"]);
    let out = cmd.env("SSL_CERT_FILE", &other).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).to_lowercase().contains("certificate"),
        "{}",
        stderr(&out)
    );
}
