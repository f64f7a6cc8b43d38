"""A thin IMS Common Cartridge 1.3: one LTI 1.3 resource link per lesson, for hosts that import links so."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from .config import ToolConfig

CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
LTICC = "http://www.imsglobal.org/xsd/imslticc_v1p3"
BLTI = "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
LTICM = "http://www.imsglobal.org/xsd/imslticm_v1p0"
LTICP = "http://www.imsglobal.org/xsd/imslticp_v1p0"
LINK_TYPE = "imsbasiclti_xmlv1p3"


@dataclass(frozen=True)
class CartridgeLink:
    """One link of the cartridge: a title, the URL it launches, and the custom parameters naming the target."""

    title: str
    url: str
    custom: Mapping[str, str] = field(default_factory=dict)
    description: str = ""


def _q(namespace: str, tag: str) -> str:
    """A qualified ElementTree tag."""
    return f"{{{namespace}}}{tag}"


def _sub(parent: ET.Element, namespace: str, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Append a child element with optional text and attributes."""
    element = ET.SubElement(parent, _q(namespace, tag), attributes)
    if text is not None:
        element.text = text
    return element


def _xml(root: ET.Element, namespaces: Mapping[str, str]) -> bytes:
    """Serialize with the given prefixes and an XML declaration."""
    for prefix, uri in namespaces.items():
        ET.register_namespace(prefix, uri)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def link_xml(link: CartridgeLink, tool: ToolConfig) -> bytes:
    """The cartridge_basiclti_link document of one link."""
    root = ET.Element(_q(LTICC, "cartridge_basiclti_link"))
    _sub(root, BLTI, "title", link.title)
    _sub(root, BLTI, "description", link.description or link.title)
    if link.custom:
        custom = _sub(root, BLTI, "custom")
        for name, value in link.custom.items():
            _sub(custom, LTICM, "property", value, name=name)
    _sub(root, BLTI, "launch_url", link.url)
    if link.url.startswith("https://"):
        _sub(root, BLTI, "secure_launch_url", link.url)
    if tool.icon_url:
        _sub(root, BLTI, "icon", tool.icon_url)
    vendor = _sub(root, BLTI, "vendor")
    _sub(vendor, LTICP, "code", tool.domain)
    _sub(vendor, LTICP, "name", tool.title)
    return _xml(root, {"": LTICC, "blti": BLTI, "lticm": LTICM, "lticp": LTICP})


def manifest_xml(title: str, identifier: str, links: Sequence[CartridgeLink]) -> bytes:
    """The imsmanifest.xml: metadata, one organization item per link, one LTI resource per link."""
    root = ET.Element(_q(CP, "manifest"), {"identifier": identifier})
    metadata = _sub(root, CP, "metadata")
    _sub(metadata, CP, "schema", "IMS Thin Common Cartridge")
    _sub(metadata, CP, "schemaversion", "1.3.0")
    general = _sub(_sub(metadata, LOM, "lom"), LOM, "general")
    _sub(_sub(general, LOM, "title"), LOM, "string", title)
    organization = _sub(_sub(root, CP, "organizations"), CP, "organization", identifier="O_1")
    organization.set("structure", "rooted-hierarchy")
    top = _sub(organization, CP, "item", identifier="I_ROOT")
    resources = _sub(root, CP, "resources")
    for number, link in enumerate(links, start=1):
        item = _sub(top, CP, "item", identifier=f"I_{number}", identifierref=f"R_{number}")
        _sub(item, CP, "title", link.title)
        resource = _sub(resources, CP, "resource", identifier=f"R_{number}", type=LINK_TYPE)
        _sub(resource, CP, "file", href=f"lti/R_{number}.xml")
    return _xml(root, {"": CP, "lomimscc": LOM})


def cartridge(title: str, links: Sequence[CartridgeLink], tool: ToolConfig) -> bytes:
    """The .imscc file (a zip) with the manifest and one link document per link; raises ValueError without links."""
    if not links:
        raise ValueError("a cartridge needs at least one link")
    identifier = "CC_" + (re.sub(r"[^A-Za-z0-9_.-]", "_", title) or "course")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest_xml(title, identifier, links))
        for number, link in enumerate(links, start=1):
            archive.writestr(f"lti/R_{number}.xml", link_xml(link, tool))
    return buffer.getvalue()
