"""The global view's Thanos Query: its client certificate Secret, its endpoints file (from the
clusters' resolved addresses) and its workload, plus the view's own alert."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.global_view.certificates import KeyPair
from components.global_view.config import GlobalViewConfig
from components.global_view.manifests import (
    CLIENT_TLS_SECRET,
    cluster_endpoints,
    global_query_objects,
    global_view_groups,
)
from components.kube.registration import Namespace, child_name, manifest_name, register
from components.kube.resources import secret
from components.kube.selection import monitoring_metadata
from components.thanos.endpoints import ENDPOINTS_CONFIGMAP, ENDPOINTS_KEY, endpoints_file
from components.thanos.manifests import QUERY, labels

RULE_NAME = "ai-observability-global-view"


@dataclass(frozen=True)
class GlobalViewArgs:
    """The view's config, its namespace, each cluster's address (resolved from config or a
    StackReference), the client certificate and CA, and the runbook page."""

    config: GlobalViewConfig
    namespace: Namespace
    addresses: Mapping[str, pulumi.Input[str]]
    client: KeyPair
    ca_cert_pem: pulumi.Input[str]
    runbook_base: str


class GlobalView(pulumi.ComponentResource):
    """Thanos Query over every cluster with mutual TLS, and GlobalViewClusterUnreachable."""

    def __init__(
        self, name: str, args: GlobalViewArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:global:GlobalView", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = args.namespace
        client = secret(
            child_name(name, "client-tls"),
            CLIENT_TLS_SECRET,
            ns,
            {
                "tls.crt": args.client.cert_pem,
                "tls.key": args.client.key_pem,
                "ca.crt": args.ca_cert_pem,
            },
            child,
        )
        clusters = args.config.clusters
        text = pulumi.Output.all(**dict(args.addresses)).apply(
            lambda resolved: endpoints_file(cluster_endpoints(clusters, resolved))
        )
        endpoints = k8s.core.v1.ConfigMap(
            child_name(name, "endpoints"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ENDPOINTS_CONFIGMAP, namespace=ns.output, labels=labels(QUERY, "query")
            ),
            data={ENDPOINTS_KEY: text},
            opts=child,
        )
        known = {
            ("Secret", CLIENT_TLS_SECRET): client,
            ("ConfigMap", ENDPOINTS_CONFIGMAP): endpoints,
        }
        register(
            self,
            global_query_objects(args.config, ns.name),
            lambda m: manifest_name(name, m),
            [ns],
            known,
        )
        rule = {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": monitoring_metadata(
                RULE_NAME, ns.name, {"ai-observability/rule-area": "global-view"}
            ),
            "spec": {"groups": global_view_groups(args.config, args.runbook_base)},
        }
        register(self, [rule], lambda m: child_name(name, "rules"), [ns])
        self.register_outputs({})
