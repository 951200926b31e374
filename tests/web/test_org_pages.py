"""Organisation pages: admins manage the tree; an org admin sees only its own subtree."""

import pytest

from examsvc.extensions import db
from examsvc.models import Organisation, Role, User
from examsvc.services import orgs
from tests.conftest import log_in, post_form


@pytest.fixture
def tree(app):
    """区委 000 → 街道 A (支部 A1) and 街道 B."""
    root = orgs.create("000", "区委")
    a = orgs.create("A", "甲街道党工委", root)
    a1 = orgs.create("A1", "甲第一支部", a)
    b = orgs.create("B", "乙街道党工委", root)
    return {"root": root, "A": a, "A1": a1, "B": b}


@pytest.fixture
def people(app, make_user, tree):
    """One member in A1 and one in B."""
    made = {}
    for code, name in (("A1", "张三"), ("B", "李四")):
        person = make_user(name=name)
        person.organisation_id = tree[code].id
        made[code] = person
    db.session.commit()
    return made


@pytest.fixture
def org_admin_of_a(app, make_user, tree):
    admin = make_user(Role.ORG_ADMIN, name="甲管理员")
    admin.managed_organisation_id = tree["A"].id
    db.session.commit()
    return log_in(app.test_client(), admin)


def test_org_admin_lists_only_people_of_its_subtree(org_admin_of_a, people):
    page = org_admin_of_a.get("/orgs/people").get_data(as_text=True)
    assert "张三" in page and "李四" not in page
    assert "张三" in org_admin_of_a.get("/orgs/people?q=张").get_data(as_text=True)
    assert "张三" not in org_admin_of_a.get("/orgs/people?q=李").get_data(as_text=True)


def test_another_subtrees_person_and_organisation_are_404(org_admin_of_a, people, tree):
    assert org_admin_of_a.get(f"/orgs/people/{people['A1'].id}").status_code == 200
    assert org_admin_of_a.get(f"/orgs/people/{people['B'].id}").status_code == 404
    assert org_admin_of_a.get(f"/orgs/{tree['A1'].id}").status_code == 200
    assert org_admin_of_a.get(f"/orgs/{tree['B'].id}").status_code == 404
    assert org_admin_of_a.get(f"/orgs/{tree['root'].id}").status_code == 404
    assert org_admin_of_a.get(f"/orgs/people?org={tree['B'].id}").status_code == 404


def test_org_admin_sees_its_subtree_read_only(org_admin_of_a, tree):
    page = org_admin_of_a.get("/orgs/").get_data(as_text=True)
    assert "甲第一支部" in page and "乙街道党工委" not in page and "区委" not in page
    detail = org_admin_of_a.get(f"/orgs/{tree['A'].id}").get_data(as_text=True)
    assert "/rename" not in detail and "/close" not in detail
    response = post_form(org_admin_of_a, f"/orgs/{tree['A1'].id}/rename", {"name": "x"}, "/orgs/")
    assert response.status_code == 403
    assert db.session.get(Organisation, tree["A1"].id).name == "甲第一支部"


def test_org_admin_without_an_organisation_sees_nobody(app, make_user, people):
    client = log_in(app.test_client(), make_user(Role.ORG_ADMIN))
    assert "张三" not in client.get("/orgs/people").get_data(as_text=True)
    assert client.get(f"/orgs/people/{people['A1'].id}").status_code == 404


def test_admin_creates_renames_moves_and_closes(login_as, tree):
    client, _ = login_as(Role.ADMIN)
    response = post_form(
        client, "/orgs/new", {"code": "A2", "name": "甲第二支部", "parent": str(tree["A"].id)}
    )
    assert response.status_code == 302
    a2 = orgs.by_code("A2")
    assert a2.parent_id == tree["A"].id and a2.path == f"{tree['A'].path}{a2.id}/"
    page = f"/orgs/{a2.id}"
    post_form(client, f"/orgs/{a2.id}/rename", {"name": "甲二支部"}, page)
    post_form(client, f"/orgs/{a2.id}/move", {"parent": str(tree["B"].id)}, page)
    post_form(client, f"/orgs/{a2.id}/close", {}, page)
    db.session.expire_all()
    a2 = orgs.by_code("A2")
    assert (a2.name, a2.parent_id, a2.is_closed) == ("甲二支部", tree["B"].id, True)
    assert a2.path == f"{tree['B'].path}{a2.id}/"


def test_move_page_offers_no_parent_inside_the_subtree(login_as, tree):
    client, _ = login_as(Role.ADMIN)
    page = client.get(f"/orgs/{tree['A'].id}").get_data(as_text=True)
    move_form = page[page.index("/move") :]
    assert f'value="{tree["A1"].id}"' not in move_form
    assert f'value="{tree["B"].id}"' in move_form
    response = post_form(client, f"/orgs/{tree['A'].id}/move", {"parent": str(tree["A1"].id)})
    assert response.status_code == 302
    assert db.session.get(Organisation, tree["A"].id).parent_id == tree["root"].id


def test_duplicate_code_is_refused_on_the_page(login_as, tree):
    client, _ = login_as(Role.ADMIN)
    response = post_form(client, "/orgs/new", {"code": "A", "name": "重复", "parent": "0"})
    assert response.status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 4


def test_my_profile_shows_my_data(app, make_user, tree):
    person = make_user(name="王五")
    person.organisation_id, person.post, person.mobile = tree["A1"].id, "支部书记", "13800138000"
    db.session.commit()
    client = log_in(app.test_client(), person)
    page = client.get("/me/").get_data(as_text=True)
    assert "王五" in page and "甲第一支部" in page and "13800138000" in page and "支部书记" in page


def test_people_list_pages(org_admin_of_a, tree, make_user):
    for _ in range(55):
        make_user().organisation_id = tree["A1"].id
    db.session.commit()
    first = org_admin_of_a.get("/orgs/people").get_data(as_text=True)
    second = org_admin_of_a.get("/orgs/people?page=2").get_data(as_text=True)
    assert 'rel="next"' in first and "55" in first and 'rel="prev"' in second
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) >= 56


def test_id_number_is_masked_on_the_profile_and_the_org_admins_page(
    app, make_user, tree, org_admin_of_a
):
    from examsvc.services import identity

    person = make_user(name="赵六")
    person.organisation_id = tree["A1"].id
    identity.assign_id_number(person, "11010519491231002X")
    db.session.commit()
    own = log_in(app.test_client(), person).get("/me/").get_data(as_text=True)
    other = org_admin_of_a.get(f"/orgs/people/{person.id}").get_data(as_text=True)
    for page in (own, other):
        assert "1101**********002X" in page and "11010519491231002X" not in page


def test_admin_makes_an_account_org_admin_of_a_subtree_by_mobile(app, login_as, make_user, tree):
    client, _ = login_as(Role.ADMIN)
    person = make_user(name="钱七")
    person.mobile = "13900139000"
    db.session.commit()
    page = f"/orgs/{tree['B'].id}"
    post_form(client, f"/orgs/{tree['B'].id}/admins", {"login": "139 0013 9000"}, page)
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.has_role(Role.ORG_ADMIN) and person.managed_organisation_id == tree["B"].id
    own = log_in(app.test_client(), person)
    assert own.get(f"/orgs/{tree['B'].id}").status_code == 200
    assert own.get(f"/orgs/{tree['A'].id}").status_code == 404
    post_form(client, f"/orgs/{tree['B'].id}/admins/{person.id}/remove", {}, page)
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert not person.has_role(Role.ORG_ADMIN) and person.managed_organisation_id is None


def test_org_admin_sees_its_peoples_sittings_and_results_only_when_published(
    app, open_sitting, tree, org_admin_of_a
):
    from examsvc.models import Attempt
    from examsvc.services import attempts

    sitting, _, (mine, other) = open_sitting(candidates=2)
    mine.organisation_id, other.organisation_id = tree["A1"].id, tree["B"].id
    mine.name, other.name = "本支部考生", "别处考生"
    db.session.commit()
    attempt = attempts.start_or_resume(mine, sitting.id)
    attempts.submit(mine, attempt.id)
    db.session.execute(db.update(Attempt).values(score=9.0, max_score=11.0, is_passed=True))
    db.session.commit()
    listing = org_admin_of_a.get("/orgs/sittings").get_data(as_text=True)
    assert "测试场次" in listing
    page = org_admin_of_a.get(f"/orgs/sittings/{sitting.id}").get_data(as_text=True)
    assert "本支部考生" in page and "别处考生" not in page and "9 / 11" not in page
    sitting.results_published_at = sitting.opens_at
    db.session.commit()
    page = org_admin_of_a.get(f"/orgs/sittings/{sitting.id}").get_data(as_text=True)
    assert "9 / 11" in page
    assert "9 / 11" in org_admin_of_a.get(f"/orgs/people/{mine.id}").get_data(as_text=True)


def test_a_sitting_without_the_org_admins_people_is_404(app, open_sitting, tree, org_admin_of_a):
    sitting, _, (other,) = open_sitting()
    other.organisation_id = tree["B"].id
    db.session.commit()
    assert org_admin_of_a.get(f"/orgs/sittings/{sitting.id}").status_code == 404
    assert "测试场次" not in org_admin_of_a.get("/orgs/sittings").get_data(as_text=True)


def test_an_account_without_e_mail_is_listed_and_found_by_its_mobile(login_as, make_user):
    client, _ = login_as(Role.ADMIN)
    person = make_user(name="孙八")
    person.email, person.mobile = None, "13700137000"
    db.session.commit()
    page = client.get("/admin/users?q=1370013").get_data(as_text=True)
    assert "孙八" in page and "13700137000" in page and "None" not in page
