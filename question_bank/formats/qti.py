"""IMS QTI 2.1 and 3.0 items, alone or in a content package (zip with imsmanifest.xml).

Choice interactions give single, multiple or (two options 正确/错误) judge questions;
text-entry interactions fill-in questions; one extended-text interaction a short answer.
Items with any other interaction are skipped with a warning.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from question_bank.errors import Msg
from question_bank.formats.common import (
    BLANK,
    FILE,
    IMAGES_SKIPPED,
    MAX_ITEMS,
    Collector,
    FileRejected,
    ParseResult,
    judge_value,
    parse_rubric,
    split_reference,
    strip_option_labels,
)
from question_bank.formats.safety import local_name, open_zip, parse_xml, read_entry
from question_bank.model import OPTION_LABELS

FORMAT = "qti"
LOM_DIFFICULTY = ("very easy", "easy", "medium", "difficult", "very difficult")
_SKIPPED = {"rubricBlock", "modalFeedback", "feedbackBlock", "feedbackInline", "templateBlock"}
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "pre", "blockquote", "prompt"}
_BLOCKS |= {f"h{i}" for i in range(1, 7)}
_SPACES = re.compile(r"[ \t\r\n]+")


def name(element: Element) -> str:
    """QTI 2 name of an element: QTI 3 "qti-simple-choice" becomes "simpleChoice"."""
    return _camel(local_name(element.tag))


def _camel(text: str) -> str:
    if text.startswith("qti-"):
        text = text[4:]
    first, *rest = text.split("-")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def attr(element: Element | None, key: str) -> str:
    """An attribute by its QTI 2 name, or its QTI 3 kebab-case name."""
    if element is None:
        return ""
    kebab = re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), key)
    return (element.get(key) or element.get(kebab) or "").strip()


def _all(element: Element, wanted: str) -> list[Element]:
    return [e for e in element.iter() if name(e) == wanted]


def read(data: bytes, limit: int = MAX_ITEMS) -> ParseResult:
    """Read one QTI item file or a content package."""
    collector = Collector(FORMAT, limit)
    if data[:4] == b"PK\x03\x04":
        _package(collector, data)
    else:
        root = parse_xml(data)
        if name(root) != "assessmentItem":
            collector.error(
                FILE,
                Msg("not a QTI assessment item: the root element is <%(root)s>",
                    code="qti_root", root=name(root)),
            )  # fmt: skip
        else:
            _item(collector, root, "", {})
    return collector.result


def _package(collector: Collector, data: bytes) -> None:
    archive = open_zip(data)
    names = set(archive.namelist())
    if "imsmanifest.xml" in names:
        manifest = parse_xml(read_entry(archive, "imsmanifest.xml"), "imsmanifest.xml")
        resources = _manifest_items(manifest)
    else:
        resources = [(n, {}) for n in sorted(names) if n.lower().endswith(".xml")]
    roots: list[str] = []
    for href, meta in resources:
        if href not in names:
            collector.error(
                href,
                Msg("listed in imsmanifest.xml but missing from the package",
                    code="qti_missing_item"),
            )  # fmt: skip
            continue
        try:
            root = parse_xml(read_entry(archive, href), href)
        except FileRejected as exc:
            collector.error(exc.where, exc.message)
            continue
        roots.append(f"{href} <{name(root)}>")
        if name(root) == "assessmentItem":
            _item(collector, root, href, meta)
    if not collector.counted:
        collector.error(FILE, _no_items(roots, "imsmanifest.xml" in names))


def _no_items(roots: list[str], manifest: bool) -> Msg:
    """Why a package holds no item: what it holds instead."""
    if not roots:
        if manifest:
            return Msg(
                "no QTI item in the package: imsmanifest.xml lists no resource of type imsqti_item",
                code="qti_no_resources",
            )
        return Msg("no QTI item in the package: it holds no XML file", code="qti_no_xml")
    return Msg(
        "no QTI item in the package: its XML files are %(found)s, none an assessmentItem",
        code="qti_no_items",
        found=", ".join(roots[:5]) + ("…" if len(roots) > 5 else ""),
    )


def _manifest_items(manifest: Element) -> list[tuple[str, dict]]:
    items = []
    for resource in _all(manifest, "resource"):
        if not resource.get("type", "").startswith("imsqti_item"):
            continue
        files = [f.get("href", "") for f in _all(resource, "file")]
        href = resource.get("href") or (files[0] if files else "")
        items.append((posixpath.normpath(unquote(href)), _lom(resource)))  # "%E9%A2%98.xml"
    return items


def _lom(resource: Element) -> dict:
    meta: dict = {}
    for difficulty in _all(resource, "difficulty"):
        values = [v.text or "" for v in _all(difficulty, "value")]
        if values and values[0].strip().lower() in LOM_DIFFICULTY:
            meta["difficulty"] = LOM_DIFFICULTY.index(values[0].strip().lower()) + 1
    for keyword in _all(resource, "keyword"):
        strings = [s.text or "" for s in _all(keyword, "string")]
        if strings and strings[0].strip():
            meta["category"] = strings[0].strip()
    return meta


def _item(collector: Collector, root: Element, path: str, meta: dict) -> None:
    identifier = attr(root, "identifier") or "?"
    where = (
        Msg("item %(id)s (%(path)s)", code="at_item_path", id=identifier, path=path)
        if path
        else Msg("item %(id)s", code="at_item", id=identifier)
    )
    body = next(iter(_all(root, "itemBody")), None)
    interactions = [
        e for e in (body.iter() if body is not None else ()) if name(e).endswith("Interaction")
    ]
    kinds = sorted({name(e) for e in interactions})
    if body is not None and any(name(e) in ("img", "object") for e in body.iter()):
        collector.skip(where, IMAGES_SKIPPED)
        return
    common = {
        "stem": render(body) if body is not None else "",
        "explanation": "\n".join(render(m) for m in _all(root, "modalFeedback")),
        "category": meta.get("category", ""),
        "difficulty": meta.get("difficulty"),
    }
    declarations = {attr(d, "identifier"): d for d in _all(root, "responseDeclaration")}
    if kinds == ["choiceInteraction"] and len(interactions) == 1:
        _choice(collector, where, interactions[0], declarations, common)
    elif kinds == ["textEntryInteraction"]:
        blanks = [_accepted(declarations.get(attr(i, "responseIdentifier"))) for i in interactions]
        collector.add(where, type="fill", key=blanks, **common)
    elif kinds == ["extendedTextInteraction"] and len(interactions) == 1:
        _short(
            collector,
            where,
            root,
            declarations.get(attr(interactions[0], "responseIdentifier")),
            common,
        )
    else:
        collector.unsupported(
            where,
            ", ".join(kinds) or Msg("items without an interaction", code="qti_no_interaction"),
        )


def render(element: Element) -> str:
    """Plain text of QTI/XHTML content: prompts kept, text entries as ___, choices left out."""
    parts: list[str] = [_SPACES.sub(" ", element.text or "")]
    for child in element:
        _render(child, parts)
        parts.append(_SPACES.sub(" ", child.tail or ""))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _render(element: Element, parts: list[str]) -> None:
    kind = name(element)
    if kind in _SKIPPED:
        return
    if kind == "textEntryInteraction":
        parts.append(BLANK)
        return
    block = kind in _BLOCKS or kind.endswith("Interaction")
    parts.append("\n" if block else "")
    if kind.endswith("Interaction"):
        for child in element:
            if name(child) == "prompt":
                _render(child, parts)
    else:
        parts.append(_SPACES.sub(" ", element.text or ""))
        for child in element:
            _render(child, parts)
            parts.append(_SPACES.sub(" ", child.tail or ""))
    parts.append("\n" if block else "")


def _values(declaration: Element | None) -> list[str]:
    if declaration is None:
        return []
    correct = next(iter(_all(declaration, "correctResponse")), None)
    return [(v.text or "").strip() for v in _all(correct, "value")] if correct is not None else []


def _accepted(declaration: Element | None) -> list[str]:
    accepted = _values(declaration)
    for entry in _all(declaration, "mapEntry") if declaration is not None else ():
        try:
            positive = float(attr(entry, "mappedValue") or 0) > 0
        except ValueError:
            positive = False
        if positive:
            accepted.append(attr(entry, "mapKey"))
    return list(dict.fromkeys(a for a in accepted if a))


def _choice(
    collector: Collector, where: str, interaction, declarations: dict, common: dict
) -> None:
    choices = _all(interaction, "simpleChoice")
    ids = [attr(c, "identifier") for c in choices]
    options = strip_option_labels([render(c) for c in choices])
    declaration = declarations.get(attr(interaction, "responseIdentifier"))
    correct = _values(declaration)
    problems: list[str] = [
        Msg("the correct response %(value)s is not among the choices", code="qti_bad_response",
            value=repr(v))
        for v in correct
        if v not in ids
    ]  # fmt: skip
    labels = [OPTION_LABELS[ids.index(v)] for v in correct if v in ids[: len(OPTION_LABELS)]]
    cardinality = attr(declaration, "cardinality")
    multiple = cardinality == "multiple" or (
        not cardinality and attr(interaction, "maxChoices") != "1"
    )
    judged = [judge_value(o) for o in options]
    if not multiple and len(options) == 2 and None not in judged and judged[0] != judged[1]:
        value = judged[OPTION_LABELS.index(labels[0])] if len(labels) == 1 else None
        collector.add(where, problems=problems, type="judge", key=value, **common)
        return
    key: object = labels if multiple else "".join(labels)
    qtype = "multiple" if multiple else "single"
    collector.add(where, problems=problems, type=qtype, options=options, key=key, **common)


def _short(collector: Collector, where: str, root: Element, declaration, common: dict) -> None:
    reference = "\n".join(_values(declaration))
    scorer = [render(r) for r in _all(root, "rubricBlock") if "scorer" in attr(r, "view")]
    text = "\n".join(scorer)
    rubric, problems = parse_rubric(split_reference(text)[1] or text)
    collector.add(where, problems=problems, type="short", key=reference, rubric=rubric, **common)
