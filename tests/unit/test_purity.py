import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "question_bank"
FORBIDDEN = {"flask", "flask_sqlalchemy", "sqlalchemy", "examsvc", "werkzeug", "flask_babel"}


def test_question_bank_source_imports_neither_flask_nor_sqlalchemy():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_question_bank_loads_no_web_or_orm_module():
    code = (
        "import sys, pkgutil, importlib, question_bank\n"
        "for m in pkgutil.walk_packages(question_bank.__path__, 'question_bank.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
