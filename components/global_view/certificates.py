"""The certificates of a global view, from one CA the view owns (pulumi-tls): the client
certificate of the global Query, and a server certificate per cluster for its exposed StoreAPI.
Private keys stay Pulumi secrets (pulumi-tls marks them so) and reach pods only in Secrets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_tls as tls

from components.global_view.config import ClusterEntry
from components.kube.registration import child_name

ORGANIZATION = "ai-observability"
CA_USES = ["cert_signing", "crl_signing", "digital_signature"]
CLIENT_USES = ["client_auth", "digital_signature", "key_encipherment"]
SERVER_USES = ["server_auth", "digital_signature", "key_encipherment"]
CLIENT_NAME = "thanos-query.global.ai-observability"
# `pulumi up` on the view re-issues a certificate in its last 30 days; then `pulumi up` on each
# exposed cluster picks its new one up (docs/runbooks.md, GlobalViewClusterUnreachable).
RENEW_BEFORE_HOURS = 30 * 24


@dataclass(frozen=True)
class KeyPair:
    """A certificate and its private key (a secret Output)."""

    cert_pem: pulumi.Output[str]
    key_pem: pulumi.Output[str]


@dataclass(frozen=True)
class ViewCertificatesArgs:
    """The view's name (in the CA's subject), its clusters, and how long certificates last."""

    view: str
    clusters: Sequence[ClusterEntry]
    days: int


def _key(name: str, opts: pulumi.ResourceOptions) -> tls.PrivateKey:
    return tls.PrivateKey(name, algorithm="ECDSA", ecdsa_curve="P256", opts=opts)


class ViewCertificates(pulumi.ComponentResource):
    """The view's CA, the global Query's client certificate, one server certificate per cluster."""

    ca_cert_pem: pulumi.Output[str]
    client: KeyPair
    servers: dict[str, KeyPair]

    def __init__(
        self, name: str, args: ViewCertificatesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:global:ViewCertificates", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        hours = args.days * 24
        ca_key = _key(child_name(name, "ca-key"), child)
        ca = tls.SelfSignedCert(
            child_name(name, "ca"),
            private_key_pem=ca_key.private_key_pem,
            is_ca_certificate=True,
            subject=tls.SelfSignedCertSubjectArgs(
                common_name=f"{args.view} global view CA", organization=ORGANIZATION
            ),
            validity_period_hours=hours,
            early_renewal_hours=RENEW_BEFORE_HOURS,
            allowed_uses=CA_USES,
            opts=child,
        )
        self.ca_cert_pem = ca.cert_pem

        def issue(part: str, common_name: str, dns_names: list[str], uses: list[str]) -> KeyPair:
            key = _key(child_name(name, part, "key"), child)
            request = tls.CertRequest(
                child_name(name, part, "csr"),
                private_key_pem=key.private_key_pem,
                subject=tls.CertRequestSubjectArgs(
                    common_name=common_name, organization=ORGANIZATION
                ),
                dns_names=dns_names,
                opts=child,
            )
            cert = tls.LocallySignedCert(
                child_name(name, part, "cert"),
                cert_request_pem=request.cert_request_pem,
                ca_private_key_pem=ca_key.private_key_pem,
                ca_cert_pem=ca.cert_pem,
                validity_period_hours=hours,
                early_renewal_hours=RENEW_BEFORE_HOURS,
                allowed_uses=uses,
                opts=child,
            )
            return KeyPair(cert.cert_pem, pulumi.Output.secret(key.private_key_pem))

        self.client = issue("client", CLIENT_NAME, [], CLIENT_USES)
        self.servers = {
            c.name: issue(f"server-{c.name}", c.server_name, [c.server_name], SERVER_USES)
            for c in args.clusters
        }
        self.register_outputs({"caCertPem": self.ca_cert_pem})
