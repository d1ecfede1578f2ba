"""qiappraise.base.yamlio: located, safe YAML reading and atomic writing."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from qiappraise.base import yamlio
from qiappraise.base.errors import InputError
from qiappraise.base.yamlio import atomic_open, load_file, load_text, read_text, write_text

from .conftest import WriteYaml


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_text(text, "f.yaml")
    return info.value


# --- values and lines --------------------------------------------------------


def test_lines_for_nested_paths() -> None:
    text = (
        "# a comment\n"  # 1
        "project:\n"  # 2
        "  title: T\n"  # 3
        "answers:\n"  # 4
        "  groups:\n"  # 5
        "    - children\n"  # 6
        "    - staff\n"  # 7
        "  items:\n"  # 8
        "    - name: a\n"  # 9
        "      size: 2\n"  # 10
    )
    loc = load_text(text, "p.yaml")
    assert loc.data == {
        "project": {"title": "T"},
        "answers": {"groups": ["children", "staff"], "items": [{"name": "a", "size": 2}]},
    }
    assert loc.line(("project",)) == 2
    assert loc.line(("project", "title")) == 3
    assert loc.line(("answers", "groups", 0)) == 6
    assert loc.line(("answers", "groups", 1)) == 7
    assert loc.line(("answers", "items", 0)) == 9
    assert loc.line(("answers", "items", 0, "size")) == 10
    # An unknown path falls back to its nearest known ancestor.
    assert loc.line(("answers", "items", 0, "nope", 3)) == 9
    assert loc.line(("nothing",)) == 2  # the document's first node
    err = loc.error(("project", "title"), "bad")
    assert str(err) == "p.yaml:3: bad"


def test_duplicate_key_names_both_lines() -> None:
    err = _error("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert err.line == 4
    assert err.message == "duplicate key 'b' (first given on line 2); each key may appear once"


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['echo hacked']\n",
        "x: !!python/name:os.system\n",
        "x: !!python/object:collections.OrderedDict {}\n",
        "x: !custom 3\n",
    ],
)
def test_unknown_tags_are_refused(text: str) -> None:
    err = _error(text)
    assert err.line == 1
    assert "unsupported YAML tag" in err.message


def test_yes_key_stays_text_but_yes_value_is_true() -> None:
    data = load_text("yes: yes\nno: no\non: off\n").data
    assert data == {"yes": True, "no": False, "on": False}
    assert all(type(k) is str for k in data)


def test_dates_become_iso_strings() -> None:
    data = load_text("d: 2026-01-31\nt: 2026-01-31 10:30:00\nq: '2026-01-31'\n").data
    assert data == {"d": "2026-01-31", "t": "2026-01-31T10:30:00", "q": "2026-01-31"}


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    err = _error(text)
    assert (err.line, err.message) == (1, "file is empty, expected a YAML mapping")


def test_list_at_top_is_loaded_as_a_list() -> None:
    # Shape is the caller's business (proposal and rubric loaders refuse it).
    assert load_text("- a\n- b\n").data == ["a", "b"]


def test_tab_indentation_is_explained() -> None:
    err = _error("a:\n\tb: 1\n")
    assert err.line == 2
    assert err.message.startswith("invalid YAML: ")
    assert err.message.endswith("(YAML does not allow tabs for indentation; use spaces)")


def test_syntax_error_has_line() -> None:
    err = _error("a: 1\nb: [1, 2\nc: 3\n")
    assert err.message.startswith("invalid YAML: ")
    assert err.line is not None and err.line >= 2
    assert "tabs" not in err.message


def test_merge_keys_refused() -> None:
    err = _error("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert (err.line, err.message) == (3, "YAML merge keys ('<<') are not supported")


def test_alias_bomb_is_refused_not_expanded() -> None:
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    names = "abcdefghij"
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    assert len(lines) == 10  # 9 ** 10 values if expanded
    err = _error("\n".join(lines) + "\n")
    assert "document expands to more than 200000 values" in err.message


def test_recursive_alias_is_refused() -> None:
    err = _error("a: &a [*a]\n")
    assert "nesting deeper than 64 levels" in err.message


def test_nesting_limit() -> None:
    ok = "a: " + "[" * 60 + "]" * 60 + "\n"
    assert load_text(ok).data["a"] is not None
    err = _error("a: " + "[" * 70 + "]" * 70 + "\n")
    assert (err.line, err.message) == (1, "nesting deeper than 64 levels; not loaded")


# --- reading files -----------------------------------------------------------


def test_load_file_names_the_file(tmp_path: Path, write_yaml: WriteYaml) -> None:
    p = write_yaml(tmp_path, "ok.yaml", "\ufeffa: 1\n")  # a BOM is tolerated
    loc = load_file(p)
    assert (loc.data, loc.file) == ({"a": 1}, str(p))


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "latin1.yaml"
    p.write_bytes(b"a: 1\nb: 2\nc: caf\xe9\n")
    with pytest.raises(InputError) as info:
        read_text(p)
    assert info.value.line == 3
    assert info.value.message == "not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    assert str(info.value) == f"{p}:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "image.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="looks like a binary file"):
        read_text(p)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_text(tmp_path)
    assert info.value.message == "is a directory, expected a YAML file"
    assert info.value.file == str(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as info:
        load_file(p)
    assert str(info.value) == f"{p}: no such file"


def test_unreadable_file(
    tmp_path: Path, write_yaml: WriteYaml, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write_yaml(tmp_path, "secret.yaml", "a: 1\n")
    if os.geteuid() == 0:
        # root reads anything whatever the mode, so simulate the refusal.
        def deny(path: object, *args: object, **kwargs: object) -> object:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(yamlio.os, "open", deny)
    else:
        p.chmod(0)
    try:
        with pytest.raises(InputError) as info:
            read_text(p)
    finally:
        p.chmod(0o644)
    assert info.value.message == "permission denied: cannot read this file"


def test_size_limit(tmp_path: Path, write_yaml: WriteYaml) -> None:
    p = write_yaml(tmp_path, "big.yaml", "a: " + "x" * 100 + "\n")  # 104 bytes
    assert read_text(p, max_bytes=104).startswith("a: x")
    with pytest.raises(InputError) as info:
        read_text(p, max_bytes=103)
    assert info.value.message == "file is larger than the 103 bytes limit for input files"
    with pytest.raises(InputError, match="larger than the 1 KB limit"):
        read_text(write_yaml(tmp_path, "big2.yaml", "x" * 1025), max_bytes=1024)


def test_default_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert yamlio.MAX_BYTES == 2 * 1024 * 1024
    p = tmp_path / "huge.yaml"
    p.write_bytes(b"a: " + b"x" * yamlio.MAX_BYTES)
    with pytest.raises(InputError) as info:
        load_file(p)
    assert info.value.message == "file is larger than the 2 MB limit for input files"


# --- writing -----------------------------------------------------------------


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert sorted(os.listdir(tmp_path)) == ["out.yaml"]


def test_atomic_write_creates(tmp_path: Path) -> None:
    target = tmp_path / "fresh.yaml"
    with atomic_open(target) as fh:
        fh.write("ü: 1\n")
    assert target.read_bytes() == "ü: 1\n".encode()


def test_failure_inside_atomic_open_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    old = b"keep: me\r\n\x00binary too"
    target.write_bytes(old)
    with pytest.raises(RuntimeError, match="boom"), atomic_open(target) as fh:
        fh.write("half a fi")
        raise RuntimeError("boom")
    assert target.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["out.yaml"]


def test_keyboard_interrupt_inside_atomic_open_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "new.yaml"
    with pytest.raises(KeyboardInterrupt), atomic_open(target) as fh:
        fh.write("x")
        raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_write_into_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.yaml"
    with pytest.raises(InputError) as info:
        write_text(target, "x")
    assert info.value.message == "cannot write: the folder does not exist"
    assert info.value.file == str(target)


def test_dump_round_trips_and_keeps_order() -> None:
    data = {"z": 1, "a": {"story": "line one\nline two\n", "tags": ["b", "a"]}}
    text = yamlio.dump(data)
    assert text.index("z:") < text.index("a:")
    assert "story: |" in text
    assert load_text(text).data == data


def test_the_loader_needs_no_path_resolvers() -> None:
    # _Loader skips PyYAML's path-resolver bookkeeping, which is only right
    # while the safe loader has none.
    from qiappraise.base.yamlio import _BaseLoader

    assert not _BaseLoader.yaml_path_resolvers


def test_remembered_tags_give_the_same_values() -> None:
    text = "a: yes\nb: 'yes'\nc: 2026-01-15\nd: '2026-01-15'\ne: 1.5\nf: null\ng: ~\nh: text\n"
    first = load_text(text).data
    again = load_text(text).data  # now from the remembered tags
    assert (
        first
        == again
        == {
            "a": True,
            "b": "yes",
            "c": "2026-01-15",
            "d": "2026-01-15",
            "e": 1.5,
            "f": None,
            "g": None,
            "h": "text",
        }
    )
    assert type(again["c"]) is str


def test_an_unclosed_bracket_says_where_it_opened() -> None:
    with pytest.raises(InputError) as info:
        load_text("a: 1\nb: [x, y\nc: 2\n", "f.yaml")
    assert info.value.line == 3  # where libyaml noticed
    assert "(while parsing a flow sequence that starts on line 2)" in info.value.message
