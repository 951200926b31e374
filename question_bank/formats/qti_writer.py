"""A QTI 2.1 content package of questions: imsmanifest.xml and one item file each."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from question_bank.formats.areas import category_of
from question_bank.formats.common import format_number
from question_bank.formats.qti import LOM_DIFFICULTY
from question_bank.model import BLANK_RE, OPTION_LABELS, Question, QuestionType

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
JUDGE_OPTIONS = (("T", "正确", True), ("F", "错误", False))


def write(questions: Sequence[Question]) -> tuple[bytes, list[tuple[int, str]]]:
    """The zip bytes of a QTI 2.1 package; every type fits, so nothing is skipped."""
    buffer = io.BytesIO()
    resources = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, question in enumerate(questions, start=1):
            identifier = f"Q{index:05d}"
            href = f"items/{identifier}.xml"
            archive.writestr(href, _item_xml(identifier, question))
            resources.append(_resource(identifier, href, question))
        archive.writestr("imsmanifest.xml", _manifest(resources))
    return buffer.getvalue(), []


def _q(tag: str) -> str:
    return tag  # the namespace is declared once, as xmlns on the root


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, _q(tag), attrs)
    node.text = text
    return node


def _item_xml(identifier: str, question: Question) -> bytes:
    title = " ".join(question.stem.split())[:60]
    item = ET.Element(
        _q("assessmentItem"),
        xmlns=NS,
        identifier=identifier,
        title=title,
        adaptive="false",
        timeDependent="false",
    )
    body_builder = _BUILDERS[question.type]
    body_builder(item, question)
    if question.explanation:
        _sub(
            item,
            "modalFeedback",
            question.explanation,
            outcomeIdentifier="FEEDBACK",
            identifier="SOLUTION",
            showHide="show",
        )
    return ET.tostring(item, encoding="utf-8", xml_declaration=True)


def _declare(item: ET.Element, identifier: str, cardinality: str, base: str, values) -> ET.Element:
    declaration = _sub(
        item, "responseDeclaration", identifier=identifier, cardinality=cardinality, baseType=base
    )
    if values:
        correct = _sub(declaration, "correctResponse")
        for value in values:
            _sub(correct, "value", value)
    return declaration


def _outcomes(item: ET.Element) -> None:
    _sub(item, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    _sub(
        item,
        "outcomeDeclaration",
        identifier="FEEDBACK",
        cardinality="single",
        baseType="identifier",
    )


def _stem_paragraphs(body: ET.Element, stem: str) -> None:
    for line in stem.split("\n"):
        _sub(body, "p", line)


def _choice(item: ET.Element, question: Question) -> None:
    if question.type is QuestionType.JUDGE:
        choices = [(ident, text) for ident, text, _ in JUDGE_OPTIONS]
        keys = [ident for ident, _, value in JUDGE_OPTIONS if value is question.key]
        cardinality, max_choices = "single", "1"
    else:
        choices = list(zip(OPTION_LABELS, question.options, strict=False))
        single = question.type is QuestionType.SINGLE
        keys = [str(question.key)] if single else [str(k) for k in question.key]  # type: ignore[attr-defined]
        cardinality, max_choices = ("single", "1") if single else ("multiple", "0")
    _declare(item, "RESPONSE", cardinality, "identifier", keys)
    _outcomes(item)
    body = _sub(item, "itemBody")
    _stem_paragraphs(body, question.stem)
    interaction = _sub(
        body,
        "choiceInteraction",
        responseIdentifier="RESPONSE",
        shuffle="false",
        maxChoices=max_choices,
    )
    for identifier, text in choices:
        _sub(interaction, "simpleChoice", text, identifier=identifier)
    _sub(item, "responseProcessing", template=TEMPLATES + "match_correct")


def _fill(item: ET.Element, question: Question) -> None:
    blanks = list(question.key)  # type: ignore[call-overload]
    for n, accepted in enumerate(blanks, start=1):
        declaration = _declare(item, f"RESPONSE_{n}", "single", "string", accepted[:1])
        mapping = _sub(declaration, "mapping", defaultValue="0")
        for answer in accepted:
            _sub(mapping, "mapEntry", mapKey=answer, mappedValue="1")
    _outcomes(item)
    body = _sub(item, "itemBody")
    counter = iter(range(1, len(blanks) + 1))
    for line in question.stem.split("\n"):
        paragraph = _sub(body, "p")
        pieces = BLANK_RE.split(line)
        paragraph.text = pieces[0]
        for piece in pieces[1:]:
            entry = _sub(
                paragraph,
                "textEntryInteraction",
                responseIdentifier=f"RESPONSE_{next(counter)}",
                expectedLength="10",
            )
            entry.tail = piece


def _short(item: ET.Element, question: Question) -> None:
    _declare(item, "RESPONSE", "single", "string", [str(question.key)])
    _outcomes(item)
    body = _sub(item, "itemBody")
    rubric = tuple(getattr(question, "rubric", ()) or ())
    if rubric:
        block = _sub(body, "rubricBlock", view="scorer")
        for criterion, points in rubric:
            _sub(block, "p", f"{criterion}（{format_number(points)}分）")
    _stem_paragraphs(body, question.stem)
    _sub(body, "extendedTextInteraction", responseIdentifier="RESPONSE", expectedLines="8")


_BUILDERS = {
    QuestionType.SINGLE: _choice,
    QuestionType.MULTIPLE: _choice,
    QuestionType.JUDGE: _choice,
    QuestionType.FILL: _fill,
    QuestionType.SHORT: _short,
}


def _resource(identifier: str, href: str, question: Question) -> str:
    keyword = escape(category_of(question.area, question.point))
    difficulty = LOM_DIFFICULTY[question.difficulty - 1]
    return (
        f'<resource identifier="RES-{identifier}" type="imsqti_item_xmlv2p1" '
        f"href={quoteattr(href)}>"
        "<metadata><imsmd:lom>"
        f"<imsmd:general><imsmd:keyword><imsmd:string>{keyword}</imsmd:string></imsmd:keyword>"
        "</imsmd:general><imsmd:educational><imsmd:difficulty><imsmd:source>LOMv1.0</imsmd:source>"
        f"<imsmd:value>{difficulty}</imsmd:value></imsmd:difficulty></imsmd:educational>"
        f"</imsmd:lom></metadata><file href={quoteattr(href)}/></resource>"
    )


def _manifest(resources: list[str]) -> str:
    joined = "\n    ".join(resources)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
        'xmlns:imsmd="http://ltsc.ieee.org/xsd/LOM" identifier="MANIFEST-examsvc">\n'
        "  <metadata><schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion>"
        "</metadata>\n  <organizations/>\n  <resources>\n    "
        f"{joined}\n  </resources>\n</manifest>\n"
    )
