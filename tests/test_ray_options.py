"""Ray's options without a cluster: what a run's task asks for (--runs-per-gpu), the short temp
dir for a Ray started here, the shared-filesystem check in a task, an --address where nothing
answers, and the options' rules."""

import os
import socket
import sys
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.errors import InvalidOption, RunDirError
from gan_bench.executors import ray_address, ray_cluster, ray_task, sockets
from gan_bench.rundir.lock import LOCK_NAME
from gan_bench.training.progress import Reporter


@pytest.mark.parametrize("k, share", [(1, 1.0), (2, 0.5), (4, 0.25), (8, 0.125)])
def test_a_cuda_task_asks_for_a_kth_of_a_gpu(k, share):
    assert ray_cluster.task_resources("cuda", k) == {"num_gpus": share}


def test_a_cpu_task_asks_for_one_cpu():
    assert ray_cluster.task_resources("cpu") == {"num_cpus": 1}


def test_rays_own_temp_dir_is_kept_when_its_socket_paths_fit():
    assert ray_cluster.local_temp_dir("/tmp/ray") is None


def test_a_long_temp_dir_is_replaced_by_a_short_one():
    long = "/scratch/slurm/job-123456789/" + "x" * 40 + "/ray"
    short = ray_cluster.local_temp_dir(long)
    assert short == f"/tmp/ray-{os.getuid()}"
    assert len(short) + ray_cluster.RAY_SOCKET_TAIL <= sockets.SOCKET_PATH_MAX < len(long) + ray_cluster.RAY_SOCKET_TAIL


def test_a_node_that_cannot_see_out_fails_its_task_with_a_message(tmp_path):
    with pytest.raises(RunDirError, match=r"not visible on Ray node .*a shared filesystem"):
        ray_task.check_visible(str(tmp_path / "out"))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / LOCK_NAME).write_text("pid 1 on driver\n")  # what the driver holds while it runs
    ray_task.check_visible(str(tmp_path / "out"))


@pytest.mark.parametrize(("torch_cuda", "why"), [(None, "a CPU-only torch build"), ("13.0", "no NVIDIA driver or GPU")])
def test_a_cuda_task_on_a_node_where_torch_finds_no_cuda_fails_before_writing(tmp_path, monkeypatch, torch_cuda, why):
    """Ray schedules by the GPUs a node was started with; where torch there finds none, the run
    fails with one line saying so, and its run directory is not begun."""
    from gan_bench.suite.plan import plan_suite

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", torch_cuda)
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text("pid 1 on driver\n")
    [spec] = plan_suite("smoke", recipes=["tf-mlp"], device="cpu", out=out).specs
    with pytest.raises(InvalidOption) as failed:
        ray_task.one_run(
            spec.model_copy(update={"device": "cuda"}).model_dump(mode="json"),
            str(out),
            str(out / "tf-mlp" / "seed-0"),
            None,
            {},
        )
    assert str(failed.value).startswith(
        f"--device cuda: Ray node {socket.gethostname()} took this run as one with a GPU, but torch there finds no "
        f"CUDA ({why}"
    )
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
    ray_task.check_cuda_here("cpu")  # a CPU run needs none


@pytest.mark.parametrize(
    "args, message",
    [
        (["--runs-per-gpu", "2"], "--runs-per-gpu: applies to --executor ray"),
        (["--runs-per-gpu", "2", "--executor", "ray"], "--runs-per-gpu: applies to CUDA runs; on cpu"),
        (["--runs-per-gpu", "0", "--executor", "ray"], "--runs-per-gpu: expected a positive integer, got 0"),
    ],
)
def test_runs_per_gpu_is_refused_where_it_cannot_apply(tmp_path, args, message):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--device", "cpu", "--out", str(out), *args])
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert not out.exists()


def test_runs_per_gpu_where_auto_picked_the_cpu_says_to_give_cuda(tmp_path, monkeypatch):
    """On a cluster's head node without CUDA, auto picks the CPU: the refusal names --device cuda."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--suite", "smoke", "--executor", "ray", "--runs-per-gpu", "8", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert (
        "--runs-per-gpu: applies to CUDA runs; on cpu each Ray task asks for 1 CPU; --device auto picked this "
        "machine's cpu: give --device cuda for the Ray cluster's GPUs"
    ) in " ".join(result.output.split())
    assert not out.exists()


@pytest.mark.parametrize(("device", "picked"), [("auto", True), ("cpu", False)])
def test_the_plan_knows_whether_auto_chose_its_device(monkeypatch, device, picked):
    """Only a device that --device auto chose gets the hints to give --device cuda instead."""
    import gan_bench as gb

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    plan = gb.plan("smoke", executor="ray", device=device)
    assert plan.device == torch.device("cpu") and plan.device_picked is picked


@pytest.fixture
def listening():
    """HOST:PORT of a socket that accepts connections, as a Ray head's port does."""
    server = socket.create_server(("127.0.0.1", 0))
    yield f"127.0.0.1:{server.getsockname()[1]}"
    server.close()


def closed_port() -> int:
    """A port nothing listens on: one just bound and let go."""
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


def test_a_ray_address_variable_where_nothing_answers_is_refused_by_its_name(monkeypatch, listening):
    address = f"127.0.0.1:{closed_port()}"
    monkeypatch.setenv("RAY_ADDRESS", address)  # as a Ray job has it
    with pytest.raises(InvalidOption, match=rf"^\$RAY_ADDRESS {address}: no Ray cluster answers there"):
        ray_address.check_address(None)
    ray_address.check_address(listening)  # --address wins over the variable
    with pytest.raises(InvalidOption, match=r"^--address auto \(.*\): no Ray cluster answers there"):
        ray_address.check_address("auto")  # which ray.init("auto") reads first, as here


def test_an_address_that_answers_is_taken(listening, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    for address in (None, "local", listening, f"ray://{listening}"):
        ray_address.check_address(address)


def ray_finds(monkeypatch, found):
    """Ray's own resolver of ``auto``, as a stand-in: ``found`` is its address, or what it raises."""
    from ray._private import services

    def canonicalize(address, temp_dir=None):
        assert address == "auto"
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(services, "canonicalize_bootstrap_address", canonicalize)


def test_auto_is_resolved_as_ray_init_resolves_it_and_checked_to_answer(listening, monkeypatch):
    ray_finds(monkeypatch, listening)
    ray_address.check_address("auto")
    closed = f"127.0.0.1:{closed_port()}"
    ray_finds(monkeypatch, closed)
    with pytest.raises(InvalidOption, match=rf"^--address auto \({closed}\): no Ray cluster answers there"):
        ray_address.check_address("auto")


@pytest.mark.parametrize(
    "raised, says",
    [
        (ConnectionError("Could not find any running Ray instance."), "no Ray cluster runs on this machine; start one"),
        (ValueError("Invalid address format: x"), "Invalid address format: x"),
    ],
)
def test_auto_where_ray_finds_no_cluster_is_refused(monkeypatch, raised, says):
    ray_finds(monkeypatch, raised)
    with pytest.raises(InvalidOption) as refused:
        ray_address.check_address("auto")
    assert str(refused.value).startswith(f"--address auto: {says}")


def test_a_scheme_no_installed_package_connects_to_is_refused(tmp_path):
    """Ray takes the scheme of an address as the package that connects to it (its Ray Client
    builder): a mistyped one ended the command with a traceback, after writing."""
    out, address = tmp_path / "out", "foo-not-installed://head:1"
    for other in ("no_such.module://head:1", "://head:1"):
        with pytest.raises(InvalidOption, match="no package named"):
            ray_address.check_address(other)
    result = CliRunner().invoke(
        app, ["run", "--suite", "smoke", "--executor", "ray", "--address", address, "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert f"error: --address {address}: no package named foo-not-installed is installed" in " ".join(
        result.output.split()
    )
    assert "Traceback" not in result.output and not out.exists()
    ray_address.check_address("pytest://a-cluster")  # an installed package's scheme is its own to resolve


@pytest.mark.parametrize("address", ["http://head:8265", "https://head.example.org:443"])
def test_an_http_address_is_refused_naming_the_address_to_give(tmp_path, address):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--suite", "smoke", "--executor", "ray", "--address", address, "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert (
        f"error: --address {address}: an HTTP address (the dashboard's or the Jobs API's) is not one a driver joins"
        in " ".join(result.output.split())
    )
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(
    "address, says",
    [
        ("127.0.0.1:{closed}", "no Ray cluster answers there (Connection refused)"),
        ("ray://127.0.0.1:{closed}", "no Ray cluster answers there (Connection refused)"),
        ("headnode", "expected auto or HOST:PORT"),
        ("headnode:ray", "expected auto or HOST:PORT"),
        ("127.0.0.1:70000", "expected auto or HOST:PORT"),
    ],
)
def test_an_address_where_nothing_answers_is_refused_at_once(address, says):
    address = address.format(closed=closed_port())
    with pytest.raises(InvalidOption) as refused:
        ray_address.check_address(address)
    assert str(refused.value).startswith(f"--address {address}: {says}")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_run_refuses_an_address_where_nothing_answers_and_writes_nothing(tmp_path, dry_run):
    out, address = tmp_path / "out", f"127.0.0.1:{closed_port()}"
    result = CliRunner().invoke(
        app, ["run", "--suite", "smoke", "--executor", "ray", "--address", address, "--out", str(out), *dry_run]
    )
    assert result.exit_code == 2, result.output
    assert f"error: --address {address}: no Ray cluster answers there" in " ".join(result.output.split())
    assert "Traceback" not in result.output and not out.exists()


class _RayJoined:
    """A Ray this process joined already (the caller's ray.init()), at ``gcs``."""

    def __init__(self, gcs):
        self.gcs = gcs

    def is_initialized(self):
        return True

    def get_runtime_context(self):
        return type("Context", (), {"gcs_address": self.gcs})()


@pytest.mark.parametrize("address", [None, "auto", "{joined}", "localhost:{port}", "ray://anywhere:10001"])
def test_where_this_process_joined_a_ray_the_suite_runs_there(monkeypatch, address):
    """No connection is tried: that Ray answers already (its head here is a closed port)."""
    port = closed_port()
    monkeypatch.setitem(sys.modules, "ray", _RayJoined(f"127.0.0.1:{port}"))
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")  # the joined Ray wins over the variable too
    ray_address.check_address(address and address.format(joined=f"127.0.0.1:{port}", port=port))


@pytest.mark.parametrize("address", ["127.0.0.1:{other}", "local"])
def test_another_address_than_the_ray_this_process_joined_is_refused(monkeypatch, address):
    port, other = closed_port(), closed_port() + 1
    monkeypatch.setitem(sys.modules, "ray", _RayJoined(f"127.0.0.1:{port}"))
    address = address.format(other=other)
    with pytest.raises(InvalidOption) as refused:
        ray_address.check_address(address)
    assert str(refused.value) == (
        f"--address {address}: this process is already connected to the Ray cluster at 127.0.0.1:{port} "
        "(ray.init() was called before); leave the address out to run there, or call ray.shutdown() first"
    )


@pytest.mark.parametrize(
    "nodes, asked, says",
    [
        (
            [{"CPU": 16.0, "memory": 1e9}],
            {"num_gpus": 0.25},
            "each run's task asks for 0.25 GPU, and the cluster has CPU 16",
        ),
        ([], {"num_cpus": 1}, "each run's task asks for 1 CPU, and the cluster has neither CPU nor GPU"),
        (
            [{"CPU": 8.0, "GPU": 0.5}],
            {"num_gpus": 1.0},
            "each run's task asks for 1 GPU, and the cluster has CPU 8, GPU 0.5",
        ),
        (
            [{"CPU": 8.0, "GPU": 0.5}, {"CPU": 4.0, "GPU": 0.5}],
            {"num_gpus": 1.0},
            "each run's task asks for 1 GPU, and the cluster has CPU 12, GPU 1, at most 0.5 GPU on one node",
        ),
        ([{"CPU": 0.0}, {"CPU": 0.5}], {"num_cpus": 1}, "each run's task asks for 1 CPU, and the cluster has CPU 0.5"),
        ([{"CPU": 8.0, "GPU": 1.0}], {"num_gpus": 0.5}, None),
        ([{"CPU": 0.0}, {"CPU": 1.0}], {"num_cpus": 1}, None),
        ([{"CPU": 2.0}, {"CPU": 2.0, "GPU": 1.0}], {"num_gpus": 1.0}, None),
    ],
)
def test_a_task_no_node_can_take_is_said_in_words(nodes, asked, says):
    assert ray_cluster.missing_resource(nodes, asked) == says


class _Told(Reporter):
    """A reporter that keeps the lines the driver says."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def message(self, text):
        self.lines.append(text)


class _RayFound:
    """What run_all uses of Ray, with one live node of ``resources`` (and a dead one, whose GPUs do
    not count); records init and shutdown."""

    def __init__(self, resources: dict[str, float]):
        self.resources, self.calls = resources, []

    def is_initialized(self):
        return False

    def init(self, **options):
        self.calls.append(("init", options.get("address")))

    def nodes(self):
        return [{"Alive": True, "Resources": self.resources}, {"Alive": False, "Resources": {"GPU": 8.0}}]

    def shutdown(self):
        self.calls.append(("shutdown", None))


@pytest.mark.parametrize("address", [None, "local"])  # "local": Ray's name for a Ray of its own
def test_a_ray_started_here_without_the_gpu_the_runs_ask_for_stops_with_exit_2(tmp_path, monkeypatch, address):
    """A Ray that ganbench starts itself will not grow: CUDA runs on one that finds no GPU (Ray
    did not detect it) are refused, naming what it found, and Ray is shut down again."""
    from gan_bench.suite.plan import plan_suite

    found = _RayFound({"CPU": 16.0, "memory": 1e9})
    monkeypatch.setattr(ray_cluster, "import_ray", lambda: found)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    specs = [s.model_copy(update={"device": "cuda"}) for s in plan_suite("smoke", out=tmp_path / "out").specs]
    with pytest.raises(InvalidOption) as refused, ray_cluster.connected(specs, address, Reporter()):
        pass
    assert str(refused.value).startswith(
        "--executor ray: each run's task asks for 1 GPU, and the cluster has CPU 16, so no run could start; "
        "train here with --jobs"
    )
    assert found.calls == [("init", "local"), ("shutdown", None)]  # a Ray of its own, not one running here
    assert not (tmp_path / "out").exists()


def test_a_suite_refused_by_the_ray_started_for_it_leaves_its_folder_unwritten(tmp_path, monkeypatch):
    """Ray is joined before the lock file and suite.json: a suite of CUDA tasks that the Ray started
    here finds no GPU for (torch sees one, Ray did not detect it) writes nothing."""
    import gan_bench as gb

    found = _RayFound({"CPU": 2.0})
    monkeypatch.setattr(ray_cluster, "import_ray", lambda: found)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    plan = gb.plan("smoke", out=tmp_path / "out", executor="ray", device="cuda")
    assert {spec.device for spec in plan.specs} == {"cuda"}
    with pytest.raises(InvalidOption, match="each run's task asks for 1 GPU, and the cluster has CPU 2"):
        gb.execute_plan(plan)
    assert found.calls == [("init", "local"), ("shutdown", None)]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("device", "picked", "address", "resources", "said"),
    [
        ("cpu", True, "10.0.0.7:6379", {"CPU": 64.0, "GPU": 8.0}, True),
        ("cpu", True, "10.0.0.7:6379", {"CPU": 64.0, "GPU": 1.0}, True),
        ("cpu", False, "10.0.0.7:6379", {"CPU": 64.0, "GPU": 8.0}, False),  # --device cpu, given on purpose
        ("cpu", True, "10.0.0.7:6379", {"CPU": 64.0}, False),
        ("cuda", False, "10.0.0.7:6379", {"CPU": 64.0, "GPU": 8.0}, False),
        ("cpu", True, None, {"CPU": 64.0, "GPU": 8.0}, False),  # a Ray started here: auto would have picked CUDA
    ],
)
def test_cpu_runs_on_a_cluster_with_gpus_say_how_to_use_them(monkeypatch, device, picked, address, resources, said):
    """On a cluster's head node without CUDA, --device auto picks the CPU: joining a cluster that
    has GPUs, the driver says how to train on them (not where --device cpu was given)."""
    from gan_bench.suite.plan import plan_suite

    monkeypatch.setattr(ray_cluster, "import_ray", lambda: _RayFound(resources))
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    specs = [
        s.model_copy(update={"device": device}) for s in plan_suite("smoke", recipes=["tf-mlp"], device="cpu").specs
    ]
    told = _Told()
    with ray_cluster.connected(specs, address, told, device_picked=picked):
        pass
    gpus = f"{resources.get('GPU', 0):g} GPU{'s' if resources.get('GPU') != 1 else ''}"
    expected = f"the Ray cluster at 10.0.0.7:6379: has {gpus}, and these runs train on CPUs; give --device cuda to train on the GPUs"
    assert told.lines == ([expected] if said else [])


@pytest.mark.parametrize("address", [None, "local"])
def test_cuda_runs_for_a_ray_started_here_without_cuda_are_refused_in_the_dry_run_too(tmp_path, monkeypatch, address):
    """Under Ray, --device cuda needs no GPU on the driver, but a Ray that ganbench starts here
    has none where this machine has no CUDA: refused at once (exit 2), nothing written."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    options = ["--executor", "ray", "--device", "cuda", *(["--address", address] if address else [])]
    for dry in (["--dry-run"], []):
        result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--out", str(tmp_path / "out"), *options, *dry])
        assert result.exit_code == 2, result.output
        assert "error: --device cuda: CUDA is not available on this machine, so the Ray that ganbench starts here" in (
            " ".join(result.output.split())
        )
    assert not (tmp_path / "out").exists()


class _RayTakingTasks(_RayFound):
    """A Ray that takes the runs' tasks: records each task's arguments, and each task returns
    ``outcome`` at once without training."""

    def __init__(self, resources, outcome):
        super().__init__(resources)
        self.outcome, self.tasks = outcome, []

    def remote(self, **_options):
        ray = self

        class Task:
            def options(self, **_options):
                return self

            def remote(self, *args):
                ray.tasks.append(args)
                return len(ray.tasks) - 1

        return lambda fn: Task()

    def wait(self, refs, num_returns, timeout):
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref):
        return dict(self.outcome)


def test_a_tasks_paths_are_absolute_as_the_driver_resolves_them(tmp_path, monkeypatch):
    """A task may run where the working directory is another: --out, its run directory and
    --data-dir reach it as the driver resolves them."""
    from gan_bench.suite.plan import plan_suite

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    ray = _RayTakingTasks({"CPU": 2.0}, {"status": "trained", "summary": "20 steps"})
    monkeypatch.setattr(ray_cluster, "import_ray", lambda: ray)
    specs = plan_suite("smoke", recipes=["tf-mlp"], out=Path("out"), device="cpu").specs
    with ray_cluster.connected(specs, None, Reporter()) as connection:
        [done] = ray_cluster.run_all(specs, Path("out"), False, Reporter(), connection, data_dir=Path("data"))
    [(_, out, run, data_dir, _)] = ray.tasks
    assert (out, run, data_dir) == (
        str(tmp_path / "out"),
        str(tmp_path / "out" / "tf-mlp" / "seed-0"),
        str(tmp_path / "data"),
    )
    assert (done.status, done.summary) == ("trained", "20 steps")


@pytest.mark.parametrize("given", ["out", "."])
def test_a_tasks_lines_name_the_runs_files_below_out_as_given(tmp_path, monkeypatch, given):
    """The task names them below the resolved --out; the driver shows them as a run here does."""
    from gan_bench.suite.plan import plan_suite

    class Told(_Told):
        def runs_dispatched(self, label, runs):
            self.lines.append(label)

    monkeypatch.chdir(tmp_path)
    root = tmp_path / given / "tf-mlp" / "seed-0"
    said = [f"tf-mlp seed 0: complete in {root.resolve()}, skipped", f"{root.resolve() / 'metrics.json'}: invalid"]
    ray = _RayTakingTasks({"CPU": 2.0}, {"status": "skipped (complete)", "summary": "", "said": said})
    monkeypatch.setattr(ray_cluster, "import_ray", lambda: ray)
    specs = plan_suite("smoke", recipes=["tf-mlp"], out=Path(given), device="cpu").specs
    told = Told()
    with ray_cluster.connected(specs, None, told) as connection:
        ray_cluster.run_all(specs, Path(given), True, told, connection)
    shown = str(Path(given) / "tf-mlp" / "seed-0")
    assert told.lines == [
        "1 run on Ray",
        f"tf-mlp seed 0: complete in {shown}, skipped",
        f"{Path(shown) / 'metrics.json'}: invalid",
    ]


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_without_ray_installed_the_run_is_refused_before_anything_is_written(tmp_path, monkeypatch, dry_run):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError, as where it is not installed
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--executor", "ray", "--out", str(out), *dry_run])
    assert result.exit_code == 2, result.output
    assert "error: --executor ray needs Ray: pip install 'ganbench[ray]'" in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(
    ("options", "resources", "said"),
    [
        (["--device", "cpu"], {"CPU": 64.0, "GPU": 8.0}, ["1 node, CPU 64, GPU 8; each run's task asks for 1 CPU"]),
        (
            [],  # auto, on a driver without CUDA: the CPU, and the cluster's GPUs pointed out
            {"CPU": 64.0, "GPU": 8.0},
            [
                "has 8 GPUs, and these runs train on CPUs; give --device cuda to train on the GPUs",
                "1 node, CPU 64, GPU 8; each run's task asks for 1 CPU",
            ],
        ),
        (
            ["--device", "cuda", "--runs-per-gpu", "4"],
            {"CPU": 64.0},
            [
                "each run's task asks for 0.25 GPU, and the cluster has CPU 64; the runs will wait until a node that "
                "has it joins (Ctrl-C stops them)",
                "1 node, CPU 64; each run's task asks for 0.25 GPU",
            ],
        ),
    ],
)
def test_a_dry_run_joins_the_cluster_and_says_what_it_has_for_the_runs(
    tmp_path, monkeypatch, listening, options, resources, said
):
    """With a cluster's address, the dry run joins it, says what its nodes have and what each task
    asks, and what the real run would warn of; then it leaves, having written nothing."""
    found = _RayFound(resources)
    monkeypatch.setattr(ray_address, "import_ray", lambda: found)
    monkeypatch.setattr(ray_cluster, "import_ray", lambda: found)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["run", "--suite", "smoke", "--executor", "ray", "--address", listening, "--out", str(out), "--dry-run"]
        + options,
    )
    assert result.exit_code == 0, result.output
    shown = [" ".join(line.split()) for line in result.output.splitlines()]
    cluster = f"the Ray cluster at {listening}: "
    assert [line.removeprefix(cluster) for line in shown if line.startswith(cluster)] == said
    assert found.calls == [("init", listening), ("shutdown", None)]
    assert not out.exists()


def test_a_dry_run_starts_no_ray_of_its_own(tmp_path, monkeypatch):
    """Without an address, the real run starts a Ray on this machine (seconds); the dry run does not."""
    import gan_bench as gb

    found = _RayFound({"CPU": 2.0})
    monkeypatch.setattr(ray_address, "import_ray", lambda: found)
    monkeypatch.setattr(ray_cluster, "import_ray", lambda: found)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    for address in (None, "local"):
        plan = gb.plan("smoke", out=tmp_path / "out", executor="ray", address=address, device="cpu")
        assert gb.check_cluster(plan) is None
    assert gb.check_cluster(gb.plan("smoke", out=tmp_path / "out", device="cpu")) is None  # the local executor
    assert found.calls == []
