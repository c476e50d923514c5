"""A fake of the pulumi-tls provider for Pulumi mocks that does what the provider does: real
keys, CSRs and certificates (with `cryptography`), so tests can verify the chain.

Inputs arrive as the provider's wire names (privateKeyPem, certRequestPem, caCertPem, ...),
outputs are the provider's (private_key_pem, cert_request_pem, cert_pem)."""

from __future__ import annotations

import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TYPES = {
    "tls:index/privateKey:PrivateKey",
    "tls:index/selfSignedCert:SelfSignedCert",
    "tls:index/certRequest:CertRequest",
    "tls:index/locallySignedCert:LocallySignedCert",
}
USAGES = {
    "server_auth": ExtendedKeyUsageOID.SERVER_AUTH,
    "client_auth": ExtendedKeyUsageOID.CLIENT_AUTH,
}


SECRET_SIG = "4dabf18193072939515e22adb298388d"  # a secret value on the wire


def _get(inputs: dict[str, Any], camel: str) -> Any:
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    value = inputs.get(camel, inputs.get(snake))
    if isinstance(value, dict) and value.get(SECRET_SIG) is not None:
        return value["value"]  # the key of another resource arrives as a secret
    return value


def _name(subject: dict[str, Any] | None) -> x509.Name:
    subject = subject or {}
    parts = []
    if _get(subject, "organization"):
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _get(subject, "organization")))
    if _get(subject, "commonName"):
        parts.append(x509.NameAttribute(NameOID.COMMON_NAME, _get(subject, "commonName")))
    return x509.Name(parts)


def _builder(subject: x509.Name, issuer: x509.Name, public_key: Any, inputs: dict[str, Any]) -> Any:
    now = datetime.datetime.now(datetime.UTC)
    hours = float(_get(inputs, "validityPeriodHours") or 24)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(hours=hours))
    )
    is_ca = bool(_get(inputs, "isCaCertificate"))
    builder = builder.add_extension(
        x509.BasicConstraints(ca=is_ca, path_length=None), critical=True
    )
    usages = [USAGES[u] for u in (_get(inputs, "allowedUses") or []) if u in USAGES]
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    return builder


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def new_resource(typ: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The state pulumi-tls would return for a resource of this type and these inputs."""
    state = dict(inputs)
    if typ == "tls:index/privateKey:PrivateKey":
        key = ec.generate_private_key(ec.SECP256R1())
        state["privateKeyPem"] = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        state["publicKeyPem"] = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
    elif typ == "tls:index/selfSignedCert:SelfSignedCert":
        key = serialization.load_pem_private_key(_get(inputs, "privateKeyPem").encode(), None)
        name = _name(_get(inputs, "subject"))
        cert = _builder(name, name, key.public_key(), inputs).sign(key, hashes.SHA256())
        state["certPem"] = _pem(cert)
    elif typ == "tls:index/certRequest:CertRequest":
        key = serialization.load_pem_private_key(_get(inputs, "privateKeyPem").encode(), None)
        builder = x509.CertificateSigningRequestBuilder().subject_name(
            _name(_get(inputs, "subject"))
        )
        names = _get(inputs, "dnsNames") or []
        if names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
        request = builder.sign(key, hashes.SHA256())
        state["certRequestPem"] = request.public_bytes(serialization.Encoding.PEM).decode()
    elif typ == "tls:index/locallySignedCert:LocallySignedCert":
        request = x509.load_pem_x509_csr(_get(inputs, "certRequestPem").encode())
        ca = x509.load_pem_x509_certificate(_get(inputs, "caCertPem").encode())
        ca_key = serialization.load_pem_private_key(_get(inputs, "caPrivateKeyPem").encode(), None)
        builder = _builder(request.subject, ca.subject, request.public_key(), inputs)
        for extension in request.extensions:
            builder = builder.add_extension(extension.value, extension.critical)
        state["certPem"] = _pem(builder.sign(ca_key, hashes.SHA256()))
    return state
