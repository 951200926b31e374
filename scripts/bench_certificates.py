#!/usr/bin/env python3
"""Certificate PDF speed: one certificate, and a sitting's batch in one document.

Renders certificate pages (examsvc.services.certificate_pdf: Chinese text, a QR code with
the verify address and its HMAC token on every page) twice: with the whole Noto CJK face
that fpdf2 parses for each document, and with the cached GB 2312 subset that
``examsvc tickets prepare-fonts`` writes once per host. Prints {"certificate_1_s",
"batch_s", "per_page_ms", "full_font_1_s", "full_font_batch_s", "pages", "bytes_batch"};
each figure is the best of ``--repeat`` runs.

    scripts/bench_certificates.py --json [--count 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from examsvc import create_app  # noqa: E402
from examsvc.services import certificate_pdf, certificates, pdf  # noqa: E402

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def pages(count: int) -> list[certificate_pdf.Page]:
    made = []
    for i in range(1, count + 1):
        number = f"Q0-3201-2026-{10_000_000 + i * 7919:08d}{i % 10}"
        made.append(
            certificate_pdf.Page(
                number=number,
                title="党务工作者上岗资格证书",
                name=SURNAMES[i % len(SURNAMES)] + GIVEN[i % 23] + GIVEN[(i * 7) % 23],
                organisation=f"中共某某街道第{i % 40 + 1}党支部委员会",
                level="",
                issued_on="2026年12月14日",
                valid_until="2029年12月13日",
                status="valid" if i % 50 else "suspended",
                status_label="有效" if i % 50 else "暂停",
                verify_url=f"https://exam.example.cn/verify/{number}?t={certificates.token(number)}",
            )
        )
    return made


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
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # fmt: skip
        with app.test_request_context():
            one, many = pages(1), pages(args.count)
            full_1, _ = best(args.repeat, lambda: certificate_pdf.render(one))
            full_n, _ = best(1, lambda: certificate_pdf.render(many))
            pdf.prepare_fonts()
            sub_1, _ = best(args.repeat, lambda: certificate_pdf.render(one))
            sub_n, data = best(args.repeat, lambda: certificate_pdf.render(many))
    figures = {
        "certificate_1_s": sub_1,
        "batch_s": sub_n,
        "per_page_ms": round(sub_n / args.count * 1000, 2),
        "full_font_1_s": full_1,
        "full_font_batch_s": full_n,
        "pages": args.count,
        "bytes_batch": len(data),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
