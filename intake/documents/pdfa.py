"""PDF/A-3b finishing: XMP identification, the sRGB output intent, associated files.

reportlab draws the pages; this pass turns its output into PDF/A-3b (ISO 19005-3, level B)
before the document is sealed, so the seal covers the metadata and any embedded record:

- an XMP packet (unfiltered, as PDF/A asks) with ``pdfaid:part`` 3 and ``pdfaid:conformance``
  B, and dc:title, dc:creator, dc:description, xmp:CreatorTool, xmp:CreateDate,
  xmp:ModifyDate and pdf:Producer equal to the Info dictionary's entries;
- an output intent (``GTS_PDFA1``) with the sRGB profile in ``resources/color`` (every colour
  reportlab writes is DeviceRGB);
- associated files (``/AF`` on the catalogue and ``/EmbeddedFiles``), each with its MIME
  type as the stream's ``/Subtype``, ``/Params`` (size, modification date, MD5 checksum),
  ``/F`` and ``/UF`` names and an ``/AFRelationship``;
- PDF 1.7, no encryption, no JavaScript, no actions.

The output is deterministic: the dates come from the document's Info dictionary (the record's
own time), and the file identifier is a hash of the content (qpdf's deterministic id).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf

ICC_PROFILE = Path(__file__).resolve().parents[2] / "resources" / "color" / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
PDFA_PART = 3
PDFA_CONFORMANCE = "B"
# No /Producer: the sealing library writes its own name as the producer, in the Info dictionary
# and in the XMP packet alike, only when the file names none (else the two would differ).
_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Creator", "/CreationDate", "/ModDate")


@dataclass(frozen=True)
class Attachment:
    """A file carried inside the PDF as an associated file (PDF/A-3, ISO 32000-2 14.13)."""

    name: str
    data: bytes
    mime: str
    description: str
    relationship: str = "Data"  # Source, Data, Alternative, Supplement or Unspecified


@functools.cache
def _icc() -> bytes:
    return ICC_PROFILE.read_bytes()


def _xmp_date(pdf_date: str) -> str:
    """``D:20260203150200+00'00'`` -> ``2026-02-03T15:02:00+00:00`` (the same moment)."""
    m = re.fullmatch(
        r"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:(Z)|([+-])(\d{2})'?(\d{2})'?)?", pdf_date
    )
    if m is None:
        raise ValueError(f"not a PDF date: {pdf_date!r}")
    y, mo, d, h, mi, s, z, sign, th, tm = m.groups()
    zone = "Z" if z or sign is None else f"{sign}{th}:{tm}"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}"


def xmp_packet(info: dict[str, str], lang: str) -> bytes:
    """The XMP metadata of a PDF/A-3b file whose Info dictionary holds ``info``."""

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    props = [
        f"<pdfaid:part>{PDFA_PART}</pdfaid:part>",
        f"<pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>",
    ]
    if "/Title" in info:
        props.append(f"<dc:title>{alt(info['/Title'])}</dc:title>")
    if "/Author" in info:
        props.append(
            f"<dc:creator><rdf:Seq><rdf:li>{escape(info['/Author'])}</rdf:li></rdf:Seq></dc:creator>"
        )
    if "/Subject" in info:
        props.append(f"<dc:description>{alt(info['/Subject'])}</dc:description>")
    if lang:
        props.append(
            f"<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>"
        )
    props.append("<dc:format>application/pdf</dc:format>")
    if "/Creator" in info:
        props.append(f"<xmp:CreatorTool>{escape(info['/Creator'])}</xmp:CreatorTool>")
    if "/CreationDate" in info:
        props.append(f"<xmp:CreateDate>{_xmp_date(info['/CreationDate'])}</xmp:CreateDate>")
    if "/ModDate" in info:
        props.append(f"<xmp:ModifyDate>{_xmp_date(info['/ModDate'])}</xmp:ModifyDate>")
    if "/Producer" in info:
        props.append(f"<pdf:Producer>{escape(info['/Producer'])}</pdf:Producer>")
    body = "".join(props)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>\n" + " " * 1024 + '\n<?xpacket end="w"?>'
        # Room for a later writer to update the packet in place, as XMP recommends.
    ).encode("utf-8")


def _embed(pdf: pikepdf.Pdf, item: Attachment, moment: str) -> pikepdf.Dictionary:
    stream = pikepdf.Stream(pdf, item.data)
    stream["/Type"] = pikepdf.Name.EmbeddedFile
    stream["/Subtype"] = pikepdf.Name("/" + item.mime)
    stream["/Params"] = pikepdf.Dictionary(
        Size=len(item.data),
        ModDate=pikepdf.String(moment),
        CheckSum=pikepdf.String(hashlib.md5(item.data).digest()),
    )
    ref = pdf.make_indirect(stream)
    spec = pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec,
        F=pikepdf.String(item.name),
        UF=pikepdf.String(item.name),
        Desc=pikepdf.String(item.description),
        AFRelationship=pikepdf.Name("/" + item.relationship),
        EF=pikepdf.Dictionary(F=ref, UF=ref),
    )
    return pdf.make_indirect(spec)


def make_pdfa(data: bytes, lang: str = "", attachments: Sequence[Attachment] = ()) -> bytes:
    """reportlab's PDF as PDF/A-3b, with ``attachments`` as associated files."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if pdf.is_encrypted:
            raise ValueError("an encrypted PDF cannot be PDF/A")
        old = pdf.docinfo
        info = {k: str(old[k]) for k in _INFO_KEYS if k in old}
        # Only entries mirrored in the XMP packet stay (empty Keywords and Trapped go).
        pdf.trailer.Info = pdf.make_indirect(
            pikepdf.Dictionary({k: pikepdf.String(v) for k, v in info.items()})
        )
        root = pdf.Root
        for key in ("/OpenAction", "/AA", "/JavaScript"):
            if key in root:
                del root[key]
        meta = pikepdf.Stream(pdf, xmp_packet(info, lang))
        meta["/Type"] = pikepdf.Name.Metadata
        meta["/Subtype"] = pikepdf.Name.XML
        root.Metadata = pdf.make_indirect(meta)
        icc = pikepdf.Stream(pdf, _icc())
        icc["/N"] = 3
        root.OutputIntents = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFA1,
                    OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
                    Info=pikepdf.String(OUTPUT_CONDITION),
                    RegistryName=pikepdf.String("http://www.color.org"),
                    DestOutputProfile=pdf.make_indirect(icc),
                )
            ]
        )
        if attachments:
            moment = info.get("/ModDate", info.get("/CreationDate", "D:19700101000000Z"))
            specs = [_embed(pdf, a, moment) for a in attachments]
            names = pikepdf.Array()
            for a, spec in sorted(zip(attachments, specs, strict=True), key=lambda p: p[0].name):
                names.append(pikepdf.String(a.name))
                names.append(spec)
            root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=names))
            root.AF = pikepdf.Array(specs)
        out = io.BytesIO()
        pdf.save(
            out,
            min_version="1.7",
            deterministic_id=True,
            fix_metadata_version=False,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
        return out.getvalue()
