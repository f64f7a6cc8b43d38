"""The catalog: one pack or many under one root, every problem of every pack reported."""

import shutil

import pytest

from lms.domain.catalog import load_catalog
from lms.domain.loading import CoursePackError

from .helpers import CATALOG, MINI_PACK


def test_a_single_pack_is_a_catalog_of_one():
    catalog = load_catalog(MINI_PACK)
    assert list(catalog) == ["mini-course"] and catalog.default.id == "mini-course"


def test_a_courses_folder_holds_many_packs_in_folder_order():
    catalog = load_catalog(CATALOG)
    assert list(catalog) == ["mini-course", "second-course"]
    assert catalog.default.id == "mini-course"
    # Both have a lesson `alpha`, with different content.
    assert catalog["mini-course"].lesson("alpha").title != catalog["second-course"].lesson("alpha").title


@pytest.fixture
def broken_catalog(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG, root, symlinks=False)
    (root / "courses" / "mini-course" / "content" / "beta.md").unlink()
    second = root / "courses" / "second-course" / "quizzes" / "gamma.yaml"
    second.write_text(second.read_text().replace("answer: false", "answer: maybe"))
    shutil.move(root / "courses" / "second-course", root / "courses" / "renamed")
    return root


def test_every_problem_of_every_pack_is_reported_with_its_file(broken_catalog):
    with pytest.raises(CoursePackError) as raised:
        load_catalog(broken_catalog)
    text = str(raised.value)
    assert "courses/mini-course/content/beta.md: file not found" in text
    assert "courses/renamed/quizzes/gamma.yaml: questions[1].answer: must be true or false" in text


def test_the_folder_name_must_be_the_pack_id(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(MINI_PACK, root / "courses" / "not-mini")
    with pytest.raises(CoursePackError) as raised:
        load_catalog(root)
    assert "courses/not-mini/content/course.yaml: id: must equal the folder name 'not-mini'" in str(raised.value)


def test_an_empty_courses_folder_is_a_problem(tmp_path):
    (tmp_path / "courses").mkdir()
    with pytest.raises(CoursePackError, match="holds no course folder"):
        load_catalog(tmp_path)


def test_check_validates_every_pack(runner):
    result = runner.invoke(args=["lms", "check", "--pack", str(CATALOG)])
    assert result.exit_code == 0, result.output
    assert "Mini Course (mini-course)" in result.output and "Second Course (second-course)" in result.output
    assert "2 course packs OK" in result.output


def test_check_fails_on_any_broken_pack(runner, broken_catalog):
    result = runner.invoke(args=["lms", "check", "--pack", str(broken_catalog)])
    assert result.exit_code == 1
    assert "courses/mini-course/content/beta.md: file not found" in result.output
