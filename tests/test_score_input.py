"""`ganbench score --input`: samples made elsewhere (image folders, arrays, TorchScript and
torch.export generators)
scored under the same protocols, with strict validation; and the sanity checks that prove the
scoring honest (the test split against itself, train against test, one class)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.data import catalogue
from gan_bench.reporting import render

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def mnist():
    return catalogue.load("mnist")


def write_pngs(folder, images, mode="L"):
    folder.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        Image.fromarray(image, mode="L").convert(mode).save(folder / f"{i:05d}.png")
    return folder


class Affine(torch.nn.Module):
    """A tiny generator z -> [N, 1, 28, 28] through tanh."""

    def __init__(self, z_dim: int, scale: float = 1.0, flat: bool = False):
        super().__init__()
        self.fc = torch.nn.Linear(z_dim, 784)
        self.scale, self.flat = scale, flat

    def forward(self, z):
        x = torch.tanh(self.fc(z)) * self.scale
        return x if self.flat else x.view(-1, 1, 28, 28)


class SpatialOnly(torch.nn.Module):
    """A DCGAN-style generator that takes z of [N, z_dim, 1, 1] only, as the PyTorch DCGAN tutorial draws it."""

    def __init__(self, flat: Affine):
        super().__init__()
        self.flat = flat

    def forward(self, z):
        if z.dim() != 4:
            raise ValueError(f"expected z of [N, z_dim, 1, 1], got {list(z.shape)}")
        return self.flat(z.flatten(1))


class ByIndex(torch.nn.Module):
    """A conditional generator G(z, y), y class indices: the image of class y it holds, in [-1, 1]."""

    def __init__(self, images: torch.Tensor):
        super().__init__()
        self.register_buffer("images", images.float() / 127.5 - 1)

    def forward(self, z, y):
        return self.images[y].unsqueeze(1) + 0.0 * z[:, :1, None, None]


class ByOneHot(ByIndex):
    """The same, y one-hot [N, 10]."""

    def forward(self, z, y):
        return (y @ self.images.flatten(1)).view(-1, 1, 28, 28) + 0.0 * z[:, :1, None, None]


def scripted(tmp_path, module, name="g.pt"):
    path = tmp_path / name
    torch.jit.save(torch.jit.script(module), str(path))
    return path


# -- what is accepted, and what is recorded --------------------------------------------------
@pytest.mark.slow  # seconds of scoring: out of the fast loop
def test_an_image_folder_scores_into_a_run_like_folder_that_report_and_check_read(tmp_path, mnist):
    rgb = write_pngs(tmp_path / "imgs", mnist.test_images[:60].numpy(), mode="RGB")  # gray saved as RGB
    result = invoke("score", "--input", rgb, "--dataset", "mnist", "--out", tmp_path / "scored", "--name", "mine")
    assert result.exit_code == 0, result.output
    spec = json.loads((tmp_path / "scored" / "spec.json").read_text())
    metrics = json.loads((tmp_path / "scored" / "metrics.json").read_text())
    assert spec["kind"] == "samples" and spec["input"]["kind"] == "image folder"
    assert spec["input"]["shape"] == [60, 1, 28, 28] and spec["input"]["channels_merged"] is True
    assert spec["input"]["value_range"] == [0, 255] and len(spec["input"]["sha256"]) == 64
    assert metrics["input"] == spec["input"] and metrics["spec_hash"] == spec["spec_hash"]
    assert "fid_lenet_60_test" in metrics["metrics"] and metrics["recipe"] == "mine"
    df = gb.report([tmp_path / "scored"])
    assert df["recipe"].tolist() == ["mine"] and df["fid_lenet_60_test"].notna().all()
    suite = tmp_path / "gate.toml"
    suite.write_text(
        'name = "gate"\ndataset = "mnist"\nscored = ["mine"]\n'
        '[thresholds.full."mine"]\nmodes_covered = { min = 5 }\nprecision_lenet_60_test = { min = 0.5 }\n'
    )
    assert invoke("check", tmp_path / "scored", "--suite", suite).exit_code == 0
    page = invoke("report", tmp_path / "scored", "--out", tmp_path / "report.html")  # used to read a history
    assert page.exit_code == 0, page.output
    html = (tmp_path / "report.html").read_text()
    assert "Verdicts" in html and "Loss curves" not in html  # no history to draw
    assert 'alt="mine (seed 0, scored samples)"' in html  # the first 64 (here 60) images, 8 to a row
    with Image.open(tmp_path / "scored" / "scored-samples.png") as grid:
        assert grid.size == (8 * 30 + 2, 8 * 30 + 2)  # 28 px and 2 px of padding each
        assert np.array_equal(np.asarray(grid.convert("L"))[2:30, 32:60], mnist.test_images[1].numpy())
    again = invoke("score", tmp_path / "scored")
    assert again.exit_code == 2 and "holds samples scored with --input" in again.output


@pytest.mark.slow
def test_arrays_in_every_layout_score_the_same(tmp_path, mnist):
    x = mnist.test_images[:40].numpy()
    np.save(tmp_path / "nhw.npy", x)
    np.save(tmp_path / "nhwc.npy", x[..., None])
    np.savez(tmp_path / "nchw.npz", images=x[:, None], labels=np.zeros(40))
    values = []
    for name in ("nhw.npy", "nhwc.npy", "nchw.npz"):
        folder, result = gb.score_samples(tmp_path / name, "mnist", out=tmp_path / name.replace(".", "-"), device="cpu")
        assert result["input"]["shape"] == [40, 1, 28, 28]
        values.append(result["metrics"]["fid_lenet_40_test"]["value"])
    assert values[0] == values[1] == values[2]
    _, first = gb.score_samples(tmp_path / "nhw.npy", "mnist", out=tmp_path / "first", samples=20, device="cpu")
    assert first["input"]["shape"] == [20, 1, 28, 28] and "fid_lenet_20_test" in first["metrics"]


@pytest.mark.slow  # four scorings; keeps the fast loop under 3 minutes
def test_a_torchscript_generator_is_drawn_from_a_fixed_z_stream(tmp_path):
    torch.manual_seed(0)
    path = scripted(tmp_path, Affine(16))
    args = ("score", "--input", path, "--dataset", "mnist", "--z-dim", 16, "--samples", 50)
    assert invoke(*args, "--out", tmp_path / "a").exit_code == 0
    assert invoke(*args, "--out", tmp_path / "b").exit_code == 0
    a, b = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in "ab")
    assert a["metrics"] == b["metrics"]
    info = a["input"]
    assert info["kind"] == "TorchScript generator" and info["z_dim"] == 16 and info["z_dist"] == "N(0, 1)"
    assert info["output_range_assumed"] == [-1.0, 1.0] and -1 <= info["output_range"][0] < 0
    flat = scripted(tmp_path, Affine(8, scale=0.5, flat=True), "flat.pt")
    result = invoke("score", "--input", flat, "--dataset", "mnist", "--z-dim", 8, "--z-dist", "uniform",
                    "--samples", 30, "--out", tmp_path / "c")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "c" / "spec.json").read_text())["input"]["shape"] == [30, 1, 28, 28]


@pytest.mark.slow  # three scorings
def test_samples_given_as_an_array_score_as_their_npy_file_does(tmp_path, mnist):
    images = mnist.test_images[:60]  # a uint8 tensor [60, 28, 28]
    np.save(tmp_path / "x.npy", images.numpy())
    common = {"name": "mem", "device": "cpu", "samples": 50}
    _, tensor = gb.score_samples(images, "mnist", out=tmp_path / "tensor", **common)
    _, array = gb.score_samples(images.numpy(), "mnist", out=tmp_path / "array", **common)
    _, file = gb.score_samples(tmp_path / "x.npy", "mnist", out=tmp_path / "file", **common)
    assert tensor["metrics"] == array["metrics"] == file["metrics"]
    assert tensor["protocol"]["samples"] == 50 and "fid_lenet_50_test" in tensor["metrics"]
    assert tensor["input"]["kind"] == "in-memory array" and "path" not in tensor["input"]
    assert tensor["input"]["sha256"] == array["input"]["sha256"] != file["input"]["sha256"]
    assert tensor["input"]["array_shape"] == [60, 28, 28] and tensor["input"]["shape"] == [50, 1, 28, 28]
    assert list(gb.report([tmp_path / "tensor"])["recipe"]) == ["mem"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"input": "floats"},
            "the samples given: dtype torch.float32; expected uint8 pixels 0–255 (these floats span [0, 1]: "
            "(x * 255).round().to(torch.uint8))",
        ),
        (
            {"input": "tanh"},
            "the samples given: dtype torch.float32; expected uint8 pixels 0–255 (these floats span [-1, 1], as a "
            "tanh output does: ((x + 1) * 127.5).round().to(torch.uint8))",
        ),
        (
            {"input": "float array"},
            "the samples given: dtype float32; expected uint8 pixels 0–255 (these floats span [0, 1]: "
            "(x * 255).round().astype(np.uint8))",
        ),
        (
            {"input": "wide"},
            "the samples given: dtype float64; expected uint8 pixels 0–255 (these floats span [-255, 255]: scale "
            "them to 0–255, then (...).round().astype(np.uint8))",
        ),
        ({"input": "bfloat16"}, "the samples given: dtype torch.bfloat16; expected uint8 pixels 0–255"),
        (
            {"input": "ints"},
            "the samples given: dtype int64; expected uint8 pixels 0–255 (these integers span [0, 255], pixels "
            "already: x.astype(np.uint8))",
        ),
        (
            {"input": "int tensor"},
            "the samples given: dtype torch.int32; expected uint8 pixels 0–255 (these integers span [0, 510]: "
            "scale them to 0–255, then (...).to(torch.uint8))",
        ),
        ({"name": None}, "name: samples given as an array need a name"),
        ({"z_dim": 8}, "z_dim and z_dist apply to a generator, not to samples given as an array"),
        ({"samples": 61}, "samples: 61 asked, but the array holds 60"),
        ({"input": "small"}, "the samples given: shape (60, 14, 14) fits none of N×28×28"),
    ],
    ids=[
        *("floats", "tanh", "float array", "wide", "bfloat16", "ints", "int tensor"),
        *("no name", "z_dim", "too many", "wrong size"),
    ],
)
def test_samples_given_as_an_array_are_checked_before_anything_is_written(tmp_path, mnist, given, message):
    images = mnist.test_images[:60]
    floats = images.float() / 255
    inputs = {
        "floats": floats,
        "bfloat16": floats.bfloat16(),
        "float array": floats.numpy(),
        "tanh": floats * 2 - 1,
        "wide": (floats.double() * 2 - 1).numpy() * 255,
        "ints": images.long().numpy(),
        "int tensor": images.int() * 2,
        "small": images[:, ::2, ::2].numpy(),
    }
    options = {"name": "mem", "out": tmp_path / "o", "device": "cpu", **given}
    options["input"] = inputs.get(options.get("input"), images)
    with pytest.raises(gb.UserError) as caught:
        gb.score_samples(dataset="mnist", **options)
    assert message in str(caught.value)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow  # two scorings
def test_a_generator_module_scores_as_its_torchscript_file_does(tmp_path):
    torch.manual_seed(0)
    G = Affine(16).train()
    path = scripted(tmp_path, G)
    _, module = gb.score_samples(G, "mnist", name="mine", z_dim=16, samples=50, out=tmp_path / "m", device="cpu")
    _, file = gb.score_samples(path, "mnist", z_dim=16, samples=50, out=tmp_path / "f", device="cpu")
    assert module["metrics"] == file["metrics"] and "fid_lenet_50_test" in module["metrics"]
    assert G.training  # scored in eval mode, then given back as it came
    info = module["input"]
    assert info["kind"] == "in-memory generator" and info["class"] == "Affine" and "path" not in info
    assert info["z_dim"] == 16 and info["z_dist"] == "N(0, 1)" and len(info["sha256"]) == 64
    assert list(gb.report([tmp_path / "m"])["recipe"]) == ["mine"]


def test_a_generator_of_spatial_z_is_called_on_n_z_1_1_and_draws_the_same_images(tmp_path):
    """The same z values reach both generators, so the samples are the same bits; the shape is recorded."""
    from gan_bench.scoring import sample_format, sample_generators, sample_inputs

    torch.manual_seed(0)
    flat = Affine(16)
    want = sample_format.Expected("mnist", 1, 28)
    plain = sample_inputs.read(scripted(tmp_path, flat), want, 30, 16, None, torch.device("cpu"))
    spatial = sample_inputs.read(scripted(tmp_path, SpatialOnly(flat), "s.pt"), want, 30, 16, None, torch.device("cpu"))
    assert torch.equal(plain.images, spatial.images)
    assert spatial.info["z_shape"] == ["N", 16, 1, 1] and "z_shape" not in plain.info
    in_memory = sample_generators.read_module(SpatialOnly(flat), want, 30, 16, "normal")
    assert torch.equal(in_memory.images, plain.images) and in_memory.info["z_shape"] == ["N", 16, 1, 1]


def test_a_generator_that_takes_neither_z_shape_names_both_failures(tmp_path):
    path = scripted(tmp_path, SpatialOnly(Affine(16)))
    result = invoke("score", "--input", path, "--dataset", "mnist", "--z-dim", 8, "--out", tmp_path / "o")
    assert result.exit_code == 2, result.output
    assert (
        f"{path}: calling it on z of shape [1000, 8] failed: builtins.ValueError: expected z of [N, z_dim, 1, 1], got "
        "[1000, 8]; and on z of shape [1000, 8, 1, 1] failed: RuntimeError: mat1 and mat2 shapes cannot be multiplied"
    ) in " ".join(result.output.split())
    assert not (tmp_path / "o").exists()


def test_a_generator_module_is_read_as_its_torchscript_file_and_keeps_its_mode(tmp_path):
    from gan_bench.scoring import sample_format, sample_generators

    torch.manual_seed(0)
    G = torch.nn.Sequential(Affine(8), torch.nn.Dropout(0.5)).train()  # dropout: eval mode matters
    G[0].eval()  # a part the user keeps in eval mode stays there
    want = sample_format.Expected("mnist", 1, 28)
    read = sample_generators.read_module(G, want, 30, 8, "uniform")
    assert [m.training for m in G.modules()] == [True, False, False, True]  # G, Affine, its Linear, Dropout
    path = scripted(tmp_path, G)
    assert torch.equal(
        read.images, sample_generators.read_generator(path, want, 30, 8, "uniform", torch.device("cpu")).images
    )
    assert read.info["sha256"] == sample_generators.weights_sha256(G)
    with torch.no_grad():
        G[0].fc.bias[0] += 1e-3
    assert sample_generators.weights_sha256(G) != read.info["sha256"]
    with pytest.raises(gb.UserError, match=r"the generator given: calling it on z of shape \[30, 5\] failed"):
        sample_generators.read_module(G, want, 30, 5, "normal")
    assert G.training  # restored after a failure too


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"name": None}, "name: a generator module needs a name"),
        ({"z_dim": None}, "z_dim: a generator module needs its noise size, a positive integer (got None)"),
        ({"z_dim": 0}, "z_dim: a generator module needs its noise size, a positive integer (got 0)"),
        ({"z_dist": "cauchy"}, "z_dist: unknown distribution 'cauchy'; valid: normal, uniform"),
        ({"z_dim": 5}, "the generator given: calling it on z of shape [100, 5] failed"),
    ],
    ids=["no name", "no z_dim", "z_dim 0", "z_dist", "z_dim wrong"],
)
def test_a_generator_module_is_checked_before_anything_is_written(tmp_path, given, message):
    options = {"name": "mine", "z_dim": 8, "samples": 100, "out": tmp_path / "o", **given}
    with pytest.raises(gb.UserError) as caught:
        gb.score_samples(Affine(8), "mnist", **options)
    assert message in str(caught.value)
    assert not (tmp_path / "o").exists()


class WithFeatures(torch.nn.Module):
    """Returns (images, features), as generators that expose an inner layer do."""

    def __init__(self):
        super().__init__()
        self.inner = Affine(8)

    def forward(self, z):
        x = self.inner(z)
        return x, x.flatten(1)


class Quantised(torch.nn.Module):
    def forward(self, z):
        return torch.zeros(len(z), 1, 28, 28, dtype=torch.uint8)


@pytest.mark.parametrize(
    ("G", "message"),
    [
        (
            WithFeatures(),
            "the generator given: returned a tuple of 2 outputs; expected a float tensor of images: give a "
            "generator whose output is the images alone (a small module whose forward calls yours and picks them out)",
        ),
        (Quantised(), "the generator given: returned a torch.uint8 tensor; expected a float tensor of images"),
    ],
    ids=["tuple", "uint8"],
)
def test_a_generator_that_returns_no_float_images_says_what_it_returned(tmp_path, G, message):
    with pytest.raises(gb.UserError) as caught:
        gb.score_samples(G, "mnist", name="mine", z_dim=8, samples=100, out=tmp_path / "o")
    assert message in str(caught.value)
    assert not (tmp_path / "o").exists()


class GradRecorder(Affine):
    """Records whether autograd was on when it was called."""

    def forward(self, z):
        self.grad_enabled = torch.is_grad_enabled()
        return super().forward(z)


def test_a_generator_is_drawn_without_autograd():
    from gan_bench.scoring import sample_format, sample_generators

    G = GradRecorder(8)
    sample_generators.read_module(G, sample_format.Expected("mnist", 1, 28), 30, 8, "normal")
    assert G.grad_enabled is False  # no graph kept for 10,000 samples


class Spatial(torch.nn.Module):
    """A DCGAN-shaped generator: z [N, z_dim, 1, 1] (or [N, z_dim]) -> [N, 1, 28, 28] in [-1, 1]."""

    def __init__(self, z_dim: int):
        super().__init__()
        self.fc = torch.nn.Linear(z_dim, 784)

    def forward(self, z):
        return torch.tanh(self.fc(z.flatten(1))).view(-1, 1, 28, 28)


def exported(tmp_path, module, example, name="g.pt2", dynamic=False):
    shapes = {"z": {0: torch.export.Dim("batch")}} if dynamic else None
    path = tmp_path / name
    torch.export.save(torch.export.export(module.eval(), (example,), dynamic_shapes=shapes), str(path))
    return path


@pytest.mark.slow  # each torch.export takes seconds
def test_an_exported_generator_scores_as_its_torchscript_twin_with_z_size_and_batch_from_the_program(tmp_path):
    torch.manual_seed(0)
    G = Spatial(8)
    twin = scripted(tmp_path, G, "twin.pt")
    static = exported(tmp_path, G, torch.zeros(64, 8, 1, 1), "static.pt2")  # takes batches of 64 only
    dynamic = exported(tmp_path, G, torch.zeros(4, 8), "dynamic.pt2", dynamic=True)
    common = ("score", "--dataset", "mnist", "--samples", 130)  # 130 = 2 × 64 + 2: a padded last batch
    assert invoke(*common, "--input", twin, "--z-dim", 8, "--out", tmp_path / "twin").exit_code == 0
    for name, path in (("static", static), ("dynamic", dynamic)):
        result = invoke(*common, "--input", path, "--out", tmp_path / name)  # no --z-dim: read from the program
        assert result.exit_code == 0, result.output
    twin_m, static_m, dynamic_m = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in
                                   ("twin", "static", "dynamic"))  # fmt: skip
    assert static_m["metrics"] == twin_m["metrics"] == dynamic_m["metrics"]
    info = static_m["input"]
    assert info["kind"] == "torch.export generator" and info["z_dim"] == 8 and info["export_batch"] == 64
    assert info["z_shape"] == ["N", 8, 1, 1] and info["output_range"] == twin_m["input"]["output_range"]
    assert "export_batch" not in dynamic_m["input"] and "z_shape" not in dynamic_m["input"]
    assert json.loads((tmp_path / "static" / "spec.json").read_text())["input"]["shape"] == [130, 1, 28, 28]


class TwoInputs(torch.nn.Module):
    def forward(self, z, labels):
        return torch.tanh(z[:, :1]).expand(-1, 784).reshape(-1, 1, 28, 28) + 0 * labels[:, None, None, None]


@pytest.mark.slow  # each torch.export takes seconds
def test_an_exported_generator_that_ganbench_cannot_call_exits_2_naming_why(tmp_path):
    gen = exported(tmp_path, Spatial(8), torch.zeros(16, 8))
    two = tmp_path / "two.pt2"
    torch.export.save(torch.export.export(TwoInputs(), (torch.zeros(4, 8), torch.zeros(4))), str(two))
    (tmp_path / "broken.pt2").write_bytes(b"PK not an archive")
    cases = [
        ([gen, "--z-dim", 5], f"--z-dim: 5 given, but {gen} takes z of size 8; leave --z-dim out"),
        ([two], "ganbench calls a generator with one z of shape [B, z_dim] or [B, z_dim, 1, 1]"),
        ([tmp_path / "broken.pt2"], "not a torch.export program (save one with torch.export.save)"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["score", "--dataset", "mnist", "--out", str(tmp_path / "o"), "--input",
                                     *map(str, args)])  # fmt: skip
        assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
        assert not (tmp_path / "o").exists()


def test_a_damaged_export_archive_is_one_message_and_no_torch_log(tmp_path, capfd):
    (tmp_path / "broken.pt2").write_bytes(b"garbage")
    result = invoke("score", "--input", tmp_path / "broken.pt2", "--dataset", "mnist", "--out", tmp_path / "o")
    logged = result.output + "".join(capfd.readouterr())  # torch's log handler writes to sys.stderr
    assert result.exit_code == 2 and "broken.pt2: not a torch.export program" in result.output
    assert "Traceback" not in logged and "PytorchStreamReader" not in logged, logged


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "matplotlib"])
def test_an_opaque_alpha_channel_is_dropped_and_recorded(tmp_path, mnist, mode):
    """Gray digits saved with an alpha channel that is 255 everywhere (matplotlib's imsave writes
    RGBA), or as a palette, are read as the gray images they are."""
    from gan_bench.scoring import sample_files, sample_format

    x = mnist.test_images[:12].numpy()
    if mode == "matplotlib":
        import matplotlib.pyplot as plt

        (tmp_path / "imgs").mkdir()
        for i, image in enumerate(x):
            plt.imsave(tmp_path / "imgs" / f"{i:05d}.png", image, cmap="gray", vmin=0, vmax=255)
        x = np.stack([np.asarray(Image.open(tmp_path / "imgs" / f"{i:05d}.png"))[..., 0] for i in range(12)])
    else:
        write_pngs(tmp_path / "imgs", x, mode=mode)
    read = sample_files.read_folder(tmp_path / "imgs", sample_format.Expected("mnist", 1, 28))
    assert torch.equal(read.images, torch.from_numpy(x)[:, None])
    assert read.info["alpha_dropped"] is True  # a palette is read as RGBA: opaque unless it says otherwise
    assert read.info.get("channels_merged") is (None if mode == "LA" else True)


def test_hidden_files_and_folders_among_sample_images_are_left_out(tmp_path, mnist):
    """A notebook's .ipynb_checkpoints/ copies and macOS's ._name.png companions are no samples."""
    from gan_bench.scoring import sample_files, sample_format

    x = mnist.test_images[:12].numpy()
    write_pngs(tmp_path / "imgs", x)
    write_pngs(tmp_path / "imgs" / ".ipynb_checkpoints", x[:3])
    (tmp_path / "imgs" / "._00001.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    read = sample_files.read_folder(tmp_path / "imgs", sample_format.Expected("mnist", 1, 28))
    assert torch.equal(read.images, torch.from_numpy(x)[:, None]) and read.info["files"] == 12


def test_an_array_with_alpha_is_read_when_opaque_and_refused_when_not(mnist):
    from gan_bench.errors import DataError
    from gan_bench.scoring import sample_files, sample_format

    gray = mnist.test_images[:12].numpy()
    rgba = np.stack([gray, gray, gray, np.full_like(gray, 255)], axis=-1)  # N×28×28×4
    read = sample_files.read_memory(rgba, sample_format.Expected("mnist", 1, 28))
    assert torch.equal(read.images, torch.from_numpy(gray)[:, None])
    assert read.info["alpha_dropped"] is True and read.info["channels_merged"] is True
    rgba[3, 5, 5, 3] = 254
    with pytest.raises(DataError, match="4 channels, with alpha that is not fully opaque; mnist images are 28×28"):
        sample_files.read_memory(rgba, sample_format.Expected("mnist", 1, 28))


# -- bad input: exit 2, one message, nothing written -------------------------------------------
def _bad_inputs(tmp_path, mnist):
    x = mnist.test_images[:40].numpy()
    cases = {}
    np.save(tmp_path / "float.npy", x.astype(np.float32) / 255)
    cases["float"] = (["--input", tmp_path / "float.npy"], "dtype float32; expected uint8 pixels 0–255")
    np.save(tmp_path / "size.npy", np.zeros((40, 32, 32), np.uint8))
    cases["size"] = (["--input", tmp_path / "size.npy"], "fits none of N×28×28")
    np.save(tmp_path / "rgb.npy", np.random.default_rng(0).integers(0, 255, (40, 28, 28, 3), dtype=np.uint8))
    cases["channels"] = (["--input", tmp_path / "rgb.npy"], "3 channels (RGB with differing channels); mnist images")
    np.save(tmp_path / "few.npy", x[:5])
    cases["few"] = (["--input", tmp_path / "few.npy"], "5 samples; the metrics need at least 10")
    cases["more"] = (["--input", tmp_path / "few.npy", "--samples", 20], "--samples: 20 asked, but")
    cases["min"] = (["--input", tmp_path / "few.npy", "--samples", 3], "--samples: 3 is too few")
    np.savez(tmp_path / "two.npz", a=x, b=x)
    cases["npz"] = (["--input", tmp_path / "two.npz"], "holds arrays ['a', 'b']; expected one array")
    (tmp_path / "broken.npy").write_bytes(b"not an array")
    cases["corrupt"] = (
        ["--input", tmp_path / "broken.npy"],
        "broken.npy: not a readable .npy array (it does not begin as np.save or np.savez write a file)",
    )
    (tmp_path / "cut.npz").write_bytes((tmp_path / "two.npz").read_bytes()[:100])
    cases["cut npz"] = (["--input", tmp_path / "cut.npz"], "cut.npz: not a readable .npz array (")
    mixed = write_pngs(tmp_path / "mixed", x[:3])
    Image.new("L", (32, 32)).save(mixed / "00009.png")
    cases["mixed"] = (["--input", mixed], "00009.png: 32×32 with 1 channel, but 00000.png is 28×28 with 1; every image")
    (tmp_path / "empty").mkdir()
    cases["empty"] = (["--input", tmp_path / "empty"], "holds no PNG or JPEG images")
    bad_png = write_pngs(tmp_path / "badpng", x[:3])
    (bad_png / "00001.png").write_bytes(b"\x89PNG garbage")
    cases["bad png"] = (["--input", bad_png], "00001.png: not a readable PNG or JPEG image")
    see_through = write_pngs(tmp_path / "alpha", x[:12], mode="LA")
    Image.fromarray(np.stack([x[0], np.full_like(x[0], 128)], axis=-1), mode="LA").save(see_through / "00000.png")
    cases["alpha"] = (["--input", see_through], "alpha: 2 channels, with alpha that is not fully opaque; mnist")
    gen = scripted(tmp_path, Affine(4, scale=3.0))
    cases["range"] = (["--input", gen, "--z-dim", 4], "outputs span [")
    cases["no z"] = (["--input", gen], "--z-dim: a TorchScript generator needs its noise size")
    cases["z on array"] = (["--input", tmp_path / "float.npy", "--z-dim", 4], "apply to a generator (.pt, .pth")
    cases["z wrong"] = (["--input", gen, "--z-dim", 5], "calling it on z of shape [1000, 5] failed")
    torch.save(Affine(4).state_dict(), tmp_path / "weights.pt")
    pickled = "a torch.save file (a state dict or a pickled module), which ganbench does not unpickle; save the"
    cases["state dict"] = (["--input", tmp_path / "weights.pt", "--z-dim", 4], pickled)
    torch.save(Affine(4), tmp_path / "module.pth")
    cases["pickled module"] = (["--input", tmp_path / "module.pth"], pickled)  # named before --z-dim is asked for
    (tmp_path / "junk.ts").write_bytes(b"not a zip")
    cases["not a zip"] = (["--input", tmp_path / "junk.ts", "--z-dim", 4], "not a TorchScript file (those are zip")
    cases["dataset"] = (
        ["--input", tmp_path / "few.npy", "--dataset", "cifar10"],
        "samples are not scored against 'cifar10'; valid: mnist, fashion-mnist, stacked-mnist, ring, grid, "
        "edges2digits, edges2fashion, digits2bold",
    )
    cases["recipe name"] = (
        ["--input", tmp_path / "few.npy", "--name", "dcgan"],
        "--name: 'dcgan' is a recipe's name, and reports and checks would count these samples among its runs; "
        "give them a name of their own, such as dcgan-samples",
    )
    cases["missing"] = (["--input", tmp_path / "nope.npy"], "does not exist")
    (tmp_path / "notes.txt").write_text("hello")
    cases["suffix"] = (["--input", tmp_path / "notes.txt"], "neither a folder of images nor a file ending in")
    return cases


CASES = [
    "float", "size", "channels", "few", "more", "min", "npz", "corrupt", "cut npz", "mixed", "empty", "bad png", "alpha",
    "range", "no z", "z on array", "z wrong", "state dict", "pickled module", "not a zip", "dataset", "missing",
    "suffix", "recipe name",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_with_one_message_and_writes_nothing(tmp_path, mnist, case):
    args, words = _bad_inputs(tmp_path, mnist)[case]
    if "--dataset" not in args:
        args = [*args, "--dataset", "mnist"]
    result = invoke("score", *args, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert result.output.count("error:") == 1
    assert not (tmp_path / "out").exists()


def test_an_existing_result_is_never_overwritten(tmp_path, mnist):
    np.save(tmp_path / "x.npy", mnist.test_images[:20].numpy())
    out = tmp_path / "out"
    out.mkdir()
    (out / "metrics.json").write_text("{}")
    result = invoke("score", "--input", tmp_path / "x.npy", "--dataset", "mnist", "--out", out)
    assert result.exit_code == 2 and "is not empty" in result.output
    assert (out / "metrics.json").read_text() == "{}"
    assert (
        invoke(
            "score", "--input", tmp_path / "x.npy", "--dataset", "mnist", "--out", out / "metrics.json" / "x"
        ).exit_code
        == 2
    )
    both = invoke("score", tmp_path, "--input", tmp_path / "x.npy", "--dataset", "mnist")
    assert both.exit_code == 2 and "not both" in both.output
    assert "--dataset" in invoke("score", "--input", tmp_path / "x.npy").output


def test_scored_samples_never_go_inside_a_suite_folder_or_a_run(tmp_path, mnist):
    from gan_bench.rundir.identity import spec_hash

    np.save(tmp_path / "x.npy", mnist.test_images[:20].numpy())
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "suite.json").write_text(json.dumps({"name": "smoke", "suite_hash": "0" * 64}))
    run = tmp_path / "run"
    run.mkdir()
    spec = {"recipe": {"name": "tf-mlp"}, "dataset": "mnist", "seed": 0, "profile": "smoke", "device": "cpu"}
    (run / "spec.json").write_text(json.dumps({**spec, "spec_hash": spec_hash(spec)}))
    for outer, kind in ((suite, "another suite's output folder"), (run, "a run directory")):
        out = outer / "mine"
        result = invoke("score", "--input", tmp_path / "x.npy", "--dataset", "mnist", "--out", out)
        assert result.exit_code == 2, result.output
        assert f"--out: {out} lies inside {outer}, {kind}; a report of it would count these samples as its own" in (
            " ".join(result.output.split())
        )
        assert not out.exists()
    with pytest.raises(gb.RunDirError, match="lies inside"):
        gb.score_samples(mnist.test_images[:20].numpy(), "mnist", name="mine", out=suite / "mine")


# -- sanity: the scoring is honest --------------------------------------------------------------
@pytest.mark.slow
def test_sanity_test_against_test_train_against_test_and_one_class(tmp_path, mnist):
    """The MNIST test split scored as samples has FID ~0 against itself; 10,000 training images score
    a small FID (1.1; docs/extending.md states it); one class covers 1 class, high precision, low recall."""
    np.save(tmp_path / "test.npy", mnist.test_images.numpy())
    np.save(tmp_path / "train.npy", mnist.train_images[:10_000].numpy())
    threes = mnist.test_images[mnist.test_labels == 3].numpy()
    np.save(tmp_path / "threes.npy", threes)
    _, same = gb.score_samples(tmp_path / "test.npy", "mnist", out=tmp_path / "same", device="cpu")
    _, train = gb.score_samples(tmp_path / "train.npy", "mnist", out=tmp_path / "train", device="cpu")
    _, one = gb.score_samples(tmp_path / "threes.npy", "mnist", out=tmp_path / "one", device="cpu")
    m = same["metrics"]
    assert abs(m["fid_lenet_10k_test"]["value"]) < 1e-6
    assert m["precision_lenet_10k_test"]["value"] == 1.0 and m["recall_lenet_10k_test"]["value"] == 1.0
    assert same["coverage"]["modes_covered"] == 10 and same["verdict"] == "no-history"
    fid = train["metrics"]["fid_lenet_10k_test"]["value"]
    assert 0.5 < fid < 2.0  # small, and well above the self-comparison
    n = len(threes)
    assert one["coverage"]["modes_covered"] == 1 and one["coverage"]["class_histogram"][3] > 0.95 * n
    assert one["metrics"][f"precision_lenet_{n}_test"]["value"] > 0.95
    assert one["metrics"][f"recall_lenet_{n}_test"]["value"] < 0.2
    assert one["verdict"] == "mode-collapse"


def test_a_scoring_that_finishes_second_into_one_folder_is_refused_and_the_first_kept(tmp_path, mnist, monkeypatch):
    """Two `score --input ... --out X` at once both find X empty; the one that finishes second must
    not write its spec.json or metrics.json over the first's."""
    from gan_bench.scoring import score_samples as module

    out = tmp_path / "x"
    measure = module.measure_images

    def another_finishes_first(*args, **kwargs):
        measured = measure(*args, **kwargs)
        out.mkdir()
        (out / "spec.json").write_text("the first scoring's")
        return measured

    monkeypatch.setattr(module, "measure_images", another_finishes_first)
    with pytest.raises(gb.UserError, match="is not empty; scored samples go into a new or empty folder"):
        gb.score_samples(mnist.test_images[:20].numpy(), "mnist", name="late", out=out, device="cpu")
    assert sorted(p.name for p in out.iterdir()) == [".ganbench.lock", "spec.json"]  # a lock, and the first's file
    assert (out / "spec.json").read_text() == "the first scoring's"


@pytest.fixture(scope="module")
def one_per_class(mnist):
    """The first test image of each class, 0 to 9."""
    return torch.stack([mnist.test_images[(mnist.test_labels == c).nonzero()[0, 0]] for c in range(10)])


@pytest.mark.slow  # over 3 s of the fast loop
def test_a_conditional_generator_is_asked_for_balanced_classes_and_scored_on_them(tmp_path, one_per_class):
    """G(z, y) returning a real digit of class y: every sample is the class asked for, whether G takes
    y as class indices or one-hot, from a file or in memory; the labels' form is recorded."""
    results = {}
    for name, G in (("index", ByIndex(one_per_class)), ("onehot", ByOneHot(one_per_class))):
        path = scripted(tmp_path, G, f"{name}.pt")
        result = invoke("score", "--input", path, "--dataset", "mnist", "--z-dim", 4, "--conditional",
                        "--samples", 100, "--out", tmp_path / name)  # fmt: skip
        assert result.exit_code == 0, result.output
        results[name] = json.loads((tmp_path / name / "metrics.json").read_text())
    index, onehot = results["index"], results["onehot"]
    accuracy = index["metrics"]["cond_accuracy_lenet_100"]
    assert accuracy["value"] == 1.0 and accuracy["labels"] == "balanced: sample i asks for class i mod 10"
    assert index["metrics"] == onehot["metrics"] and index["coverage"]["modes_covered"] == 10
    assert index["input"]["labels"].endswith("given as class indices")
    assert onehot["input"]["labels"].endswith("given as one-hot")
    _, in_memory = gb.score_samples(
        ByOneHot(one_per_class), "mnist", name="m", z_dim=4, conditional=True, samples=100, out=tmp_path / "m"
    )
    assert in_memory["metrics"] == index["metrics"]


def test_conditional_needs_a_generator_of_labels_or_samples_saved_with_them(tmp_path, one_per_class):
    np.save(tmp_path / "x.npy", one_per_class.numpy())
    unconditional = scripted(tmp_path, Affine(4))
    cases = {
        "npy": (["--input", tmp_path / "x.npy"], "x.npy holds no arrays named 'images' and 'labels'; save the samples"),
        "unconditional": (
            ["--input", unconditional, "--z-dim", 4],
            f"{unconditional}: calling it on z of [B, 4] and [B, 4, 1, 1], with labels as class indices and as "
            "one-hot failed each time: forward() expected at most 2 argument(s) but received 3 argument(s)",
        ),
    }
    for case, (args, words) in cases.items():
        result = invoke("score", *args, "--dataset", "mnist", "--conditional", "--out", tmp_path / case)
        assert result.exit_code == 2, (case, result.output)
        assert words in " ".join(result.output.split()), case
        assert not (tmp_path / case).exists()
    with pytest.raises(gb.UserError, match="conditional: samples given as an array carry no labels"):
        gb.score_samples(one_per_class.numpy(), "mnist", name="a", conditional=True, out=tmp_path / "a")


@pytest.mark.slow  # over 3 s of the fast loop
def test_samples_saved_with_their_labels_are_scored_on_the_classes_they_were_asked_for(tmp_path, mnist):
    """An .npz of images and labels: conditional accuracy is the evaluator's accuracy on them, and
    labels that are not the images' classes score near zero."""
    from gan_bench.metrics import evaluators

    images, labels = mnist.test_images[:300], mnist.test_labels[:300]
    model, _ = evaluators.load("mnist")
    expected = evaluators.accuracy(model, images, labels)
    for name, given in (("right", labels), ("shifted", (labels + 1) % 10), ("floats", labels.double())):
        np.savez(tmp_path / f"{name}.npz", images=images.numpy(), labels=given.numpy())
        result = invoke("score", "--input", tmp_path / f"{name}.npz", "--dataset", "mnist", "--conditional",
                        "--out", tmp_path / name)  # fmt: skip
        assert result.exit_code == 0, result.output
    read = {n: json.loads((tmp_path / n / "metrics.json").read_text()) for n in ("right", "shifted", "floats")}
    entry = read["right"]["metrics"]["cond_accuracy_lenet_300"]
    assert entry["value"] == pytest.approx(expected) and expected > 0.95
    assert entry["labels"] == read["right"]["input"]["labels"] == "as given with the samples (the .npz's labels)"
    assert read["shifted"]["metrics"]["cond_accuracy_lenet_300"]["value"] < 0.05
    assert read["floats"]["metrics"] == read["right"]["metrics"]  # whole numbers stored as floats


@pytest.mark.parametrize(
    "labels, words",
    [
        (np.zeros(299, np.int64), "labels of shape (299,); expected one per sample, shape (300,)"),
        (np.full(300, 10), "labels span 10 to 10; expected classes 0 to 9"),
        (np.full(300, 0.5), "labels of dtype float64; expected whole class numbers 0 to 9"),
    ],
)
def test_labels_that_do_not_fit_the_samples_are_refused(tmp_path, mnist, labels, words):
    np.savez(tmp_path / "s.npz", images=mnist.test_images[:300].numpy(), labels=labels)
    result = invoke(
        "score", "--input", tmp_path / "s.npz", "--dataset", "mnist", "--conditional", "--out", tmp_path / "o"
    )
    assert result.exit_code == 2 and words in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.slow  # each torch.export takes a second or two
def test_an_exported_conditional_generator_scores_as_its_torchscript_twin(tmp_path, one_per_class):
    """y's form (class indices or one-hot) is read from the program; a static batch pads y too."""
    batch = torch.export.Dim("batch")
    dynamic = {"z": {0: batch}, "y": {0: batch}}
    programs = {
        "static": (ByIndex(one_per_class), torch.zeros(64, dtype=torch.long), None),  # batches of 64 only
        "index": (ByIndex(one_per_class), torch.zeros(4, dtype=torch.long), dynamic),
        "onehot": (ByOneHot(one_per_class), torch.zeros(4, 10), dynamic),
    }
    common = ("score", "--dataset", "mnist", "--conditional", "--samples", 130)  # 2 × 64 + 2: a padded last batch
    twin = scripted(tmp_path, ByIndex(one_per_class), "twin.pt")
    assert invoke(*common, "--input", twin, "--z-dim", 4, "--out", tmp_path / "twin").exit_code == 0
    expected = json.loads((tmp_path / "twin" / "metrics.json").read_text())["metrics"]
    for name, (G, y, shapes) in programs.items():
        z = torch.zeros(len(y), 4)
        path = tmp_path / f"{name}.pt2"
        torch.export.save(torch.export.export(G.eval(), (z, y), dynamic_shapes=shapes), str(path))
        result = invoke(*common, "--input", path, "--out", tmp_path / name)
        assert result.exit_code == 0, (name, result.output)
        scored = json.loads((tmp_path / name / "metrics.json").read_text())
        assert scored["metrics"] == expected, name
        assert scored["input"]["labels"].endswith("one-hot" if name == "onehot" else "class indices")
    unconditional = tmp_path / "z-only.pt2"
    torch.export.save(torch.export.export(Affine(4).eval(), (torch.zeros(2, 4),)), str(unconditional))
    result = invoke(*common, "--input", unconditional, "--out", tmp_path / "z-only")
    assert (
        result.exit_code == 2
        and "ganbench calls a conditional generator with z of shape [B, z_dim] or "
        "[B, z_dim, 1, 1], then y of shape [B] (class indices) or [B, 10] (one-hot)"
        in " ".join(result.output.split())
    )


def test_samples_whose_file_is_named_as_a_recipe_are_scored_under_a_name_of_their_own(tmp_path, mnist, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "dcgan.npy", mnist.test_images[:20].numpy())
    result = invoke("score", "--input", tmp_path / "dcgan.npy", "--dataset", "mnist", "--quiet")
    assert result.exit_code == 0, result.output
    spec = json.loads((tmp_path / "results" / "scored" / "dcgan-samples-mnist" / "spec.json").read_text())
    assert spec["recipe"]["name"] == "dcgan-samples"


def test_a_suite_gating_samples_under_a_recipes_name_is_refused(tmp_path):
    (tmp_path / "g.toml").write_text('name = "g"\ndataset = "mnist"\nscored = ["dcgan"]\n')
    result = invoke("run", "--suite", tmp_path / "g.toml", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "field 'scored': 'dcgan' is a recipe's name; scored samples go by a name of their own" in result.output


# -- Stacked MNIST and the 2D mixtures ------------------------------------------------------------
def ring_points(counts: list[int], jitter: float = 0.0) -> np.ndarray:
    """``counts[k]`` points at the ring's k-th true mean, off it by ``jitter`` (in std units)."""
    from gan_bench.data import mixtures

    means = mixtures.means("ring").numpy().astype(np.float64)
    points = np.concatenate([np.repeat(means[k : k + 1], c, axis=0) for k, c in enumerate(counts)])
    return points + jitter * mixtures.STD["ring"]


def test_ring_points_score_as_pacgan_table_1_counts_them(tmp_path):
    # every mode, balanced and on its mean: all 8 captured, all high quality, no reverse KL
    folder, every = gb.score_samples(ring_points([300] * 8), "ring", name="balanced", out=tmp_path / "a")
    assert {k: v["value"] for k, v in every["metrics"].items()} == {
        "modes_2d_2400": 8.0,
        "high_quality_2d_2400": 100.0,
        "reverse_kl_2d_2400": 0.0,
        "reverse_kl_hq_2d_2400": 0.0,
    }
    assert every["verdict"] == "no-history"
    # 6 of the 8 modes, 300 points each, half of each mode's points 5 std off (not high quality)
    np.save(tmp_path / "six.npy", np.concatenate([ring_points([150] * 6 + [0, 0]), ring_points([150] * 6 + [0, 0], 5)]))
    result = invoke("score", "--input", tmp_path / "six.npy", "--dataset", "ring", "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    six = json.loads((tmp_path / "b" / "metrics.json").read_text())
    values = {k: v["value"] for k, v in six["metrics"].items()}
    assert values["modes_2d_1800"] == 6 and values["high_quality_2d_1800"] == 50.0
    assert values["reverse_kl_2d_1800"] == pytest.approx(np.log(8 / 6))
    assert (six["verdict"], six["verdict_reason"]) == ("mode-collapse", "6 of 8 modes covered")
    assert six["input"]["kind"] == "npy array" and six["input"]["dtype"] == "float64"
    assert six["protocol"]["reference"] == "the 8 true means of the ring mixture"
    assert (tmp_path / "b" / "scored-samples.png").read_bytes().startswith(b"\x89PNG")  # the HTML report shows it
    df = gb.report([tmp_path / "a", tmp_path / "b"])
    assert sorted(df["recipe"]) == ["balanced", "six"] and set(df["dataset"]) == {"ring"}


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"input": "folder"}, "ring samples are 2D points, an array of shape [N, 2]; give an .npy or .npz file"),
        ({"input": np.zeros((20, 3))}, "the samples given: shape [20, 3]; ring samples are 2D points"),
        ({"input": np.full((20, 2), np.nan)}, "the samples given: 20 of 20 points are NaN or infinite"),
        ({"input": np.array([["a", "b"]] * 20)}, "the samples given: dtype <U1; ring samples are 2D points"),
        ({"input": "npy", "conditional": True}, "--conditional: ring has no classes to ask for"),
        ({"backbone": "inception"}, "--backbone: ring samples are scored against its true means"),
        ({"input": "npy", "z_dim": 4}, "--z-dim and --z-dist apply to a generator"),
        ({"input": torch.nn.Linear(4, 3), "z_dim": 4}, "the generator given: outputs of shape (2500, 3); expected 2D"),
    ],
    ids=["folder", "shape", "nan", "strings", "conditional", "backbone", "z-dim", "generator"],
)
def test_points_that_do_not_fit_are_refused_before_anything_is_written(tmp_path, given, words):
    options = {"input": ring_points([3] * 8), "name": "mine", "out": tmp_path / "o", **given}
    if isinstance(options["input"], str) and options["input"] == "folder":
        (tmp_path / "folder").mkdir()
        options["input"] = tmp_path / "folder"
    elif isinstance(options["input"], str):  # "npy"
        np.save(tmp_path / "points.npy", ring_points([3] * 8))
        options["input"] = tmp_path / "points.npy"
    with pytest.raises(gb.UserError) as refused:
        gb.score_samples(options.pop("input"), "ring", **options)
    assert words in str(refused.value)
    assert not (tmp_path / "o").exists()


class OnTheRing(torch.nn.Module):
    """z -> the ring mean nearest z's direction: every mode, each point exactly on its mean."""

    def forward(self, z):
        k = torch.round(torch.atan2(z[:, 1], z[:, 0]) / (torch.pi / 4)) % 8
        return torch.stack([torch.cos(k * torch.pi / 4), torch.sin(k * torch.pi / 4)], dim=1)


def test_a_generator_of_points_is_drawn_as_an_image_generator_is(tmp_path):
    _, module = gb.score_samples(OnTheRing(), "ring", name="onring", z_dim=2, out=tmp_path / "m")
    values = {k: v["value"] for k, v in module["metrics"].items()}
    assert values["modes_2d_2500"] == 8 and values["high_quality_2d_2500"] == 100.0  # PacGAN's 2,500 points
    assert module["input"]["kind"] == "in-memory generator" and module["input"]["z_seed"] is not None
    torch.jit.save(torch.jit.script(OnTheRing()), tmp_path / "g.pt")
    result = invoke("score", "--input", tmp_path / "g.pt", "--dataset", "ring", "--z-dim", 2, "--out", tmp_path / "f")
    assert result.exit_code == 0, result.output
    scripted = json.loads((tmp_path / "f" / "metrics.json").read_text())
    assert scripted["metrics"] == module["metrics"]


def test_stacked_mnist_samples_count_the_digit_triples_the_evaluator_reads(tmp_path, mnist):
    # the same digit in all three channels: each sample's mode is (c, c, c) for its evaluator class c,
    # so the stacked modes equal the classes the MNIST scoring of the gray images covers
    gray = mnist.test_images[:200].numpy()
    _, stacked = gb.score_samples(np.stack([gray] * 3, axis=1), "stacked-mnist", name="triples", out=tmp_path / "s")
    _, plain = gb.score_samples(gray, "mnist", name="gray", out=tmp_path / "g")
    assert stacked["coverage"]["modes_total"] == 1000
    assert stacked["metrics"]["modes_stacked_lenet_200"]["value"] == plain["coverage"]["modes_covered"] == 10
    assert stacked["verdict_reason"] == "10 of 1000 modes covered"
    with pytest.raises(gb.UserError, match="stacked-mnist images are 28×28 3-channel"):
        gb.score_samples(gray, "stacked-mnist", name="flat", out=tmp_path / "x")


@pytest.mark.slow  # a smoke run trained and scored, and 1,000 samples scored
def test_samples_scored_with_a_profile_sit_in_the_table_of_that_profiles_runs(tmp_path):
    torch.manual_seed(0)
    run = tmp_path / "tf-mlp"
    gb.train("tf-mlp", profile="smoke", out=run, device="cpu")
    gb.score([run], device="cpu")
    out, scored = gb.score_samples(Affine(8), "mnist", name="mine", z_dim=8, profile="smoke", out=tmp_path / "s")
    assert scored["profile"] == "smoke" and scored["protocol"]["samples"] == 1000  # the smoke profile's count
    assert json.loads((out / "spec.json").read_text())["profile"] == "smoke"
    tables = dict(render.rich_tables(gb.report([run, out])))
    assert list(tables) == ["suite (none) · mnist · profile smoke · cpu"]
    table = tables["suite (none) · mnist · profile smoke · cpu"]
    assert list(table["recipe"]) == ["mine", "tf-mlp"] and "—" not in list(table["fid_lenet_1k_test"])


def test_a_profile_is_one_of_the_three_and_applies_with_input_only(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((20, 28, 28), np.uint8))
    wrong = invoke(
        "score", "--input", tmp_path / "x.npy", "--dataset", "mnist", "--profile", "fast", "--out", tmp_path / "s"
    )
    assert wrong.exit_code == 2 and "--profile: 'fast'; valid: full, quick, smoke" in wrong.output
    assert not (tmp_path / "s").exists()
    runs = invoke("score", tmp_path, "--profile", "quick")
    assert runs.exit_code == 2 and "--profile: applies with --input only" in runs.output
