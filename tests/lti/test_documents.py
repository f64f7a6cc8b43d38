"""The Canvas JSON configuration and the thin Common Cartridge."""

from __future__ import annotations

import io
import json
import zipfile
from xml.etree import ElementTree as ET

import pytest

from lms.lti import claims as c
from lms.lti.canvas import canvas_configuration
from lms.lti.cartridge import BLTI, CP, LINK_TYPE, LTICC, LTICM, CartridgeLink, cartridge
from lms.lti.config import ToolConfig

TOOL = ToolConfig.at(
    "https://academy.example",
    "Office Manager Academy",
    "Become a medical office manager.",
    icon_url="https://academy.example/static/icon.png",
)


def test_the_canvas_configuration_names_every_tool_url():
    config = json.loads(json.dumps(canvas_configuration(TOOL, custom_fields={"canvas_user": "$Canvas.user.id"})))
    assert config["oidc_initiation_url"] == "https://academy.example/lti/login"
    assert config["target_link_uri"] == "https://academy.example/lti/launch"
    assert config["public_jwk_url"] == "https://academy.example/lti/jwks.json"
    assert set(config["scopes"]) == set(c.TOOL_SCOPES)
    assert config["custom_fields"] == {"canvas_user": "$Canvas.user.id"}
    extension = config["extensions"][0]
    assert (extension["platform"], extension["domain"], extension["privacy_level"]) == (
        "canvas.instructure.com",
        "academy.example",
        "public",
    )
    placements = {p["placement"]: p for p in extension["settings"]["placements"]}
    assert placements["link_selection"]["message_type"] == c.DEEP_LINKING_REQUEST
    assert placements["assignment_selection"]["target_link_uri"] == TOOL.deep_link_url
    assert placements["course_navigation"]["message_type"] == c.RESOURCE_LINK_REQUEST


def links() -> list[CartridgeLink]:
    return [
        CartridgeLink(
            "Introduction & welcome",
            "https://academy.example/lti/launch",
            {"course_id": "office", "lesson_id": "intro"},
        ),
        CartridgeLink(
            "Billing <basics>", "https://academy.example/lti/launch", {"course_id": "office", "lesson_id": "billing"}
        ),
    ]


def test_the_cartridge_has_a_well_formed_manifest_and_one_lti_link_per_lesson():
    archive = zipfile.ZipFile(io.BytesIO(cartridge("Office Manager", links(), TOOL)))
    assert sorted(archive.namelist()) == ["imsmanifest.xml", "lti/R_1.xml", "lti/R_2.xml"]
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == f"{{{CP}}}manifest"
    assert manifest.findtext(f"{{{CP}}}metadata/{{{CP}}}schemaversion") == "1.3.0"
    resources = manifest.findall(f"{{{CP}}}resources/{{{CP}}}resource")
    assert [(r.get("identifier"), r.get("type")) for r in resources] == [("R_1", LINK_TYPE), ("R_2", LINK_TYPE)]
    titles = [item.findtext(f"{{{CP}}}title") for item in manifest.iter(f"{{{CP}}}item") if item.get("identifierref")]
    assert titles == ["Introduction & welcome", "Billing <basics>"]
    for number, resource in enumerate(resources, start=1):
        href = resource.find(f"{{{CP}}}file").get("href")
        link = ET.fromstring(archive.read(href))
        assert link.tag == f"{{{LTICC}}}cartridge_basiclti_link"
        assert link.findtext(f"{{{BLTI}}}secure_launch_url") == "https://academy.example/lti/launch"
        custom = {p.get("name"): p.text for p in link.iter(f"{{{LTICM}}}property")}
        assert custom == links()[number - 1].custom


def test_a_cartridge_needs_links():
    with pytest.raises(ValueError):
        cartridge("Empty", [], TOOL)
