"""Pagefind's bundle made reproducible: the same pages give the same bytes.

Pagefind 1.5 writes its filter indexes (`filter/*.pf_filter`) and the list of filters in its
metadata (`pagefind.*.pf_meta`) in the order of Rust hash maps, which is new in every process
(upstream issue #638 made only the fragments stable). Every build of a shard therefore differs
from the last, and so do the metadata's and the entry file's names for it. This puts those lists
in a fixed order (languages and filters by name, a filter's values by value) and names each
rewritten file as Pagefind names it: the language, then the first hex digits of the SHA-1 of its CBOR. The result
is what Pagefind would have written had its maps iterated in sorted order; nothing else in the
bundle is touched. The files are Pagefind's own format: gzip of `pagefind_dcd` followed by CBOR.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

MAGIC = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
FILTERS, SORTS = 3, 4  # positions in the metadata's array: [version, pages, chunks, filters, sorts, ...]


class BundleError(ValueError):
    """The bundle is not in the form this Pagefind writes: it cannot be made reproducible."""


def make_reproducible(bundle: Path) -> None:
    """Rewrite the unordered parts of a freshly built bundle in a fixed order, in place."""
    entry_path = bundle / ENTRY
    try:
        entry = json.loads(entry_path.read_bytes())
        entry["languages"] = dict(sorted(entry["languages"].items()))
        for language, about in entry["languages"].items():
            about["hash"] = _meta(bundle, language, about["hash"])
    except (KeyError, TypeError, ValueError, IndexError, EOFError, OSError, cbor2.CBORDecodeError) as exc:
        raise BundleError(f"unexpected Pagefind bundle ({type(exc).__name__}: {exc})") from None
    entry_path.write_bytes(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode())


def _meta(bundle: Path, language: str, digest: str) -> str:
    """The language's metadata with its filters in order and each filter index rewritten; its new hash."""
    path = bundle / f"pagefind.{digest}.pf_meta"
    meta = _load(path)
    filters = []
    for name, filter_digest in sorted(meta[FILTERS]):
        index_path = bundle / "filter" / f"{filter_digest}.pf_filter"
        index = _load(index_path)
        index[1].sort(key=lambda value: value[0])
        filters.append([name, _store(index_path, language, filter_digest, index, "{}.pf_filter")])
    meta[FILTERS] = filters
    meta[SORTS].sort(key=lambda sort: sort[0])
    return _store(path, language, digest, meta, "pagefind.{}.pf_meta")


def _load(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise BundleError(f"{path.name} is not a Pagefind index")
    return cbor2.loads(data[len(MAGIC):])


def _store(path: Path, language: str, old_digest: str, value: Any, name: str) -> str:
    """Write `value` under Pagefind's name for it (as long a hash as the old name's), replacing
    the file at `path`; gzip without a timestamp, so equal content is equal bytes."""
    encoded = cbor2.dumps(value)
    digest = f"{language}_{hashlib.sha1(encoded).hexdigest()[:len(old_digest) - len(language) - 1]}"
    target = path.with_name(name.format(digest))
    data = gzip.compress(MAGIC + encoded, compresslevel=9, mtime=0)
    if target != path:
        path.unlink()
    target.write_bytes(data)
    return digest



def verify(bundle: Path) -> None:
    """A bundle is whole: its entry file parses, every file it names (each language's metadata
    and WebAssembly, its index chunks, page fragments and filter indexes) is there and in
    Pagefind's format, and no file in it is empty (the scripts and styles a search page loads
    among them). BundleError names the first that is not: Pagefind exits 0 even when its own
    writes fail (a disk that filled up, an I/O error), leaving empty or missing files."""
    try:
        entry = json.loads((bundle / ENTRY).read_bytes())
        for language, about in entry["languages"].items():
            meta = _load(bundle / f"pagefind.{about['hash']}.pf_meta")
            _whole(bundle / f"wasm.{about['wasm'] or 'unknown'}.pagefind")  # no stemmer (Kazakh): the generic one
            for page in meta[1]:
                _whole(bundle / "fragment" / f"{page[0]}.pf_fragment", gzipped=True)
            for chunk in meta[2]:
                _whole(bundle / "index" / f"{chunk[2]}.pf_index", gzipped=True)
            for _, digest in meta[FILTERS]:
                _load(bundle / "filter" / f"{digest}.pf_filter")
            if not meta[1]:
                raise BundleError(f"the {language} index names no page")
        for path in bundle.rglob("*"):  # the scripts and styles a search page loads, and anything else
            if path.is_file():
                _whole(path)
    except (OSError, KeyError, TypeError, IndexError, ValueError, EOFError, cbor2.CBORDecodeError) as exc:
        raise BundleError(f"incomplete Pagefind bundle ({type(exc).__name__}: {exc})") from None


def _whole(path: Path, gzipped: bool = False) -> None:
    with open(path, "rb") as stream:
        start = stream.read(2)
    if not start or (gzipped and start != b"\x1f\x8b"):
        raise BundleError(f"{path.name} is empty or damaged")
