"""The docs stay true to the code: the architecture page names every module of the package and only
modules that exist; the Python API page documents every public function with each parameter."""

import inspect
import re

from conftest import REPO, cli_commands

import gan_bench as gb


def test_architecture_page_matches_the_tree():
    page = (REPO / "docs" / "architecture.md").read_text()
    named = set()
    for cell in re.findall(r"^\| (`gan_bench/[^|]+) \|", page, flags=re.M):
        paths = re.findall(r"`([^`]+)`", cell)
        folder = paths[0].rsplit("/", 1)[0]
        for p in paths:
            named.add(p if "/" in p else f"{folder}/{p}")
    modules = {str(p.relative_to(REPO)) for p in (REPO / "gan_bench").rglob("*.py")}
    cli = {m for m in modules if m.startswith("gan_bench/cli/")}
    packages = {m for m in modules if m.endswith("/__init__.py") and m != "gan_bench/__init__.py"}
    assert not {n for n in named if n.endswith(".py")} - modules, "the page names modules that do not exist"
    missing = modules - named - cli - packages - {"gan_bench/__main__.py"}
    assert not missing, f"docs/architecture.md does not name {sorted(missing)}"
    assert "gan_bench/cli/" in named


def test_readme_links_resolve_and_it_stays_short():
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    assert targets and all((REPO / t).is_file() for t in targets), [t for t in targets if not (REPO / t).is_file()]


def test_the_product_names_sources_by_title_and_ships_no_dev_paths():
    texts = [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "gan_bench").rglob("*.py")]
    for path in texts:
        text = path.read_text()
        for banned in ("seed 00", "../shared", "RECIPES.md", "REFERENCES.md"):
            assert banned not in text, f"{path.relative_to(REPO)} mentions {banned!r}"


def test_the_python_api_page_documents_every_public_function_and_its_parameters():
    page = (REPO / "docs" / "python-api.md").read_text()
    rows = {}
    for cell in re.findall(r"^\| (`[a-z_]+\(.*?) \|", page, flags=re.M):
        for name, params in re.findall(r"`([a-z_]+)\(([^`]*)\)`", cell):
            rows[name] = params
    functions = {n: getattr(gb, n) for n in gb.__all__ if inspect.isfunction(getattr(gb, n))}
    assert sorted(set(functions) - set(rows)) == [], "public functions missing from docs/python-api.md"
    assert sorted(set(rows) - set(functions)) == [], "docs/python-api.md lists functions that are not public"
    undocumented = {
        (name, p)
        for name, fn in functions.items()
        for p, param in inspect.signature(fn).parameters.items()
        if param.kind != param.VAR_KEYWORD and not re.search(rf"\b{p}\b", rows[name])
    }
    assert undocumented == set()


def test_the_cli_page_documents_every_command_and_option_and_no_other():
    page = (REPO / "docs" / "cli.md").read_text()
    rows = re.findall(r"^\| `ganbench ([^`]*)` \|", page, flags=re.M)
    commands = cli_commands()
    for name, command in commands.items():
        text = " ".join(r for r in rows if r == name or r.startswith(name + " "))
        assert text, f"docs/cli.md has no row for `ganbench {name}`"
        options = {o for p in command.params for o in getattr(p, "opts", []) if o.startswith("--")} - {"--help"}
        documented = set(re.findall(r"--[\w-]+", text))
        assert options == documented, f"ganbench {name}: {sorted(options ^ documented)} differ between code and page"


def test_each_commands_summary_is_one_line_in_its_groups_listing():
    # a group's --help lists each command by its help's first paragraph, line breaks kept as written
    for name, command in cli_commands().items():
        summary = (command.help or "").split("\n\n")[0]
        assert "\n" not in summary, f"ganbench {name}: {summary!r}"


def test_help_texts_print_as_written():
    # --help renders rich markup, so an unescaped [ray] in `pip install 'ganbench[ray]'` would vanish
    from rich.text import Text

    for name, command in cli_commands().items():
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        for text in texts:
            assert Text.from_markup(text).plain == text.replace("\\[", "["), f"ganbench {name}: {text!r}"


def test_every_snippet_line_in_the_docs_includes_a_file_that_exists():
    # a formatter that reads a snippet line as Python writes `--8 < --"file"`, which mkdocs shows as text
    lines = [line for page in (REPO / "docs").glob("*.md") for line in page.read_text().splitlines()]
    markers = [line for line in lines if line.startswith("--8")]
    assert len(markers) >= 4  # the extending guide shows the example plug-in's four files
    for line in markers:
        found = re.fullmatch(r'--8<-- "([^"]+)"', line)
        assert found, f"not a snippet line: {line!r}"
        assert (REPO / found.group(1)).is_file(), line
