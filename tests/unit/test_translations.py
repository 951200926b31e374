"""Every translatable string has a Chinese translation that keeps its placeholders.

Extraction runs as ``pybabel extract -F babel.cfg -k _l -k lazy_gettext -k Msg`` does, so a string
added to the code or a template without a zh translation (or with a fuzzy one) fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ZH_CATALOG = ROOT / "examsvc" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "Msg": None}

#: %(name)s-style (and bare %s) placeholders, and {name}-style ones; a literal "%%" is none.
PLACEHOLDER = re.compile(
    r"%%"
    r"|%(?:\((?P<name>\w+)\))?[-#0+]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]"
    r"|\{(?P<field>\w*)(?:![rsa])?(?::[^{}]*)?\}"
)


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%"}


def extracted_messages() -> dict[tuple[str, str | None], set[str]]:
    """(msgid, context) → the places it occurs, for every string the project marks."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, filename=str(ROOT / "babel.cfg"))
    found: dict[tuple[str, str | None], set[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), set()).add(f"{filename}:{lineno}")
    return found


def test_every_extracted_string_has_a_chinese_translation_with_the_same_placeholders():
    extracted = extracted_messages()
    assert len(extracted) > 100, "extraction found suspiciously few strings"
    with open(ZH_CATALOG, "rb") as f:
        catalog = read_po(f)

    problems = []
    for (msgid, context), places in sorted(extracted.items(), key=lambda kv: kv[0][0]):
        where = f"{msgid!r} ({sorted(places)[0]})"
        message = catalog.get(msgid, context=context)
        if message is None:
            problems.append(f"{where}: not in the zh catalog (run pybabel update)")
            continue
        if message.fuzzy:
            problems.append(f"{where}: the zh translation is fuzzy")
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(forms):
            problems.append(f"{where}: no zh translation")
            continue
        expected = placeholders(msgid)
        for form in forms:
            if placeholders(form) != expected:
                problems.append(
                    f"{where}: placeholders {sorted(placeholders(form))} in {form!r}, "
                    f"expected {sorted(expected)}"
                )
    assert not problems, "\n".join(problems)


def test_placeholder_pattern():
    assert placeholders("row %(row)s: %(n)d of {total}, 100%% {n}") == {
        "%(row)s",
        "%(n)d",
        "{total}",
        "{n}",
    }
    assert placeholders("第 %(row)s 行") != placeholders("row %(rows)s")
    assert placeholders("no placeholder, 100%%") == set()


def test_the_catalogs_compile_without_errors():
    """What `pybabel compile` checks (python-format placeholders and the like) holds."""
    for po in (ROOT / "examsvc" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with open(po, "rb") as fh:
            catalog = read_po(fh)
        problems = [(message.id, errors) for message, errors in catalog.check() if errors]
        assert problems == [], f"{po}: {problems}"
