"""The deployment examples (Kubernetes manifest, Dockerfile) are well formed.

The manifest is checked against the Kubernetes OpenAPI schemas that the
kubernetes-validate package ships, so no cluster and no kubectl is needed.
"""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MANIFEST = EXAMPLES / "kubernetes" / "alloylite.yaml"


def _documents() -> list[dict]:
    return [doc for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc]


@pytest.mark.parametrize("document", _documents(), ids=lambda d: d["kind"])
def test_manifest_matches_kubernetes_schema(document: dict) -> None:
    kubernetes_validate.validate(document, "1.30.0", strict=True)


def test_manifest_wires_config_service_and_probes() -> None:
    by_kind = {doc["kind"]: doc for doc in _documents()}
    assert set(by_kind) == {"ConfigMap", "Deployment", "Service"}
    pod = by_kind["Deployment"]["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/-/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
    volume = pod["spec"]["volumes"][0]["configMap"]["name"]
    assert volume == by_kind["ConfigMap"]["metadata"]["name"]
    selector = by_kind["Service"]["spec"]["selector"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert "config.alloy" in by_kind["ConfigMap"]["data"]


def test_manifest_config_is_what_the_examples_run() -> None:
    """The ConfigMap's config is plain Alloy text the CLI can read (validated in test_examples)."""
    config = _documents()[0]["data"]["config.alloy"]
    assert 'pyroscope.receive_http "default"' in config
    assert "forward_to = [pyroscope.write.backend.receiver]" in config


def test_dockerfile_runs_the_cli() -> None:
    dockerfile = (EXAMPLES / "docker" / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "\nFROM python:3.11" in dockerfile
    assert 'ENTRYPOINT ["alloylite", "run"' in dockerfile
