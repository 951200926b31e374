"""Rosters for 组织报名: an xlsx or CSV sheet of people, one per row, as organisations keep them.

The header row is found among the first rows and columns are matched by their Chinese names
and the variants seen in real sheets (身份证号码, 公民身份号码, 联系电话, 电子邮箱…); notes in
brackets, spaces and asterisks in a header cell are ignored. Every row is checked on its own
(name, ID number, a login, dates, category) and against the rows above it (an ID number,
e-mail or mobile repeated: the later row is bad). What needs the database (organisations,
people already known) is the service's part.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from question_bank.checksum import id_number_problem, normalize_id_number
from question_bank.errors import Msg
from question_bank.formats.common import FILE, FileRejected, Problem, at_row
from question_bank.formats.safety import MAX_FILE_BYTES
from question_bank.roster_sheets import HEADER_SCAN_ROWS, MAX_ROWS, sheet_rows, too_many

#: Training-hour categories (DOMAIN.md, seed 003): code → the name a roster uses.
CATEGORIES: dict[str, str] = {
    "community": "农村社区",
    "organ": "机关事业单位",
    "soe": "国有企业、金融企业",
    "two_new": "两新组织",
    "student": "学生",
    "floating": "流动党员",
    "village_secretary": "村社区书记",
    "two_new_secretary": "两新组织书记",
    "village_official": "大学生村官",
}
MAX_NAME = 64
MAX_POST = 64
#: Posts that make a person a leader (is_leader) unless the roster says otherwise.
LEADER_POSTS = ("书记", "委员")

_ALIASES: dict[str, set[str]] = {
    "name": {"姓名", "名字", "人员姓名", "党员姓名", "考生姓名", "真实姓名", "name"},
    "id_number": {
        "身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "居民身份证号码",
        "身份证件号码", "证件号码", "证件号", "idnumber", "idcard",
    },
    "mobile": {
        "手机号", "手机", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "移动电话",
        "联系手机", "mobile", "phone",
    },
    "email": {
        "邮箱", "电子邮箱", "e-mail", "email", "电子邮件", "邮件地址", "电子信箱", "邮箱地址",
    },
    "gender": {"性别", "gender", "sex"},
    "party": {"是否党员", "是否为党员", "是否中共党员", "党员"},
    "political": {"政治面貌"},
    "joined_on": {"入党时间", "入党日期", "入党年月", "入党时间年月"},
    "post": {"职务", "党内职务", "职位", "现任职务", "岗位职务", "post"},
    "leader": {"是否负责人", "是否领导", "是否班子成员", "是否书记委员", "是否领导干部"},
    "category": {"人员类别", "类别", "人员类型", "培训类别", "category"},
    "org_code": {
        "所属组织", "组织", "所属党组织", "党组织", "组织代码", "所属组织代码", "党组织代码",
        "单位代码", "org",
    },
}  # fmt: skip
_FIELD_OF = {name: f for f, names in _ALIASES.items() for name in names}
EXPECTED = Msg(
    "姓名, 身份证号 (身份证号码, 公民身份号码) and 手机号 (联系电话) or 邮箱 (电子邮箱)",
    code="roster_expected_header",
)
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[)）]|[【\[][^】\]]*[\]】]")
_KEY_NOISE = re.compile(r"[\s（）()、,，·/／.\-]")
_YES = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "x", "不是", ""}
_MEMBER = {"中共党员", "中共预备党员", "中国共产党党员", "中国共产党预备党员", "党员", "预备党员"}
_NOT_MEMBER = {
    "群众", "共青团员", "中国共产主义青年团团员", "团员", "无党派人士", "无党派", "民主党派",
    "民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员", "致公党党员", "九三学社社员",
    "台盟盟员", "无",
}  # fmt: skip
_GENDERS = {"男": "M", "女": "F", "male": "M", "female": "F", "m": "M",
            "f": "F"}  # fmt: skip
_CATEGORY_NAMES = {
    "community": ("农村社区", "农村", "社区", "农村社区党员"),
    "organ": ("机关事业单位", "机关", "事业单位", "机关单位"),
    "soe": ("国有企业金融企业", "国有企业", "金融企业", "国企", "国有金融企业"),
    "two_new": ("两新组织", "两新", "非公有制企业", "社会组织"),
    "student": ("学生", "学生党员"),
    "floating": ("流动党员",),
    "village_secretary": ("村社区书记", "村书记", "社区书记", "村党组织书记"),
    "two_new_secretary": ("两新组织书记", "两新书记"),
    "village_official": ("大学生村官", "村官"),
}
_CATEGORY_OF = {
    **{_KEY_NOISE.sub("", n).lower(): c for c, names in _CATEGORY_NAMES.items() for n in names},
    **{c: c for c in CATEGORIES},
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^1\d{10}$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?()$"),
    re.compile(r"^(\d{4})(\d{2})()$"),
)
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
FOUNDED = dt.date(1921, 7, 1)


@dataclass(frozen=True)
class RosterRow:
    """One person of the roster, every value checked and normalised."""

    row: int
    where: str
    name: str
    id_number: str
    email: str | None
    mobile: str | None
    gender: str  #: "M" or "F" (models.Gender), from 性别 or else the ID number
    is_party_member: bool | None
    joined_on: dt.date | None
    post: str
    is_leader: bool
    #: 是/否 of a leader column, which overrides what 职务 implies (None: derive from 职务).
    leader_override: bool | None
    category: str | None
    org_code: str | None

    @property
    def login(self) -> str:
        """The login of a new account: the e-mail address, else the mobile number."""
        return self.email or self.mobile or ""


@dataclass
class RosterResult:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The file as a whole could not be read: nothing can be imported from it.
    unreadable: bool = False
    #: The sheet row numbers of the bad rows (for "rows skipped").
    bad_rows: list[int] = field(default_factory=list)


def category_code(text: str) -> str | None:
    """The category code a cell names (a code or its Chinese name), None if unknown."""
    key = _KEY_NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()
    return _CATEGORY_OF.get(key)


def normalize_mobile(raw: str) -> str | None:
    """A mainland mobile number as 11 digits (spaces, -, +86 and full width dropped), or None."""
    text = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    return text if _MOBILE.match(text) else None


def is_leader_post(post: str) -> bool:
    """Whether a 职务 is a leader's (书记, 副书记, 委员 and posts named after them)."""
    return any(word in (post or "") for word in LEADER_POSTS)


def read_roster(data: bytes, filename: str = "", today: dt.date | None = None) -> RosterResult:
    """Read a roster file; a file that cannot be read gives one problem at "file", never raises."""
    try:
        if len(data) > MAX_FILE_BYTES:
            raise FileRejected(
                FILE, Msg("the file is larger than %(mb)s MB", code="file_too_large",
                          mb=MAX_FILE_BYTES // 2**20),
            )  # fmt: skip
        return check_rows(sheet_rows(data, filename, _header), today=today)
    except FileRejected as exc:
        return RosterResult(problems=[Problem(exc.where, exc.message)], unreadable=True)
    except RecursionError:
        return RosterResult(
            problems=[Problem(FILE, Msg("the file is nested too deeply", code="too_deep"))],
            unreadable=True,
        )


def _label(cell: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", cell or "")).lower()


def _header(cells: list[str]) -> dict[str, int] | None:
    """Column positions by field when the row is a roster header (it names 姓名 and an ID)."""
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        found = _FIELD_OF.get(_label(cell))
        if found and found not in columns:
            columns[found] = position
    return columns if {"name", "id_number"} <= set(columns) else None


def check_rows(rows: Iterable[tuple[int, list[str]]], today: dt.date | None = None) -> RosterResult:
    """Find the header among the first rows, then check every non-empty row below it."""
    result = RosterResult()
    checker = _Checker(today or dt.date.today())
    columns = None
    seen: list[str] = []
    for scanned, (number, cells) in enumerate(rows):
        if columns is None:
            columns = _header(cells)
            if columns is None:
                seen = seen or [c.strip() for c in cells if c.strip()]
                if scanned >= HEADER_SCAN_ROWS:
                    break
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(result.rows) + len(result.bad_rows) >= MAX_ROWS:
            raise too_many()
        checker.row(result, number, {f: _at(cells, p) for f, p in columns.items()})
    if columns is None:
        result.unreadable = True
        result.problems.append(Problem(FILE, _no_header(seen)))
    elif not (result.rows or result.bad_rows):
        result.unreadable = True
        result.problems.append(
            Problem(FILE, Msg("no people below the header row", code="roster_no_rows"))
        )
    return result


def _at(cells: list[str], position: int) -> str:
    return unicodedata.normalize("NFKC", cells[position]).strip() if position < len(cells) else ""


def _no_header(seen: list[str]) -> Msg:
    if not seen:
        return Msg("the sheet is empty: no header row and no people", code="roster_empty")
    return Msg(
        "no header row recognised: the first row names %(found)s; expected %(expected)s",
        code="no_header",
        found="、".join(cell[:20] for cell in seen[:12]),
        expected=EXPECTED,
    )


class _Checker:
    """Checks rows one by one, remembering the ID numbers and logins already seen."""

    def __init__(self, today: dt.date):
        self.today = today
        self.seen: dict[str, dict[str, int]] = {"id_number": {}, "email": {}, "mobile": {}}

    def row(self, result: RosterResult, number: int, cells: dict[str, str]) -> None:
        problems: list[str] = []
        name = " ".join(cells.get("name", "").split())
        if not name:
            problems.append(Msg("no 姓名 (name)", code="roster_no_name"))
        elif len(name) > MAX_NAME:
            problems.append(Msg("the name is longer than %(most)s characters",
                                code="roster_long_name", most=MAX_NAME))  # fmt: skip
        id_number = self._id_number(cells.get("id_number", ""), problems)
        email, mobile = self._login(cells, problems)
        gender = self._gender(cells.get("gender", ""), id_number, problems)
        member = self._member(cells, problems)
        joined_on = self._date(cells.get("joined_on", ""), problems)
        post = cells.get("post", "")[:MAX_POST]
        leader = _yes_no(cells["leader"]) if cells.get("leader") else None
        category = None
        if cells.get("category"):
            category = category_code(cells["category"])
            if category is None:
                problems.append(Msg("unknown 人员类别 %(category)s", code="roster_category",
                                    category=repr(cells["category"])))  # fmt: skip
        problems += self._repeats(number, id_number, email, mobile)
        where = at_row(number)
        if problems:
            result.bad_rows.append(number)
            result.problems += [Problem(where, p) for p in problems]
            return
        result.rows.append(
            RosterRow(
                row=number, where=where, name=name, id_number=id_number, email=email,
                mobile=mobile, gender=gender, is_party_member=member, joined_on=joined_on,
                post=post, is_leader=is_leader_post(post) if leader is None else leader,
                leader_override=leader,
                category=category, org_code=cells.get("org_code") or None,
            )
        )  # fmt: skip

    def _id_number(self, raw: str, problems: list[str]) -> str:
        if not raw:
            problems.append(Msg("no 身份证号 (ID number)", code="roster_no_id"))
            return ""
        problem = id_number_problem(raw, self.today)
        if problem:
            problems.append(Msg("invalid ID number: %(reason)s", code="roster_bad_id",
                                reason=problem))  # fmt: skip
            return ""
        return normalize_id_number(raw)

    def _login(self, cells: dict[str, str], problems: list[str]) -> tuple[str | None, str | None]:
        given = bool(cells.get("email") or cells.get("mobile"))
        email = cells.get("email", "").lower() or None
        if email and not _EMAIL.match(email):
            problems.append(Msg("%(email)s is not an e-mail address", code="roster_bad_email",
                                email=repr(email)))  # fmt: skip
            email = None
        raw = cells.get("mobile", "")
        mobile = normalize_mobile(raw) if raw else None
        if raw and mobile is None:
            problems.append(Msg("%(mobile)s is not a mobile number (11 digits starting with 1)",
                                code="roster_bad_mobile", mobile=repr(raw)))  # fmt: skip
        elif not given:
            problems.append(Msg("no 手机号 or 邮箱: one is needed to log in",
                                code="roster_no_login"))  # fmt: skip
        return email, mobile

    def _gender(self, raw: str, id_number: str, problems: list[str]) -> str:
        if raw:
            gender = _GENDERS.get(raw.lower())
            if gender:
                return gender
            problems.append(Msg("性别 must be 男 or 女, not %(value)s", code="roster_gender",
                                value=repr(raw)))  # fmt: skip
        if id_number:
            return "M" if int(id_number[16]) % 2 else "F"
        return ""

    def _member(self, cells: dict[str, str], problems: list[str]) -> bool | None:
        if cells.get("party"):
            value = _yes_no(cells["party"])
            if value is None:
                problems.append(Msg("是否党员 must be 是 or 否, not %(value)s",
                                    code="roster_party", value=repr(cells["party"])))  # fmt: skip
            return value
        political = re.sub(r"\s", "", cells.get("political", ""))
        if not political:
            return None
        if political in _MEMBER:
            return True
        if political in _NOT_MEMBER:
            return False
        problems.append(Msg("unknown 政治面貌 %(value)s", code="roster_political",
                            value=repr(political)))  # fmt: skip
        return None

    def _date(self, raw: str, problems: list[str]) -> dt.date | None:
        if not raw:
            return None
        day = parse_date(raw)
        if day is None:
            problems.append(Msg("入党时间 %(value)s is not a date (2020-07-01, 2020年7月1日, "
                                "2020.07)", code="roster_date", value=repr(raw)))  # fmt: skip
        elif not FOUNDED <= day <= self.today:
            problems.append(Msg("入党时间 %(value)s is not a possible date",
                                code="roster_date_range", value=day.isoformat()))  # fmt: skip
            return None
        return day

    def _repeats(
        self, number: int, id_number: str, email: str | None, mobile: str | None
    ) -> list[str]:
        problems: list[str] = []
        for kind, value, label in (
            ("id_number", id_number, Msg("ID number", code="roster_id_label")),
            ("email", email, Msg("e-mail", code="roster_email_label")),
            ("mobile", mobile, Msg("mobile number", code="roster_mobile_label")),
        ):
            if not value:
                continue
            first = self.seen[kind].setdefault(value, number)
            if first != number:
                problems.append(Msg("the same %(what)s as row %(first)s", code="roster_repeated",
                                    what=label, first=first))  # fmt: skip
        return problems


def _yes_no(text: str) -> bool | None:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None


def parse_date(text: str) -> dt.date | None:
    """A date as rosters write it: 2020-07-01, 2020/7/1, 2020年7月1日, 2020.07 (the 1st), an
    Excel serial number; None when it is none of these."""
    text = _TIME.sub("", unicodedata.normalize("NFKC", text).strip())
    text = re.sub(r"\s", "", text)
    if text.isdigit() and len(text) == 5:  # an Excel serial day, in a CSV export
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = match.groups()
            try:
                return dt.date(int(year), int(month), int(day or 1))
            except ValueError:
                return None
    return None
