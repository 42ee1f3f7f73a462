import dataclasses
import gzip
from pathlib import Path

import pytest
from conftest import copy_mnist_as, mnist_files
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.data import catalogue
from gan_bench.errors import UserError

MNIST = catalogue.DATASETS["mnist"]


def test_mnist_ships_in_the_package_and_verifies(no_data_env):
    loaded = catalogue.load("mnist")
    assert loaded.train_images.shape == (60000, 28, 28)
    assert loaded.test_images.shape == (10000, 28, 28)
    assert loaded.train_images.dtype.is_floating_point is False
    assert str(loaded.train_images.dtype) == "torch.uint8"
    assert loaded.train_labels.tolist()[:5] == [5, 0, 4, 1, 9]
    assert loaded.files["train_images"].startswith(str(catalogue.PACKAGE_ASSETS))
    assert loaded.sha256 == MNIST.sha256


@pytest.fixture
def fake(monkeypatch, no_data_env):
    """A catalogue entry with MNIST's hashes but not packaged, with a Debian folder to look in."""
    ds = dataclasses.replace(MNIST, name="fake", packaged=False, debian_package="dataset-fake")
    monkeypatch.setitem(catalogue.DATASETS, "fake", ds)
    return ds


def test_lookup_order_data_dir_env_debian_cache(fake, tmp_path, monkeypatch):
    cache = copy_mnist_as(catalogue.cache_dir() / "fake")
    assert catalogue.find(fake)[0]["train_images"].parent == cache
    debian = copy_mnist_as(catalogue.DEBIAN_DATASETS / "fake")
    assert catalogue.find(fake)[0]["train_images"].parent == debian
    env = copy_mnist_as(tmp_path / "env" / "fake")
    monkeypatch.setenv(catalogue.ENV_DATA, str(tmp_path / "env"))
    assert catalogue.find(fake)[0]["train_images"].parent == env
    explicit = copy_mnist_as(tmp_path / "explicit" / "fake")
    assert catalogue.find(fake, tmp_path / "explicit")[0]["train_images"].parent == explicit
    assert catalogue.load("fake", tmp_path / "explicit").files["test_labels"].startswith(str(explicit))


def test_uncompressed_files_are_accepted(fake, tmp_path, monkeypatch):
    folder = tmp_path / "env" / "fake"
    folder.mkdir(parents=True)
    for src in (catalogue.PACKAGE_ASSETS / "mnist").glob("*.gz"):
        (folder / src.name.removesuffix(".gz")).write_bytes(gzip.decompress(src.read_bytes()))
    monkeypatch.setenv(catalogue.ENV_DATA, str(tmp_path / "env"))
    assert catalogue.load("fake").test_labels.shape == (10000,)


def test_missing_file_lists_every_place_looked_and_how_to_supply(fake, tmp_path, monkeypatch):
    monkeypatch.setenv(catalogue.ENV_DATA, str(tmp_path / "env"))
    with pytest.raises(UserError) as err:
        catalogue.load("fake", tmp_path / "explicit")
    msg = str(err.value)
    for where in (
        str(tmp_path / "explicit" / "fake"),
        str(tmp_path / "env" / "fake"),
        str(catalogue.DEBIAN_DATASETS / "fake"),
        str(catalogue.cache_dir() / "fake"),
        "torchvision download: disabled",
    ):
        assert where in msg
    assert "apt install dataset-fake" in msg
    assert "train-images-idx3-ubyte" in msg


def test_a_ganbench_data_that_is_not_a_folder_is_named_as_such_where_the_lookup_is_listed(fake, tmp_path, monkeypatch):
    """A typo in $GANBENCH_DATA read as the dataset simply not being installed."""
    monkeypatch.setenv(catalogue.ENV_DATA, str(tmp_path / "typo"))
    with pytest.raises(UserError) as err:
        catalogue.load("fake")
    assert f"  2. $GANBENCH_DATA: {tmp_path / 'typo' / 'fake'}; {tmp_path / 'typo'} is not a folder\n" in str(err.value)
    listed = CliRunner().invoke(app, ["data", "list"])
    assert listed.exit_code == 0
    assert f"$GANBENCH_DATA ({tmp_path / 'typo' / 'fake'}; {tmp_path / 'typo'} is not a folder)" in " ".join(
        listed.output.split()
    )
    (tmp_path / "typo").mkdir()  # a folder without this dataset: the usual case, no note
    with pytest.raises(UserError) as err:
        catalogue.load("fake")
    assert f"  2. $GANBENCH_DATA: {tmp_path / 'typo' / 'fake'}\n" in str(err.value)


def test_corrupt_fashion_file_under_env_is_refused_naming_it(tmp_path, monkeypatch, no_data_env):
    folder = tmp_path / "data" / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in catalogue.FILENAMES.values():
        (folder / f"{name}.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
    monkeypatch.setenv(catalogue.ENV_DATA, str(tmp_path / "data"))
    with pytest.raises(UserError) as err:
        catalogue.load("fashion-mnist")
    assert str(folder / "train-images-idx3-ubyte.gz") in str(err.value)
    assert "sha256 mismatch" in str(err.value)


def test_download_failure_is_reported_with_the_places_looked(fake, monkeypatch):
    monkeypatch.delenv(catalogue.ENV_OFFLINE)

    def offline(ds):
        raise OSError("Tried http://example.org/, got:\nnetwork is unreachable\n")

    monkeypatch.setattr(catalogue, "download", offline)
    with pytest.raises(UserError) as failed:
        catalogue.load("fake")
    assert "torchvision download: failed (OSError: Tried http://example.org/, got: network is unreachable)\n" in str(
        failed.value
    )


def test_download_lands_in_the_cache_and_is_used(fake, monkeypatch):
    monkeypatch.delenv(catalogue.ENV_OFFLINE)
    monkeypatch.setattr(catalogue, "download", lambda ds: copy_mnist_as(catalogue.cache_dir() / ds.name))
    loaded = catalogue.load("fake")
    assert loaded.files["train_labels"].startswith(str(catalogue.cache_dir()))


def test_status_reports_ok_missing_and_corrupt(fake, tmp_path, monkeypatch):
    folder = copy_mnist_as(tmp_path / "env" / "fake")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"junk"))
    monkeypatch.setenv(catalogue.ENV_DATA, str(tmp_path / "env"))
    states = {s.role: s.state for s in catalogue.status("fake", verify=True)}
    assert states["train_images"] == "ok"
    assert states["test_labels"] == "missing"
    assert states["test_images"].startswith("corrupt")


def test_shared_fashion_mnist_verifies_when_provided():
    """CI sets GANBENCH_DATA to a folder that holds the real Fashion-MNIST."""
    import os

    if not os.environ.get(catalogue.ENV_DATA):
        pytest.skip("GANBENCH_DATA not set: the lookup itself is covered by the tests above")
    loaded = catalogue.load("fashion-mnist")
    assert loaded.train_images.shape == (60000, 28, 28)
    assert sorted(set(loaded.test_labels.tolist())) == list(range(10))


def torchvision_serving(files: dict[str, bytes]):
    """A stand-in for a torchvision MNIST-like class: with download=True it leaves ``files`` in
    <root>/<class name>/raw/, as torchvision does after downloading and extracting."""

    class Served:
        def __init__(self, root, download=False):
            raw = Path(root) / "MNIST" / "raw"
            raw.mkdir(parents=True)
            for name, data in files.items():
                (raw / name).write_bytes(data)

    return Served


def official_files() -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in mnist_files()}


def test_fetch_downloads_verifies_and_fills_the_cache(fake, monkeypatch):
    """The download path itself: torchvision's files are verified and copied into the user cache,
    where a later load finds them; `ganbench data fetch` says where they went."""
    import torchvision.datasets

    monkeypatch.setattr(torchvision.datasets, "MNIST", torchvision_serving(official_files()))
    result = CliRunner().invoke(app, ["data", "fetch", "fake"])
    assert result.exit_code == 0, result.output
    target = catalogue.cache_dir() / "fake"
    assert f"saved to {target}" in result.output.replace("\n", "")
    assert sorted(p.name for p in target.iterdir()) == [f.name for f in mnist_files()]
    for f in mnist_files():
        assert (target / f.name).read_bytes() == f.read_bytes()
    assert catalogue.load("fake").files["test_images"].startswith(str(target))


def test_fetch_of_files_found_and_verified_downloads_nothing_and_says_where(fake, tmp_path, monkeypatch):
    import torchvision.datasets

    class Unreachable:
        def __init__(self, root, download=False):
            raise AssertionError("no download was needed")

    env = copy_mnist_as(tmp_path / "env" / "fake")
    monkeypatch.setenv(catalogue.ENV_DATA, str(tmp_path / "env"))
    monkeypatch.setattr(torchvision.datasets, "MNIST", Unreachable)
    result = CliRunner().invoke(app, ["data", "fetch", "fake"])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()) == f"MNIST: every file is found and verifies in {env}; nothing to fetch"
    assert not (catalogue.cache_dir() / "fake").exists()
    # one damaged file: the download goes ahead and fills the cache
    (env / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
    monkeypatch.setattr(torchvision.datasets, "MNIST", torchvision_serving(official_files()))
    result = CliRunner().invoke(app, ["data", "fetch", "fake"])
    assert result.exit_code == 0, result.output
    assert "saved to" in result.output and (catalogue.cache_dir() / "fake").is_dir()


@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_a_bad_download_names_the_file_and_leaves_the_cache_empty(fake, monkeypatch, damage):
    import torchvision.datasets

    files = official_files()
    if damage == "corrupt":
        files["t10k-labels-idx1-ubyte.gz"] = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07")
    else:
        del files["t10k-labels-idx1-ubyte.gz"]
    monkeypatch.setattr(torchvision.datasets, "MNIST", torchvision_serving(files))
    result = CliRunner().invoke(app, ["data", "fetch", "fake"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    expected = "sha256 mismatch" if damage == "corrupt" else "did not produce t10k-labels-idx1-ubyte"
    assert expected in result.output
    assert not (catalogue.cache_dir() / "fake").exists()


def test_a_failed_fetch_says_how_to_supply_the_files(fake, monkeypatch):
    import torchvision.datasets

    class Unreachable:  # the shape of torchvision's message: the file, the URL tried, the cause
        def __init__(self, root, download=False):
            raise RuntimeError(
                "Error downloading train-images-idx3-ubyte.gz:\nTried http://example.org/, got:\n"
                "<urlopen error [Errno -2] Name or service not known>\n"
            )

    monkeypatch.setattr(torchvision.datasets, "MNIST", Unreachable)
    result = CliRunner().invoke(app, ["data", "fetch", "fake"])
    assert result.exit_code == 2
    assert (
        "error: download of MNIST failed (RuntimeError: Error downloading train-images-idx3-ubyte.gz: "
        "Tried http://example.org/, got: <urlopen error [Errno -2] Name or service not known>). To supply it:"
    ) in result.output


def test_a_dataset_folder_named_near_the_right_name_is_pointed_out(tmp_path, no_data_env):
    (tmp_path / "fashion_mnist").mkdir()
    (tmp_path / "unrelated").mkdir()
    with pytest.raises(UserError) as missing:
        catalogue.load("fashion-mnist", data_dir=tmp_path)
    assert (
        f"1. --data-dir: {tmp_path / 'fashion-mnist'}; {tmp_path / 'fashion_mnist'} is there: name it fashion-mnist\n"
    ) in str(missing.value)
    (tmp_path / "fashion_mnist").rmdir()
    with pytest.raises(UserError) as missing:
        catalogue.load("fashion-mnist", data_dir=tmp_path)
    assert f"1. --data-dir: {tmp_path / 'fashion-mnist'}\n" in str(missing.value)
