"""The offline translation tasks and the pix2pix / CycleGAN folder layouts."""

import numpy as np
import pytest
import scipy.ndimage
import torch
from PIL import Image

import gan_bench as gb
from gan_bench.data import datasets, folders, translation
from gan_bench.errors import UserError
from gan_bench.metrics import fidelity

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def edges():
    return datasets.load("edges2digits")


@pytest.fixture(scope="module")
def bold():
    return datasets.load("digits2bold")


def accuracy(images, task):
    c = task.evaluator_crop
    logits, _ = fidelity.evaluator_outputs(
        images[..., c : images.shape[-2] - c, c : images.shape[-1] - c] if c else images, task.evaluator, CPU
    )
    return float((logits.argmax(1) == task.test_labels[: len(images)]).double().mean())


@pytest.mark.slow
def test_edges_task_pairs_outlines_with_digits(edges):
    assert edges.paired and edges.true_mapping and edges.size == 28 and edges.channels == 1
    assert edges.train_a.shape == edges.train_b.shape == (60_000, 1, 28, 28)
    assert edges.test_a.shape == (10_000, 1, 28, 28) and edges.test_a.dtype == torch.uint8
    # the outline of a digit: inked where the dilation and the erosion differ, never inside a solid 3x3 block
    digit = torch.zeros(1, 9, 9, dtype=torch.uint8)
    digit[0, 2:7, 2:7] = 255
    outline = translation.outlines(digit)[0, 0]
    assert outline[4, 4] == 0 and outline[2, 2] == 255 and outline[1, 1] == 255 and outline[0, 0] == 0
    # real data first: the evaluator reads the true B as the input's label
    assert accuracy(edges.test_b[:2000], edges) > 0.98


def test_outlines_and_bold_are_scipys_grey_morphology_up_to_the_border():
    """Dilation and erosion over each pixel's 3×3 neighbourhood inside the image, as SciPy's grey
    morphology computes them when the border repeats the edge (so it adds nothing)."""
    images = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8))
    images[:5] = (images[:5] > 200).to(torch.uint8) * 255  # strokes that touch the border too
    dilated = scipy.ndimage.grey_dilation(images.numpy(), size=(1, 3, 3), mode="nearest")
    eroded = scipy.ndimage.grey_erosion(images.numpy(), size=(1, 3, 3), mode="nearest")
    assert torch.equal(translation.bold(images), torch.from_numpy(dilated)[:, None])
    assert torch.equal(translation.outlines(images), torch.from_numpy(dilated - eroded)[:, None])


@pytest.mark.slow
def test_edges2fashion_is_padded_to_32_and_cropped_for_the_evaluator():
    task = datasets.load("edges2fashion")
    assert task.size == 32 and task.evaluator_crop == 2 and task.evaluator == "fashion-mnist"
    assert int(task.test_b[..., :2, :].max()) == 0  # the padding is blank
    assert accuracy(task.test_b[:2000], task) > 0.88


def test_unpaired_split_keeps_domains_disjoint_and_the_true_mapping(bold):
    assert not bold.paired and bold.true_mapping and bold.evaluator_domains == ("a", "b")
    order = torch.randperm(60_000, generator=torch.Generator().manual_seed(translation.SPLIT_SEED))
    first, second = set(order[:30_000].tolist()), set(order[30_000:].tolist())
    assert not first & second and len(first) == len(second) == 30_000
    mnist = datasets.load("mnist")
    assert torch.equal(bold.train_a[:, 0], mnist.train_images[order[:30_000]])
    assert torch.equal(bold.train_b, translation.bold(mnist.train_images[order[30_000:]]))
    assert torch.equal(bold.test_b, translation.bold(bold.test_a[:, 0]))
    assert accuracy(bold.test_b[:2000], bold) > 0.95 and accuracy(bold.test_a[:2000], bold) > 0.98


def test_tasks_are_deterministic_and_btoa_swaps_domains(bold):
    again = datasets.load("digits2bold")
    assert torch.equal(again.train_b, bold.train_b) and again.sha256 == bold.sha256
    back = datasets.load("digits2bold", direction="BtoA")
    assert torch.equal(back.train_a, bold.train_b) and torch.equal(back.test_b, bold.test_a)
    assert back.direction == "BtoA" and back.evaluator_domains == ("b", "a")


def save(path, size, colour=(200, 10, 10), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)


def pix2pix_folder(root, n=3, size=16):
    for split in ("train", "test"):
        for i in range(n):
            image = Image.new("RGB", (2 * size, size), (10, 20, 30))
            image.paste(Image.new("RGB", (size, size), (250, 0, i)), (size, 0))  # B: the right half
            (root / split).mkdir(parents=True, exist_ok=True)
            image.save(root / split / f"{i}.png")
    return root


def cyclegan_folder(root, size=16):
    for split, count in (("trainA", 3), ("trainB", 2), ("testA", 2), ("testB", 1)):
        for i in range(count):
            save(root / split / f"{i}.jpg", (size, size), (0, 100 * (split.endswith("B")), 0))
    return root


def test_pix2pix_layout_splits_a_and_b_and_direction_swaps(tmp_path):
    root = pix2pix_folder(tmp_path / "facades")
    data = datasets.load(str(root))
    assert datasets.modality(str(root)) == "paired" and data.paired and data.size == 16 and data.channels == 3
    assert data.train_a.shape == (3, 3, 16, 16) and data.test_b.shape == (3, 3, 16, 16)
    assert data.train_a[0, :, 0, 0].tolist() == [10, 20, 30] and data.train_b[2, :, 0, 0].tolist() == [250, 0, 2]
    back = datasets.load(str(root), direction="BtoA")
    assert torch.equal(back.train_a, data.train_b) and torch.equal(back.test_b, data.test_a)


def test_cyclegan_layout_reads_four_unaligned_folders(tmp_path):
    root = cyclegan_folder(tmp_path / "horse2zebra")
    data = datasets.load(str(root))
    assert datasets.modality(str(root)) == "unpaired" and not data.paired and not data.true_mapping
    assert (len(data.train_a), len(data.train_b), len(data.test_a), len(data.test_b)) == (3, 2, 2, 1)


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda r: (r / "train" / "notes.txt").write_text("hi"), "notes.txt: not an image file"),
        (lambda r: (r / "train" / "broken.png").write_bytes(b"not a png"), "broken.png: cannot be read as an image"),
        (lambda r: save(r / "train" / "9.png", (40, 20)), "differs from 0.png"),
        (lambda r: [p.unlink() for p in (r / "test").iterdir()], "test: empty split"),
        (
            lambda r: [[p.unlink() for p in (r / "test").iterdir()], (r / "test").rmdir()],
            r"holds train/ but no test/ \(or val/\); a pix2pix folder needs both",
        ),
        (
            lambda r: [save(r / "train" / p.name, (30, 16)) for p in list((r / "train").iterdir())],
            "twice as wide as high",
        ),
        (  # Pillow's RGB conversion clips 16-bit pixels to 255: read, every image would be white
            lambda r: Image.new("I;16", (32, 16), 4000).save(r / "test" / "1.png"),
            r"1.png: image mode I;16 \(16-bit integer pixels\); ganbench reads 8-bit images",
        ),
        (
            lambda r: Image.new("F", (32, 16), 0.5).save(r / "train" / "2.tif"),
            r"2.tif: image mode F \(32-bit floating-point pixels\)",
        ),
    ],
)
def test_bad_pix2pix_folders_get_one_clear_error(tmp_path, damage, expected):
    root = pix2pix_folder(tmp_path / "data")
    damage(root)
    with pytest.raises(UserError, match=expected):
        folders.load(root)


def test_bad_cyclegan_folders_and_paths(tmp_path):
    root = cyclegan_folder(tmp_path / "data")
    (root / "testB" / "0.jpg").unlink()
    with pytest.raises(UserError, match="testB: empty split"):
        folders.load(root)
    save(root / "testB" / "0.png", (8, 8))
    with pytest.raises(UserError, match="different sizes"):
        folders.load(root)
    with pytest.raises(UserError, match="no such folder"):
        datasets.modality(str(tmp_path / "missing"))
    (tmp_path / "plain").mkdir()
    with pytest.raises(UserError, match="not a translation folder"):
        datasets.modality(str(tmp_path / "plain"))
    odd = pix2pix_folder(tmp_path / "odd", size=10)
    with pytest.raises(UserError, match="divisible by 4"):
        folders.load(odd)


def test_the_named_translation_tasks_are_the_built_ones_with_their_modality(edges, bold):
    # datasets names them without importing the builders (which load torch)
    assert set(datasets.TRANSLATION_TASKS) == set(translation.TASKS)
    assert {n: datasets.modality(n) for n in translation.TASKS} == datasets.TRANSLATION_TASKS
    loaded = {"edges2digits": edges.modality, "digits2bold": bold.modality}
    assert (
        loaded
        == {n: datasets.TRANSLATION_TASKS[n] for n in loaded}
        == {"edges2digits": "paired", "digits2bold": "unpaired"}
    )


def test_a_folder_named_without_a_slash_is_pointed_at(tmp_path, monkeypatch):
    """`--dataset facades` names a dataset; a folder of that name in the working directory gets the
    path to write, since a bare word is never read as a folder."""
    monkeypatch.chdir(tmp_path)
    pix2pix_folder(tmp_path / "facades")
    assert datasets.unknown("facades").endswith("; a folder 'facades' is here: write ./facades to train on it")
    assert "is here" not in datasets.unknown("cifar")
    with pytest.raises(UserError, match=r"--dataset: unknown dataset 'facades'; .* write ./facades to train on it"):
        gb.train("pix2pix", "facades", out=tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_a_folder_under_the_home_folder_is_named_with_a_tilde(tmp_path, monkeypatch):
    """As a suite file writes it, where no shell expands ~."""
    monkeypatch.setenv("HOME", str(tmp_path))
    pix2pix_folder(tmp_path / "facades")
    assert datasets.modality("~/facades") == "paired"
    assert datasets.load("~/facades").files == {"root": str(tmp_path / "facades")}
