"""Rule tests of the readers of samples made elsewhere (`score --input`, `gb.score_samples`): each
layout and dtype an array or folder may come in, what is recorded about it, and each refusal's
whole message. Tiny inputs, no scoring: these run in a second, under mutation testing too."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch
from PIL import Image

from gan_bench.errors import DataError, InvalidOption
from gan_bench.scoring import sample_files, sample_format, sample_points
from gan_bench.scoring.sample_format import Expected

GRAY = Expected("mnist", 1, 28)
RGB = Expected("stacked-mnist", 3, 28)
TINY = Expected("tiny", 1, 2)


def pixels(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def refusal(error: type, call, *args) -> str:
    with pytest.raises(error) as raised:
        call(*args)
    return str(raised.value)


# --- what the evaluator reads -------------------------------------------------------------------


def test_expected_words_name_the_dataset_size_and_channels():
    assert GRAY.words == "mnist images are 28×28 grayscale"
    assert RGB.words == "stacked-mnist images are 28×28 3-channel"
    assert not GRAY.points
    ring = sample_format.points_of("ring")
    assert (ring.dataset, ring.channels, ring.size, ring.points) == ("ring", 2, 0, True)
    assert ring.words == "ring samples are 2D points, shape [N, 2]"


def test_sha256_of_files_hashes_their_bytes_in_order_and_in_a_folder_their_names(tmp_path):
    (tmp_path / "sub").mkdir()
    a, b = tmp_path / "a.png", tmp_path / "sub" / "b.png"
    a.write_bytes(b"first")
    b.write_bytes(b"second" * 400_000)  # more than one 1 MiB block
    assert sample_format.sha256_of([a, b]) == hashlib.sha256(b"first" + b"second" * 400_000).hexdigest()
    named = hashlib.sha256(b"a.png\0first" + b"sub/b.png\0" + b"second" * 400_000).hexdigest()
    assert sample_format.sha256_of([a, b], tmp_path) == named


def test_fit_channels_keeps_the_wanted_count_and_returns_contiguous_images():
    images = torch.from_numpy(pixels(3, 28, 28, 1)).permute(0, 3, 1, 2)  # not contiguous
    fitted, notes = sample_format.fit_channels(images, GRAY, "x")
    assert fitted.is_contiguous() and torch.equal(fitted, images) and notes == {}


def test_an_opaque_alpha_is_dropped_and_identical_rgb_folds_into_gray():
    gray = torch.from_numpy(pixels(2, 1, 3, 3))
    opaque = torch.full((2, 1, 3, 3), 255, dtype=torch.uint8)
    fitted, notes = sample_format.fit_channels(torch.cat([gray, opaque], 1), GRAY, "x")
    assert torch.equal(fitted, gray) and notes == {"alpha_dropped": True}
    fitted, notes = sample_format.fit_channels(torch.cat([gray, gray, gray, opaque], 1), GRAY, "x")
    assert fitted.is_contiguous() and torch.equal(fitted, gray)
    assert notes == {"alpha_dropped": True, "channels_merged": True}
    fitted, notes = sample_format.fit_channels(torch.cat([gray, gray, gray], 1), GRAY, "x")
    assert torch.equal(fitted, gray) and notes == {"channels_merged": True}
    rgb = torch.from_numpy(pixels(2, 3, 3, 3))
    fitted, notes = sample_format.fit_channels(torch.cat([rgb, opaque], 1), RGB, "x")
    assert torch.equal(fitted, rgb) and notes == {"alpha_dropped": True}


def test_channels_that_cannot_fit_are_refused_naming_why():
    gray = torch.zeros(2, 1, 3, 3, dtype=torch.uint8)
    seen = torch.cat([gray, torch.full_like(gray, 255)], 1)
    seen[1, 1, 2, 2] = 254
    assert refusal(DataError, sample_format.fit_channels, seen, GRAY, "x") == (
        "x: 2 channels, with alpha that is not fully opaque; mnist images are 28×28 grayscale"
    )
    for differing in (1, 2):  # green, or blue, differs from red
        rgb = torch.cat([gray, gray, gray], 1)
        rgb[0, differing, 0, 0] = 1
        assert refusal(DataError, sample_format.fit_channels, rgb, GRAY, "x") == (
            "x: 3 channels (RGB with differing channels); mnist images are 28×28 grayscale"
        )
    assert refusal(DataError, sample_format.fit_channels, gray, RGB, "x") == (
        "x: 1 channel; stacked-mnist images are 28×28 3-channel"
    )


def test_fit_size_names_the_size_given_and_the_one_wanted():
    sample_format.fit_size(torch.zeros(1, 1, 28, 28), GRAY, "x")
    assert refusal(DataError, sample_format.fit_size, torch.zeros(1, 1, 28, 32), GRAY, "x") == (
        "x: images are 28×32; mnist images are 28×28 grayscale (resize them to 28×28 first)"
    )


# --- folders of images --------------------------------------------------------------------------


def save(path, array: np.ndarray, mode: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(array)
    (image if mode is None else image.convert(mode)).save(path)


def test_a_folder_reads_its_images_in_name_order_below_every_subfolder_and_records_them(tmp_path):
    a, b, c = pixels(2, 2, seed=1), pixels(2, 2, seed=2), pixels(2, 2, seed=3)
    save(tmp_path / "b.png", b)
    save(tmp_path / "a.PNG", a)  # suffixes in any case
    save(tmp_path / "sub" / "c.jpeg", np.full((2, 2), 7, np.uint8))
    save(tmp_path / ".hidden" / "x.png", c)
    save(tmp_path / "._y.png", c)
    (tmp_path / "notes.txt").write_text("not an image")
    read = sample_files.read_folder(tmp_path, TINY)
    assert read.images.dtype == torch.uint8 and read.images.shape == (3, 1, 2, 2)
    assert torch.equal(read.images[0, 0], torch.from_numpy(a)) and torch.equal(read.images[1, 0], torch.from_numpy(b))
    named = b"".join(n.encode() + b"\0" + (tmp_path / n).read_bytes() for n in ("a.PNG", "b.png", "sub/c.jpeg"))
    assert read.info == {"kind": "image folder", "files": 3, "sha256": hashlib.sha256(named).hexdigest()}
    assert read.labels is None


@pytest.mark.parametrize("mode", ["1", "L", "LA", "RGB", "RGBA", "P"])
def test_every_8_bit_mode_reads_as_the_gray_it_shows(tmp_path, mode):
    gray = np.array([[0, 255], [255, 0]], np.uint8)
    save(tmp_path / "i.png", gray, mode)
    read = sample_files.read_folder(tmp_path, TINY)
    assert torch.equal(read.images[0, 0], torch.from_numpy(gray))
    dropped = {"alpha_dropped": True} if mode in ("LA", "RGBA", "P") else {}
    merged = {"channels_merged": True} if mode in ("RGB", "RGBA", "P") else {}
    assert {k: v for k, v in read.info.items() if k not in ("kind", "files", "sha256")} == {**dropped, **merged}


def test_a_folder_without_images_or_with_an_unreadable_one_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    assert refusal(DataError, sample_files.read_folder, tmp_path, TINY) == (
        f"{tmp_path}: holds no PNG or JPEG images (.png, .jpg, .jpeg)"
    )
    (tmp_path / "bad.png").write_bytes(b"not a png")
    assert refusal(DataError, sample_files.read_folder, tmp_path, TINY).startswith(
        f"{tmp_path / 'bad.png'}: not a readable PNG or JPEG image ("
    )


def test_an_image_mode_of_more_than_8_bits_is_refused(tmp_path):
    Image.fromarray(np.zeros((2, 2), np.uint16)).save(tmp_path / "deep.png")
    assert refusal(DataError, sample_files.read_folder, tmp_path, TINY) == (
        f"{tmp_path / 'deep.png'}: image mode I;16; expected 8-bit grayscale or RGB"
    )


def test_images_of_differing_sizes_or_channels_name_both_files(tmp_path):
    save(tmp_path / "a.png", pixels(2, 3))
    save(tmp_path / "b.png", pixels(2, 3, 3))
    assert refusal(DataError, sample_files.read_folder, tmp_path, TINY) == (
        f"{tmp_path / 'b.png'}: 2×3 with 3 channels, but a.png is 2×3 with 1; every image in the folder must "
        "have one size and channel count"
    )
    (tmp_path / "b.png").unlink()
    save(tmp_path / "b.png", pixels(3, 2))
    assert refusal(DataError, sample_files.read_folder, tmp_path, TINY).startswith(
        f"{tmp_path / 'b.png'}: 3×2 with 1 channel, but a.png is 2×3 with 1;"
    )


def test_a_folder_of_the_wrong_size_or_channels_names_the_folder(tmp_path):
    save(tmp_path / "a.png", pixels(3, 3))
    assert refusal(DataError, sample_files.read_folder, tmp_path, TINY) == (
        f"{tmp_path}: images are 3×3; tiny images are 2×2 grayscale (resize them to 2×2 first)"
    )
    (tmp_path / "a.png").unlink()
    save(tmp_path / "a.png", pixels(2, 2, 3))
    assert refusal(DataError, sample_files.read_folder, tmp_path, TINY) == (
        f"{tmp_path}: 3 channels (RGB with differing channels); tiny images are 2×2 grayscale"
    )


# --- array files --------------------------------------------------------------------------------

IMAGES = pixels(4, 2, 2)


@pytest.mark.parametrize(
    "layout",
    [
        lambda x: x,  # N×H×W
        lambda x: x[:, None],  # N×C×H×W
        lambda x: x[..., None],  # N×H×W×C
        lambda x: np.repeat(x[..., None], 3, -1),  # N×H×W×3, identical channels
        lambda x: np.concatenate([np.repeat(x[..., None], 3, -1), np.full(x.shape + (1,), 255, np.uint8)], -1),
        lambda x: np.concatenate([np.repeat(x[:, None], 3, 1), np.full((4, 1, 2, 2), 255, np.uint8)], 1),
    ],
)
def test_an_array_in_any_layout_reads_as_the_same_images(tmp_path, layout):
    array = layout(IMAGES)
    np.save(tmp_path / "x.npy", array)
    read = sample_files.read_array(tmp_path / "x.npy", TINY)
    assert torch.equal(read.images, torch.from_numpy(IMAGES)[:, None])
    assert read.info["kind"] == "npy array" and read.info["array_shape"] == list(array.shape)
    assert read.info["sha256"] == hashlib.sha256((tmp_path / "x.npy").read_bytes()).hexdigest()
    assert read.labels is None


def test_an_array_files_mistakes_name_the_file(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, images=IMAGES.astype(np.float32) / 255, labels=LABELS)
    assert refusal(DataError, sample_files.read_array, path, TINY).startswith(f"{path}: dtype float32;")
    np.savez(path, images=np.repeat(IMAGES[:, None], 3, 1) + np.arange(3, dtype=np.uint8)[:, None, None])
    assert refusal(DataError, sample_files.read_array, path, TINY) == (
        f"{path}: 3 channels (RGB with differing channels); tiny images are 2×2 grayscale"
    )
    np.savez(path, images=IMAGES, labels=LABELS[:2])
    assert refusal(DataError, sample_files.read_array, path, TINY, True) == (
        f"{path}: labels of shape (2,); expected one per sample, shape (4,)"
    )


def test_an_array_in_memorys_mistakes_name_the_samples_given():
    assert refusal(DataError, sample_files.read_memory, np.zeros((4, 3, 3), np.uint8), TINY).startswith(
        "the samples given: shape (4, 3, 3) fits none of"
    )
    rgb = np.zeros((4, 2, 2, 3), np.uint8)
    rgb[..., 2] = 1
    assert refusal(DataError, sample_files.read_memory, rgb, TINY) == (
        "the samples given: 3 channels (RGB with differing channels); tiny images are 2×2 grayscale"
    )


def test_a_3_channel_dataset_keeps_its_channels_in_both_layouts():
    rgb = pixels(4, 3, 28, 28)
    for array in (rgb, rgb.transpose(0, 2, 3, 1)):
        images, notes = sample_files._array_images(array, RGB, "x")
        assert torch.equal(images, torch.from_numpy(rgb)) and notes == {}


@pytest.mark.parametrize("shape", [(4, 2, 3), (4, 2, 2, 2), (4, 5, 2, 2), (4, 2, 2, 5), (2, 2), (1, 4, 1, 2, 2)])
def test_an_array_of_no_known_layout_is_refused_naming_the_layouts(shape):
    assert refusal(DataError, sample_files._array_images, np.zeros(shape, np.uint8), TINY, "x") == (
        f"x: shape {shape} fits none of N×2×2, N×2×2×C or N×C×2×2 (C = 1 or 3); tiny images are 2×2 grayscale"
    )


@pytest.mark.parametrize(
    ("array", "hint"),
    [
        (np.array([0.0, 1.0]), " (these floats span [0, 1]: (x * 255).round().astype(np.uint8))"),
        (
            np.array([-1.0, 1.0, np.nan]),
            " (these floats span [-1, 1], as a tanh output does: ((x + 1) * 127.5).round().astype(np.uint8))",
        ),
        (
            np.array([-1.5, 1.0]),
            " (these floats span [-1.5, 1]: scale them to 0–255, then (...).round().astype(np.uint8))",
        ),
        (
            np.array([0.0, 1.25, -np.inf]),
            " (these floats span [0, 1.25]: scale them to 0–255, then (...).round().astype(np.uint8))",
        ),
        (np.array([np.nan]), ""),
        (np.array([0, 255]), " (these integers span [0, 255], pixels already: x.astype(np.uint8))"),
        (
            np.array([-1, 3], np.int8),
            " (these integers span [-1, 3]: scale them to 0–255, then (...).astype(np.uint8))",
        ),
        (np.array([0, 256]), " (these integers span [0, 256]: scale them to 0–255, then (...).astype(np.uint8))"),
        (np.array([], np.int64), ""),
        (np.array([True]), ""),
    ],
)
def test_an_array_that_is_not_uint8_is_refused_with_how_to_cast_it(array, hint):
    assert refusal(DataError, sample_files._array_images, array, TINY, "x") == (
        f"x: dtype {array.dtype}; expected uint8 pixels 0–255{hint}"
    )


def test_an_npz_gives_its_one_array_or_the_one_named_images(tmp_path):
    np.savez(tmp_path / "one.npz", anything=IMAGES)
    assert np.array_equal(sample_files.load_array(tmp_path / "one.npz")[0], IMAGES)
    np.savez(tmp_path / "two.npz", other=IMAGES[:1], images=IMAGES)
    array, labels = sample_files.load_array(tmp_path / "two.npz")
    assert np.array_equal(array, IMAGES) and labels is None
    np.savez(tmp_path / "bad.npz", a=IMAGES, b=IMAGES)
    assert refusal(DataError, sample_files.load_array, tmp_path / "bad.npz") == (
        f"{tmp_path / 'bad.npz'}: holds arrays ['a', 'b']; expected one array, or one named 'images'"
    )
    read = sample_files.read_array(tmp_path / "one.npz", TINY)
    assert read.info["kind"] == "npz array"


def test_a_file_that_is_no_numpy_array_is_refused_before_numpy_guesses(tmp_path):
    for name, content, why in [
        ("empty.npy", b"", "it does not begin as np.save or np.savez write a file"),
        ("text.npy", b"\x93NUMPX...", "it does not begin as np.save or np.savez write a file"),
        ("pickle.npy", b"\x80\x04K\x01.", "it does not begin as np.save or np.savez write a file"),
    ]:
        (tmp_path / name).write_bytes(content)
        assert refusal(DataError, sample_files.load_array, tmp_path / name) == (
            f"{tmp_path / name}: not a readable .npy array ({why})"
        )
    (tmp_path / "cut.npz").write_bytes(b"PK\x03\x04 cut short")
    assert refusal(DataError, sample_files.load_array, tmp_path / "cut.npz").startswith(
        f"{tmp_path / 'cut.npz'}: not a readable .npz array ("
    )
    np.savez(tmp_path / "empty.npz")  # a zip with no member begins PK\x05\x06
    assert (tmp_path / "empty.npz").read_bytes()[:4] == b"PK\x05\x06"
    assert "holds arrays []" in refusal(DataError, sample_files.load_array, tmp_path / "empty.npz")
    np.savez(tmp_path / "objects.npz", images=np.array([{}], dtype=object))
    assert refusal(DataError, sample_files.load_array, tmp_path / "objects.npz").startswith(
        f"{tmp_path / 'objects.npz'}: Object arrays cannot be loaded when allow_pickle=False"
    )


LABELS = np.arange(4) % 10


def test_samples_saved_with_labels_read_them_as_int64_classes(tmp_path):
    np.savez(tmp_path / "x.npz", images=IMAGES, labels=LABELS.astype(np.float32))
    read = sample_files.read_array(tmp_path / "x.npz", TINY, conditional=True)
    assert read.labels.dtype == torch.int64 and read.labels.tolist() == [0, 1, 2, 3]
    assert torch.equal(read.images, torch.from_numpy(IMAGES)[:, None])
    assert read.labels_protocol == sample_format.LABELS_GIVEN
    assert read.info["labels"] == "as given with the samples (the .npz's labels)"
    assert sample_files.load_array(tmp_path / "x.npz")[1] is None  # labels only when asked for


@pytest.mark.parametrize("saved", [{"images": IMAGES}, {"labels": LABELS}, None])
def test_labels_asked_for_but_not_saved_say_how_to_save_them(tmp_path, saved):
    path = tmp_path / ("x.npy" if saved is None else "x.npz")
    if saved is None:
        np.save(path, IMAGES)
    else:
        np.savez(path, **saved)
    assert refusal(InvalidOption, sample_files.load_array, path, True) == (
        f"--conditional: {path} holds no arrays named 'images' and 'labels'; save the samples with "
        "np.savez(PATH, images=..., labels=...), labels the class each sample was asked for"
    )


@pytest.mark.parametrize(
    ("labels", "why"),
    [
        (LABELS[:3], "labels of shape (3,); expected one per sample, shape (4,)"),
        (LABELS[:, None], "labels of shape (4, 1); expected one per sample, shape (4,)"),
        (LABELS + 0.5, "labels of dtype float64; expected whole class numbers 0 to 9"),
        (LABELS.astype(bool), "labels of dtype bool; expected whole class numbers 0 to 9"),
        (LABELS - 1, "labels span -1 to 2; expected classes 0 to 9"),
        (LABELS + 7, "labels span 7 to 10; expected classes 0 to 9"),
    ],
)
def test_labels_that_are_no_classes_of_the_samples_are_refused(labels, why):
    assert refusal(DataError, sample_files._checked_labels, labels, 4, "x") == f"x: {why}"


def test_labels_at_the_class_bounds_and_none_for_no_samples_are_taken():
    assert sample_files._checked_labels(np.array([0, 9], np.uint8), 2, "x").tolist() == [0, 9]
    assert sample_files._checked_labels(np.array([], np.float64), 0, "x").tolist() == []


# --- arrays handed to the Python API ------------------------------------------------------------


def test_an_array_in_memory_reads_as_its_file_would_and_hashes_dtype_shape_and_bytes():
    array = IMAGES[:, :, ::-1]  # not contiguous
    read = sample_files.read_memory(array, TINY)
    assert torch.equal(read.images[:, 0], torch.from_numpy(array.copy()))
    digest = hashlib.sha256(b"|u1[4, 2, 2]" + array.copy().tobytes()).hexdigest()
    assert read.info == {"kind": "in-memory array", "array_shape": [4, 2, 2], "sha256": digest}
    assert sample_files.memory_sha256(array) == digest
    tensor = sample_files.read_memory(torch.from_numpy(array.copy()), TINY)
    assert torch.equal(tensor.images, read.images) and tensor.info == read.info


@pytest.mark.parametrize(
    ("tensor", "hint"),
    [
        (torch.tensor([0.0, 1.0]), " (these floats span [0, 1]: (x * 255).round().to(torch.uint8))"),
        (
            torch.tensor([-1.0, 0.5], dtype=torch.bfloat16),
            " (these floats span [-1, 1], as a tanh output does: ((x + 1) * 127.5).round().to(torch.uint8))",
        ),
        (torch.tensor([float("nan")]), ""),
        (torch.tensor([3, 300]), " (these integers span [3, 300]: scale them to 0–255, then (...).to(torch.uint8))"),
        (
            torch.tensor([3, 200], dtype=torch.int16),
            " (these integers span [3, 200], pixels already: x.to(torch.uint8))",
        ),
        (torch.tensor([], dtype=torch.int64), ""),
        (torch.tensor([True]), ""),
        (torch.tensor([1 + 1j]), ""),
    ],
)
def test_a_tensor_that_is_not_uint8_is_refused_with_how_to_cast_it(tensor, hint):
    assert refusal(DataError, sample_files.read_memory, tensor, TINY) == (
        f"the samples given: dtype {tensor.dtype}; expected uint8 pixels 0–255{hint}"
    )


# --- 2D points ----------------------------------------------------------------------------------

POINTS = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 1.0]])


def test_points_in_memory_or_a_file_read_as_float32_with_their_dtype_recorded(tmp_path):
    read = sample_points.read_points(POINTS, "ring")
    assert read.images.dtype == torch.float32 and torch.equal(read.images, torch.tensor(POINTS, dtype=torch.float32))
    assert read.info == {
        "kind": "in-memory array",
        "sha256": hashlib.sha256(b"<f8[3, 2]" + POINTS.tobytes()).hexdigest(),
        "array_shape": [3, 2],
        "dtype": "float64",
    }
    tensor = sample_points.read_points(torch.tensor(POINTS, dtype=torch.float32, requires_grad=True), "ring")
    assert torch.equal(tensor.images, read.images) and tensor.info["dtype"] == "float32"
    np.save(tmp_path / "p.npy", POINTS.astype(np.int16))
    read = sample_points.read_points(tmp_path / "p.npy", "grid")
    assert read.images.tolist() == [[0.0, -1.0], [2.0, 0.0], [1.0, 1.0]]
    assert read.info == {
        "kind": "npy array",
        "sha256": hashlib.sha256((tmp_path / "p.npy").read_bytes()).hexdigest(),
        "array_shape": [3, 2],
        "dtype": "int16",
    }


def test_points_that_are_not_n_by_2_finite_real_numbers_are_refused(tmp_path):
    wanted = "ring samples are 2D points, an array of shape [N, 2]"
    for given, why in [
        (POINTS.astype(bool), f"dtype bool; {wanted} of real numbers"),
        (POINTS.astype(complex), f"dtype complex128; {wanted} of real numbers"),
        (POINTS.T, f"shape [2, 3]; {wanted}"),
        (POINTS[:, :1], f"shape [3, 1]; {wanted}"),
        (POINTS[None], f"shape [1, 3, 2]; {wanted}"),
        (POINTS.ravel(), f"shape [6]; {wanted}"),
    ]:
        assert refusal(DataError, sample_points.read_points, given, "ring") == f"the samples given: {why}"
    bad = np.concatenate([POINTS, POINTS[:1]])
    bad[0, 0], bad[0, 1], bad[2, 1] = np.nan, np.inf, -np.inf  # a point with both, and one with one
    assert refusal(DataError, sample_points.read_points, bad, "ring") == (
        "the samples given: 2 of 4 points are NaN or infinite; every point must be finite"
    )
    np.save(tmp_path / "p.npy", POINTS.T)
    assert refusal(DataError, sample_points.read_points, tmp_path / "p.npy", "ring") == (
        f"{tmp_path / 'p.npy'}: shape [2, 3]; {wanted}"
    )


def test_points_from_a_folder_are_refused_saying_what_to_give(tmp_path):
    assert refusal(InvalidOption, sample_points.read_points, tmp_path, "grid") == (
        f"--input: {tmp_path}: grid samples are 2D points, an array of shape [N, 2]; give an .npy or .npz file "
        "(np.save(PATH, points)), or a generator of them"
    )
