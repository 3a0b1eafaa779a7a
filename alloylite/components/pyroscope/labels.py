"""Profile label rules shared by receive_http and write.

Four pieces of Alloy/Pyroscope behaviour live here because both components must
agree on them byte for byte:

- the `/ingest` `name` grammar (`app{k=v,...}`), parsed exactly as Pyroscope's
  labelset parser does, quirks included (spec alloy-pyroscope.md §1.5);
- the service_name/app_name rule receive_http applies on both routes (§1.6);
- the `name` that pyroscope.write rebuilds for the ingest path (§2.4);
- the label validation pyroscope.write runs before sending (§2.3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from alloylite.components.pyroscope.appendable import Labels, make_labels
from alloylite.gocompat import go_quote
from alloylite.runtime.header_labels import shown_value

NAME_LABEL = "__name__"
SERVICE_NAME_LABEL = "service_name"
APP_NAME_LABEL = "app_name"
DELTA_LABEL = "__delta__"

# Go's unicode.IsSpace set: strings.TrimSpace trims exactly these. Python's
# str.strip() would also trim U+001C..U+001F, which Go keeps.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LABEL_NAME_CHARS = _ALNUM | frozenset("_.")
_SERVICE_NAME_CHARS = _ALNUM | frozenset("_.-/")


class LabelError(ValueError):
    """A label set that Pyroscope's rules reject; the text is the user-facing reason."""


def _trim(text: str) -> str:
    return text.strip(_GO_SPACE)


def label_name_error(name: str) -> str | None:
    """Why `name` is not a valid label name (`[A-Za-z0-9_.]+`), or None if it is."""
    if not name:
        return "label name is required"
    if not _LABEL_NAME_CHARS.issuperset(name):
        return f"invalid label name: {name}"
    return None


def _service_name_error(name: str) -> str | None:
    if not name:
        return "service name is required"
    if not _SERVICE_NAME_CHARS.issuperset(name):
        return f"invalid service name: {name}"
    return None


def parse_name_strict(text: str) -> dict[str, str]:
    """Parse an `/ingest` `name` value, raising LabelError as Pyroscope would reject it.

    The result maps label names to values; the app name is `__name__`. Empty
    values are kept (the later label builder drops them), as the parser does.
    """
    labels: dict[str, str] = {}
    # The parser runs over the text plus a sentinel "{": a plain `app` then
    # commits its name, and an unclosed `app{a=1` loses its last label because
    # the sentinel lands inside the value, which only "," or "}" commit.
    brace = text.find("{")
    app_part = text if brace < 0 else text[:brace]
    app = _trim(app_part)
    error = _service_name_error(app)
    if error is not None:
        raise LabelError(error)
    labels[NAME_LABEL] = app
    if brace < 0:
        return labels
    rest = text[brace + 1 :] + "{"
    key: list[str] = []
    value: list[str] = []
    in_value = False
    for ch in rest:
        if not in_value:
            if ch == "}":
                break  # a key without "=" before "}" is silently dropped
            if ch == "=":
                in_value = True
                value.clear()
            else:
                key.append(ch)  # "," and "{" are key characters here; validation rejects them
            continue
        if ch in ",}":
            name = _trim("".join(key))
            if name != NAME_LABEL:
                error = label_name_error(name)
                if error is not None:
                    raise LabelError(error)
            labels[name] = _trim("".join(value))
            key.clear()
            in_value = False
            if ch == "}":
                break  # anything after the closing brace is ignored
        else:
            value.append(ch)
    return labels


def parse_name(text: str) -> dict[str, str] | None:
    """Parse an `/ingest` `name` value; None when Pyroscope's parser would fail."""
    try:
        return parse_name_strict(text)
    except LabelError:
        return None


def ensure_service_name(labels: Labels | Mapping[str, str]) -> Labels:
    """receive_http's service_name/app_name rule (spec §1.6), on both routes.

    Without `service_name`, the app name (`__name__`) becomes the service name;
    with one, the app name is kept as `app_name`. Setting an empty value deletes,
    exactly as Prometheus' label builder does in Alloy.
    """
    pairs = dict(labels.items() if isinstance(labels, Mapping) else labels)
    pairs = {k: v for k, v in pairs.items() if v != ""}
    app = pairs.get(NAME_LABEL, "")
    target = APP_NAME_LABEL if SERVICE_NAME_LABEL in pairs else SERVICE_NAME_LABEL
    if app:
        pairs[target] = app
    else:
        pairs.pop(target, None)
    return make_labels(pairs)


def validate_labels(labels: Iterable[tuple[str, str]]) -> None:
    """pyroscope.write's check before sending (spec §2.3); raises LabelError.

    Names must be unique and match `[A-Za-z0-9_.]+` (except `__name__`), values
    must be valid UTF-8 (a str holding lone surrogates came from bytes that
    were not), and the set must not be empty.
    """
    seen: set[str] = set()
    for name, value in labels:
        if name in seen:
            raise LabelError(f"invalid labels in profile: duplicate label name: {name}")
        seen.add(name)
        if name != NAME_LABEL:
            error = label_name_error(name)
            if error is not None:
                raise LabelError(f"invalid labels in profile: {error}")
        if not _is_utf8(value):
            raise LabelError(f"invalid labels in profile: invalid label value for {name}")
    if not seen:
        raise LabelError("invalid labels in profile: service name is required")


def _is_utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def push_series_labels(labels: Labels, external: Mapping[str, str]) -> Labels:
    """The labels pyroscope.write sends on the push path (spec §2.3 steps 2-4).

    `__*` labels are internal (e.g. scrape's `__meta_*`) and are dropped, except
    `__name__` and `__delta__` which Pyroscope reads; external labels override
    and an empty external value deletes.
    """
    pairs = {
        k: v for k, v in labels if not k.startswith("__") or k == NAME_LABEL or k == DELTA_LABEL
    }
    for k, v in external.items():
        if v == "":
            pairs.pop(k, None)
        else:
            pairs[k] = v
    return make_labels(pairs)


def ingest_labels(labels: Labels) -> Labels:
    """Step 1 of the ingest path (spec §2.4): `__name__` follows `service_name`,
    so relabeling service_name changes the app name the backend sees."""
    pairs = dict(labels)
    service = pairs.get(SERVICE_NAME_LABEL, "")
    if service:
        pairs[NAME_LABEL] = service
        return tuple(sorted(pairs.items()))
    return labels


def build_ingest_name(labels: Iterable[tuple[str, str]], external: Mapping[str, str]) -> str:
    """The normalised `name` for the ingest path: `APP{k=v,...}`, keys sorted, no escaping.

    External labels override, and an empty value (from either side) deletes,
    as Pyroscope's labelset builder does. Without `__name__` the text starts
    with `{`.
    """
    pairs = {k: v for k, v in labels if v != ""}
    for k, v in external.items():
        if v == "":
            pairs.pop(k, None)
        else:
            pairs[k] = v
    app = pairs.pop(NAME_LABEL, "")
    body = ",".join(f"{k}={pairs[k]}" for k in sorted(pairs))
    return f"{app}{{{body}}}"


def labels_string(labels: Labels) -> str:
    """Prometheus' `labels.String()` form, used in push error messages and logs; the values of
    forwarded headers (forward_headers.py) are hidden, as they may be credentials."""
    return "{" + ", ".join(f"{k}={go_quote(shown_value(k, v))}" for k, v in labels) + "}"
