"""Moodle XML: multichoice, truefalse, shortanswer, essay and short-answer cloze."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from xml.etree.ElementTree import Element

from question_bank.errors import Msg
from question_bank.formats.areas import category_of
from question_bank.formats.common import (
    BLANK,
    FILE,
    IMAGES_SKIPPED,
    MAX_ITEMS,
    Collector,
    ParseResult,
    format_number,
    join_reference,
    judge_value,
    parse_points,
    parse_rubric,
    split_reference,
    strip_option_labels,
    with_blank,
)
from question_bank.formats.safety import local_name, parse_xml
from question_bank.formats.text import html_to_text
from question_bank.model import BLANK_RE, OPTION_LABELS, Question, QuestionType

FORMAT = "moodle-xml"
_DIFFICULTY_TAG = re.compile(r"^(?:difficulty|难度)\s*[:=：]\s*([1-5])$", re.IGNORECASE)


def read(data: bytes, limit: int = MAX_ITEMS) -> ParseResult:
    """Read a Moodle XML <quiz>; unsupported types are skipped with a warning."""
    root = parse_xml(data)
    collector = Collector(FORMAT, limit)
    if local_name(root.tag) != "quiz":
        collector.error(
            FILE,
            Msg("not a Moodle XML quiz: the root element is <%(root)s>", code="moodle_root",
                root=root.tag),
        )  # fmt: skip
        return collector.result
    category = ""
    for number, element in enumerate(root.findall("question"), start=1):
        qtype = (element.get("type") or "").strip()
        if qtype == "category":
            category = text_of(element.find("category"))
            continue
        where = _where(number, element)
        reader = _READERS.get(qtype)
        if not qtype:
            collector.error(where, Msg("the question has no type", code="moodle_no_type"))
        elif reader is None:
            collector.unsupported(where, qtype)
        elif _has_images(element):
            collector.skip(where, IMAGES_SKIPPED)
        else:
            reader(element, collector, where, _common(element, category))
    return collector.result


def _has_images(element: Element) -> bool:
    for node in element.iter():
        if node.tag == "file" or (node.tag == "text" and "<img" in (node.text or "").lower()):
            return True
    return False


def text_of(element: Element | None) -> str:
    """The text of a Moodle text field (<x><text>…</text></x> or bare), HTML made plain."""
    if element is None:
        return ""
    inner = element.find("text")
    raw = (inner.text if inner is not None else element.text) or ""
    return html_to_text(raw) if element.get("format") == "html" else raw.strip()


def _where(number: int, element: Element) -> str:
    name = " ".join(text_of(element.find("name")).split())
    if name:
        return Msg("question %(n)s «%(name)s»", code="at_named_question", n=number, name=name[:40])
    return Msg("question %(n)s", code="at_question", n=number)


def _common(element: Element, category: str) -> dict:
    difficulty = None
    for tag in element.iterfind("tags/tag"):
        match = _DIFFICULTY_TAG.match(text_of(tag))
        if match:
            difficulty = int(match.group(1))
    points, _problem = parse_points(text_of(element.find("defaultgrade")))
    return {
        "stem": text_of(element.find("questiontext")),
        "explanation": text_of(element.find("generalfeedback")),
        "difficulty": difficulty,
        "points": points,
        "category": category,
    }


def _answers(element: Element) -> tuple[list[tuple[str, float]], list[str]]:
    answers: list[tuple[str, float]] = []
    problems: list[str] = []
    for i, answer in enumerate(element.findall("answer"), start=1):
        try:
            fraction = float(answer.get("fraction") or 0)
        except ValueError:
            problems.append(
                Msg("answer %(n)s has the fraction %(fraction)s", code="moodle_fraction",
                    n=i, fraction=repr(answer.get("fraction")))
            )  # fmt: skip
            fraction = 0.0
        answers.append((text_of(answer), fraction))
    return answers, problems


def _multichoice(element: Element, collector: Collector, where: str, common: dict) -> None:
    answers, problems = _answers(element)
    if any(not text and fraction > 0 for text, fraction in answers):
        problems.append(Msg("an answer marked correct is empty", code="moodle_empty_right"))
    answers = [(text, fraction) for text, fraction in answers if text]  # Moodle drops blanks
    single_text = (element.findtext("single") or "").strip().lower()
    key: object
    correct = [OPTION_LABELS[i] for i, (_, f) in enumerate(answers[:8]) if f > 0]
    full = [OPTION_LABELS[i] for i, (_, f) in enumerate(answers[:8]) if f >= 99.99]
    if single_text in ("true", "1") or (not single_text and len(correct) <= 1):
        if single_text and len(full) > 1:
            problems.append(
                Msg("%(n)s answers are marked fully correct in a single choice",
                    code="moodle_several_right", n=len(full))
            )  # fmt: skip
        qtype, key = "single", "".join(full[:1] or correct[:1])
    else:
        qtype, key = "multiple", correct
    options = strip_option_labels([text for text, _ in answers])
    collector.add(where, problems=problems, type=qtype, options=options, key=key, **common)


def _truefalse(element: Element, collector: Collector, where: str, common: dict) -> None:
    answers, problems = _answers(element)
    right = [text for text, fraction in answers if fraction >= 99.99]
    key = judge_value(right[0]) if len(right) == 1 else None
    if key is None:
        problems.append(
            Msg("a true/false question needs one answer true or false with fraction 100",
                code="moodle_truefalse")
        )  # fmt: skip
    collector.add(where, problems=problems, type="judge", key=key, **common)


def _shortanswer(element: Element, collector: Collector, where: str, common: dict) -> None:
    answers, problems = _answers(element)
    accepted = [text for text, fraction in answers if text and fraction >= 99.99]
    stem = with_blank(common.pop("stem"), append=True)
    collector.add(where, problems=problems, type="fill", stem=stem, key=[accepted], **common)


def _essay(element: Element, collector: Collector, where: str, common: dict) -> None:
    reference, rubric_text = split_reference(text_of(element.find("graderinfo")))
    rubric, problems = parse_rubric(rubric_text)
    collector.add(where, problems=problems, type="short", key=reference, rubric=rubric, **common)


_CLOZE = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_SHORT_CLOZE = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
_CLOZE_SPLIT = re.compile(r"(?<!\\)~")
_CLOZE_ESCAPE = re.compile(r"\\(.)")
_CLOZE_FEEDBACK = re.compile(r"(?<!\\)#")


def _cloze(element: Element, collector: Collector, where: str, common: dict) -> None:
    raw_node = element.find("questiontext")
    inner = raw_node.find("text") if raw_node is not None else None
    raw = (
        (inner.text if inner is not None else raw_node.text) if raw_node is not None else ""
    ) or ""
    parts = _CLOZE.findall(raw)
    kinds = sorted({kind for _, kind, _ in parts} - _SHORT_CLOZE)
    if not parts or kinds:
        collector.unsupported(where, "cloze" + (f" ({', '.join(kinds)})" if kinds else ""))
        return
    blanks = [_cloze_accepted(body) for _, _, body in parts]
    stem = _CLOZE.sub(BLANK, raw)
    if raw_node is not None and raw_node.get("format") == "html":
        stem = html_to_text(stem)
    common["stem"] = stem
    collector.add(where, type="fill", key=blanks, **common)


def _cloze_accepted(body: str) -> list[str]:
    accepted = []
    for answer in _CLOZE_SPLIT.split(body):
        answer = _CLOZE_FEEDBACK.split(answer, maxsplit=1)[0]
        for prefix in ("=", "%100%"):
            if answer.startswith(prefix):
                accepted.append(_CLOZE_ESCAPE.sub(r"\1", answer[len(prefix) :]).strip())
    return accepted


_READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "essay": _essay,
    "cloze": _cloze,
}


def write(questions: Sequence[Question]) -> tuple[bytes, list[tuple[int, str]]]:
    """A Moodle XML quiz of the questions, a category question before each change of area."""
    quiz = ET.Element("quiz")
    category = None
    for question in questions:
        wanted = category_of(question.area, question.point)
        if wanted != category:
            category = wanted
            node = ET.SubElement(ET.SubElement(quiz, "question", type="category"), "category")
            ET.SubElement(node, "text").text = f"$course$/top/{category}"
        quiz.append(_question_element(question))
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True), []


def _text(parent: Element, tag: str, text: str, **attrs: str) -> Element:
    node = ET.SubElement(parent, tag, attrs)
    ET.SubElement(node, "text").text = text
    return node


def _question_element(question: Question) -> Element:
    qtype = question.type
    multi_blank = qtype is QuestionType.FILL and len(question.key) > 1  # type: ignore[arg-type]
    moodle_type = {
        QuestionType.SINGLE: "multichoice",
        QuestionType.MULTIPLE: "multichoice",
        QuestionType.JUDGE: "truefalse",
        QuestionType.FILL: "cloze" if multi_blank else "shortanswer",
        QuestionType.SHORT: "essay",
    }[qtype]
    node = ET.Element("question", type=moodle_type)
    _text(node, "name", " ".join(question.stem.split())[:60])
    stem = _cloze_stem(question) if multi_blank else question.stem
    _text(node, "questiontext", stem, format="plain_text")
    _text(node, "generalfeedback", question.explanation, format="plain_text")
    tags = ET.SubElement(node, "tags")
    _text(tags, "tag", f"difficulty:{question.difficulty}")
    _ANSWER_WRITERS[qtype](node, question)
    return node


def _choice_answers(node: Element, question: Question) -> None:
    keys = [question.key] if question.type is QuestionType.SINGLE else list(question.key)  # type: ignore[call-overload]
    ET.SubElement(node, "single").text = "true" if question.type is QuestionType.SINGLE else "false"
    ET.SubElement(node, "shuffleanswers").text = "true"
    ET.SubElement(node, "answernumbering").text = "ABCD"
    share = format_number(round(100 / len(keys), 5))
    for label, option in zip(OPTION_LABELS, question.options, strict=False):
        _text(node, "answer", option, fraction=share if label in keys else "0", format="plain_text")


def _judge_answers(node: Element, question: Question) -> None:
    for value in (True, False):
        fraction = "100" if question.key is value else "0"
        _text(node, "answer", "true" if value else "false", fraction=fraction)


def _fill_answers(node: Element, question: Question) -> None:
    if len(question.key) == 1:  # type: ignore[arg-type]
        ET.SubElement(node, "usecase").text = "0"
        for accepted in question.key[0]:  # type: ignore[index]
            _text(node, "answer", accepted, fraction="100", format="plain_text")


def _short_answers(node: Element, question: Question) -> None:
    reference = join_reference(str(question.key), tuple(getattr(question, "rubric", ()) or ()))
    ET.SubElement(node, "responseformat").text = "editor"
    _text(node, "graderinfo", reference, format="plain_text")


_ANSWER_WRITERS = {
    QuestionType.SINGLE: _choice_answers,
    QuestionType.MULTIPLE: _choice_answers,
    QuestionType.JUDGE: _judge_answers,
    QuestionType.FILL: _fill_answers,
    QuestionType.SHORT: _short_answers,
}
_CLOZE_SPECIAL = re.compile(r"([\\}#~/\"])")


def _cloze_stem(question: Question) -> str:
    """A multi-blank fill question as Moodle cloze: each ___ becomes {1:SHORTANSWER:=a~=b}."""
    blanks = iter(question.key)  # type: ignore[call-overload]

    def embed(_match: re.Match[str]) -> str:
        answers = "~".join("=" + _CLOZE_SPECIAL.sub(r"\\\1", a) for a in next(blanks))
        return "{1:SHORTANSWER:" + answers + "}"

    return BLANK_RE.sub(embed, question.stem)
