"""Which Ray cluster the ``--executor ray`` driver joins (``--address``, else $RAY_ADDRESS, else a
Ray of its own; or the Ray this process joined already), and the checks made before anything is
written: Ray installed, and an address that answers."""

from __future__ import annotations

import importlib.util
import os
import socket

from gan_bench.errors import InvalidOption


def cluster_address(address: str | None) -> str | None:
    """The cluster the driver joins: ``--address``, else $RAY_ADDRESS (Ray's own variable, set in a
    Ray job); None for a Ray of its own, started on this machine."""
    return address or os.environ.get("RAY_ADDRESS") or None


def starts_here(address: str | None) -> bool:
    """Whether the driver starts a Ray of its own on this machine (no address, or Ray's ``local``)
    rather than join a cluster."""
    return cluster_address(address) in (None, "local")


def as_given(address: str | None, cluster: str | None) -> str:
    """The cluster's address as the user gave it, for a message."""
    return f"--address {address}" if address else f"$RAY_ADDRESS {cluster}" if cluster else "a Ray started here"


def check_address(address: str | None, timeout_s: float = 5.0) -> None:
    """Refuse the cluster's address (``--address``, else $RAY_ADDRESS) where nothing answers, before
    anything is written: Ray itself retries such an address for minutes before it gives up.
    ``auto`` is resolved as ray.init resolves it; ``local`` is Ray's. An HTTP address (the
    dashboard's) is refused, as is another scheme than ``ray://`` that names no installed package.
    Where this process joined a Ray already, the suite runs there, and another address is refused.
    First of all, Ray must be installed."""
    ray = import_ray()  # installed, or refused here, before anything is written
    if ray.is_initialized():
        _check_joined(ray, address)
        return
    if starts_here(address):
        return
    cluster = cluster_address(address)
    named = as_given(address, cluster)
    if cluster == "auto":  # which reads $RAY_ADDRESS first, as ray.init does
        cluster = _auto_address(named)
        if cluster is None:
            return
        named = f"{named} ({cluster})"
    scheme = cluster.partition("://")[0] if "://" in cluster else "ray"
    if scheme in ("http", "https"):
        raise InvalidOption(
            f"{named}: an HTTP address (the dashboard's or the Jobs API's) is not one a driver joins; give the "
            "head node's address, HOST:PORT (port 6379 unless `ray start --head --port` chose another), or "
            "ray://HOST:10001 for Ray Client"
        )
    if scheme != "ray":  # Ray imports the package the scheme names, as its Ray Client builder
        if not _installed(scheme):
            raise InvalidOption(
                f"{named}: no package named {scheme} is installed to connect to {scheme}:// addresses; give "
                "the head node's address, HOST:PORT, ray://HOST:10001 for Ray Client, or auto"
            )
        return
    host, port = _host_port(cluster.removeprefix("ray://"))
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidOption(
            f"{named}: expected auto or HOST:PORT, the head node's address (port 6379 unless "
            "`ray start --head --port` chose another)"
        )
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as e:
        reason = f"no answer in {timeout_s:g} s" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise InvalidOption(
            f"{named}: no Ray cluster answers there ({reason}); give the head node's address as "
            "`ray status` on it shows it, or auto on a node of the cluster"
        ) from None


def check_started_here_has_gpus(address: str | None, device_type: str) -> None:
    """Refuse CUDA runs (``device_type``) bound for a Ray that ganbench would start on this machine
    (no address given, and none joined) where this machine has no CUDA: that Ray would have no GPU
    for their tasks. Under Ray, ``--device cuda`` needs no GPU on the driver, only on the nodes."""
    import torch

    if device_type != "cuda" or import_ray().is_initialized() or not starts_here(address):
        return
    if not torch.cuda.is_available():
        raise InvalidOption(
            "--device cuda: CUDA is not available on this machine, so the Ray that ganbench starts here "
            "(no --address) would have no GPU for the runs; give --address of a Ray cluster with GPU nodes, "
            "or --device cpu"
        )


def _host_port(address: str) -> tuple[str, str]:
    """HOST:PORT split at its last colon (an IPv6 host in brackets keeps its own), the brackets dropped."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), port


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a dotted name whose parent is missing; an empty or odd name
        return False


def _auto_address(named: str) -> str | None:
    """HOST:PORT of the cluster ``auto`` finds on this machine, as ray.init will find it; None where
    this Ray keeps its resolver elsewhere. Ray has no public way to resolve ``auto`` before ray.init."""
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:
        return None
    try:
        return canonicalize_bootstrap_address("auto")
    except ConnectionError:
        raise InvalidOption(
            f"{named}: no Ray cluster runs on this machine; start one (`ray start --head`) or give the head "
            "node's address, HOST:PORT"
        ) from None
    except ValueError as e:  # $RAY_ADDRESS, which auto reads first, is not an address
        raise InvalidOption(f"{named}: {e}") from None


def _check_joined(ray, address: str | None) -> None:
    """This process joined a Ray before (the caller's ``ray.init()``), and the suite runs there:
    an ``address`` naming another cluster is refused, since one process joins one Ray."""
    joined = _joined_address(ray)
    if address in (None, "auto") or joined is None or "://" in address:
        return
    if address == "local" or _endpoint(address) != _endpoint(joined):
        raise InvalidOption(
            f"--address {address}: this process is already connected to the Ray cluster at {joined} "
            "(ray.init() was called before); leave the address out to run there, or call ray.shutdown() first"
        )


def import_ray():
    try:
        import ray
    except ImportError:
        raise InvalidOption("--executor ray needs Ray: pip install 'ganbench[ray]'") from None
    return ray


def joined(ray, address: str | None = None) -> str:
    """The Ray this process is connected to, in words: by the address it joined (``auto``
    resolved), else ``address`` as given, else (Ray Client) without one."""
    joined = _joined_address(ray) or address
    return f"the Ray cluster at {joined}" if joined else "the Ray this process is connected to"


def _joined_address(ray) -> str | None:
    """HOST:PORT of the cluster this process joined; None for a Ray Client connection (ray://)."""
    try:
        return ray.get_runtime_context().gcs_address
    except Exception:  # Ray Client's context has no GCS address
        return None


def _endpoint(address: str) -> tuple[str, str]:
    """HOST:PORT as (IP, port), so that a host's name and its address compare equal."""
    host, port = _host_port(address)
    try:
        return socket.gethostbyname(host), port
    except OSError:
        return host, port
