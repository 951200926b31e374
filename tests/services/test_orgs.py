"""The organisation tree: `examsvc orgs create`, rename, move and close."""

import json

import pytest

from examsvc.extensions import db
from examsvc.models import AuditEntry, Organisation
from examsvc.services import orgs
from examsvc.services.errors import BadInput, Conflict


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["orgs", "create", *args])


def test_orgs_create_builds_a_tree_with_paths(app):
    assert _cli(app, "000", "区委").exit_code == 0
    result = _cli(app, "J-01", "某街道党工委", "--parent", "000", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["code"] == "J-01" and report["parent"] == "000"
    root, street = orgs.by_code("000"), orgs.by_code("J-01")
    assert root.path == f"/{root.id}/" and street.path == f"/{root.id}/{street.id}/"
    assert street.parent_id == root.id
    assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.subject_id == street.id))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["000", "again"], "000"),
        (["X1", "child", "--parent", "nope"], "nope"),
        (["bad code!", "name"], "bad code!"),
        (["Y1", "   "], "200"),  # a name of 1 to 200 characters
    ],
)
def test_orgs_create_exits_1_with_a_clear_message(app, args, words):
    _cli(app, "000", "区委")
    result = _cli(app, *args)
    assert result.exit_code == 1 and words in result.output
    as_json = json.loads(_cli(app, *args, "--json").output)
    assert as_json["error"] and words in as_json["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 1


def _tree():
    a = orgs.create("A", "A")
    b = orgs.create("B", "B", a)
    c = orgs.create("C", "C", b)
    d = orgs.create("D", "D", a)
    return a, b, c, d


def test_move_rewrites_the_paths_of_the_whole_subtree(app):
    a, b, c, d = _tree()
    orgs.move(b, d)
    db.session.expire_all()
    assert b.path == f"/{a.id}/{d.id}/{b.id}/" and c.path == f"/{a.id}/{d.id}/{b.id}/{c.id}/"
    assert set(db.session.scalars(orgs.subtree_ids(d))) == {d.id, b.id, c.id}
    orgs.move(b, None)
    db.session.expire_all()
    assert c.path == f"/{b.id}/{c.id}/" and b.parent_id is None


def test_move_into_its_own_subtree_is_refused(app):
    a, b, c, _ = _tree()
    with pytest.raises(BadInput):
        orgs.move(b, c)
    with pytest.raises(BadInput):
        orgs.move(b, b)
    db.session.rollback()
    assert db.session.get(Organisation, b.id).parent_id == a.id
    assert b not in orgs.parent_choices(b) and c not in orgs.parent_choices(b)
    assert a in orgs.parent_choices(b)


def test_close_is_refused_while_open_children_remain(app):
    a, b, c, _ = _tree()
    with pytest.raises(Conflict):
        orgs.close(b)
    orgs.close(c)
    orgs.close(b)
    assert b.is_closed and b.closed_at is not None
    with pytest.raises(BadInput):
        orgs.create("E", "E", b)


def test_rename_keeps_the_code_and_tree_lists_depth_first(app):
    a, b, c, d = _tree()
    orgs.rename(b, "新名字")
    assert orgs.by_code("B").name == "新名字"
    rows = orgs.tree()
    assert [(r.org.code, r.depth) for r in rows] == [("A", 0), ("B", 1), ("C", 2), ("D", 1)]
    assert [r.org.code for r in orgs.tree(b)] == ["B", "C"]
