#!/usr/bin/env python3
"""Admission-ticket PDF speed: one ticket, and 1,000 tickets in one document.

Renders tickets (examsvc.services.ticket_pdf, Chinese text, a photo on every tenth) twice:
with the whole Noto CJK face that fpdf2 parses for each document, and with the cached
GB 2312 subset that ``examsvc tickets prepare-fonts`` writes once per host (its one-time
cost is printed as ``prepare_fonts_s``). Prints {"tickets_1_s", "tickets_1000_s",
"full_font_1_s", "full_font_1000_s", "prepare_fonts_s", "pages", "bytes_1000"}; each
figure is the best of ``--repeat`` runs.

    scripts/bench_tickets.py --json [--count 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from examsvc import create_app  # noqa: E402
from examsvc.services import pdf, ticket_pdf  # noqa: E402
from examsvc.services.tickets import Ticket  # noqa: E402

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (413, 579), (200, 210, 230)).save(out, format="JPEG")
    return out.getvalue()


def tickets(count: int) -> list[Ticket]:
    picture = (photo(), "image/jpeg")
    return [
        Ticket(
            enrolment_id=i,
            admission_no=f"2026000{i:09d}",
            name=SURNAMES[i % len(SURNAMES)] + GIVEN[i % 23] + GIVEN[(i * 7) % 23],
            masked_id=f"1101**********{i % 10000:04d}",
            gender="男" if i % 2 else "女",
            organisation=f"第{i % 40 + 1}党支部",
            sitting="2026年第一期党务工作者上岗资格考试",
            time="2026-12-05 09:00 至 11:00",
            duration="90 分钟",
            place="区委党校三楼计算机教室（人民路 88 号）",
            room=f"第{i // 30 + 1:02d}考场",
            seat=f"{i % 30 + 1:02d}",
            photo=picture if i % 10 == 0 else None,
        )
        for i in range(1, count + 1)
    ]


def best(repeat: int, run) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        data = run()
        times.append(time.perf_counter() - start)
    return round(min(times), 3), data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
        one, many = tickets(1), tickets(args.count)
        with app.test_request_context():
            full_1, _ = best(args.repeat, lambda: ticket_pdf.render(one))
            full_n, _ = best(args.repeat, lambda: ticket_pdf.render(many))
            start = time.perf_counter()
            pdf.prepare_fonts()
            prepare = round(time.perf_counter() - start, 3)
            sub_1, _ = best(args.repeat, lambda: ticket_pdf.render(one))
            sub_n, data = best(args.repeat, lambda: ticket_pdf.render(many))
    figures = {
        "tickets_1_s": sub_1,
        "tickets_1000_s": sub_n,
        "full_font_1_s": full_1,
        "full_font_1000_s": full_n,
        "prepare_fonts_s": prepare,
        "pages": args.count,
        "bytes_1000": len(data),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
